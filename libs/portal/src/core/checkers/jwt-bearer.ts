import { createSecretKey } from 'node:crypto';

import {
  createRemoteJWKSet,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
  jwtVerify,
  type KeyObject,
  type RemoteJWKSetOptions,
} from 'jose';

import type { ICredentialsChecker } from '../checker.js';
import { hasControlCharacter } from '../control-characters.js';
import { UnauthorizedLogin } from '../errors.js';
import type { PortalLogger } from '../logger.js';
import type { AvatarId } from '../realm.js';
import { IToken, type IToken as TokenCredentials } from '../token-credentials.js';

/** Options of `JwtBearerChecker`. Give exactly one of `key` and `jwksUrl`. */
export interface JwtBearerCheckerOptions {
  /** The verification key: a public key, or the shared secret of an HMAC algorithm. */
  readonly key?: CryptoKey | KeyObject | JWK | Uint8Array;
  /** The URL of a JSON Web Key Set (`jwks_uri`); keys are fetched and cached by `jose`. */
  readonly jwksUrl?: string | URL;
  /** Options of the JWKS fetch (timeout, cooldown, cache age), passed to `jose`. */
  readonly jwksOptions?: RemoteJWKSetOptions;
  /** The accepted `alg` values, such as `['RS256']` or `['HS256']`. Required; `none` is refused. */
  readonly algorithms: readonly string[];
  /** The required `iss` claim, or one of several. Default: not checked. */
  readonly issuer?: string | readonly string[];
  /** The required `aud` claim, or one of several. Default: not checked. */
  readonly audience?: string | readonly string[];
  /** Clock skew allowed for `exp`, `nbf` and `iat`, in seconds. Default 0. */
  readonly clockToleranceSeconds?: number;
  /** The longest accepted age since `iat`, such as `'1h'` or a number of seconds. Default: not checked. */
  readonly maxTokenAge?: string | number;
  /**
   * The claim whose value is the avatar id: a non-empty string without control
   * characters or U+2028/U+2029. Default `sub`.
   */
  readonly avatarIdClaim?: string;
  /** The logger for JWKS fetch failures (never the token). Default: none, so they are not reported. */
  readonly logger?: PortalLogger;
}

// jose error codes that mean the key set failed, not the token. jose 6 uses
// the generic code only for a JWKS response other than 200 OK.
const KEY_SET_FAILURES: ReadonlySet<string> = new Set([
  'ERR_JWKS_TIMEOUT',
  'ERR_JWKS_INVALID',
  'ERR_JOSE_GENERIC',
]);

/** The message of every rejection, whatever `jose` found wrong, so that tokens cannot be probed. */
const INVALID_TOKEN = 'Invalid or expired access token.';

/**
 * Verifies JSON Web Tokens (RFC 7519) sent as bearer tokens, with `jose`:
 * signature, `alg` among `algorithms`, `exp` and `nbf`, and `iss`, `aud` and
 * age when configured. Returns the `avatarIdClaim` claim as the avatar id.
 *
 * Rejects with `UnauthorizedLogin` and one fixed message for every failure,
 * including a JWKS that cannot be fetched (reported to `logger`).
 */
export class JwtBearerChecker implements ICredentialsChecker<TokenCredentials> {
  readonly credentialInterfaces = [IToken] as const;
  private readonly key: CryptoKey | KeyObject | JWK | Uint8Array | JWTVerifyGetKey;
  private readonly avatarIdClaim: string;
  private keySetFailures = 0;
  private nextKeySetWarning = 0;

  constructor(private readonly options: JwtBearerCheckerOptions) {
    const { key, jwksUrl, algorithms } = options;
    if ((key === undefined) === (jwksUrl === undefined)) {
      throw new TypeError('JwtBearerChecker needs exactly one of the options key and jwksUrl.');
    }
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw new TypeError('JwtBearerChecker needs the accepted algorithms, such as ["RS256"].');
    }
    if (
      algorithms.some(
        (algorithm) => typeof algorithm !== 'string' || algorithm.toLowerCase() === 'none',
      )
    ) {
      throw new TypeError(
        'JwtBearerChecker algorithms must be algorithm names, and "none" is rejected.',
      );
    }
    // A secret given as bytes becomes a KeyObject once here: jose would
    // otherwise import it again on every verification, which was about a
    // third of a Bearer request's time in the benchmark profile.
    this.key =
      key instanceof Uint8Array
        ? createSecretKey(key)
        : (key ?? createRemoteJWKSet(new URL(jwksUrl!), options.jwksOptions));
    this.avatarIdClaim = options.avatarIdClaim ?? 'sub';
  }

  async requestAvatarId(credentials: TokenCredentials): Promise<AvatarId> {
    const { options } = this;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(
        credentials.token,
        this.key as Parameters<typeof jwtVerify>[1],
        {
          algorithms: [...options.algorithms],
          issuer: options.issuer as string | string[] | undefined,
          audience: options.audience as string | string[] | undefined,
          clockTolerance: options.clockToleranceSeconds ?? 0,
          maxTokenAge: options.maxTokenAge,
        },
      ));
    } catch (error) {
      this.reportKeySetFailure(error);
      throw new UnauthorizedLogin(INVALID_TOKEN);
    }

    // A control character or line separator in an avatar id could forge a log
    // line or a header wherever the id is written later.
    const avatarId = payload[this.avatarIdClaim];
    if (typeof avatarId !== 'string' || avatarId.length === 0 || hasControlCharacter(avatarId)) {
      throw new UnauthorizedLogin(INVALID_TOKEN);
    }
    return avatarId;
  }

  // A key set that cannot be fetched or read rejects every token, so the
  // operator gets a warning. A token's own faults are not reported.
  private reportKeySetFailure(error: unknown): void {
    const { logger, jwksUrl } = this.options;
    if (!logger || jwksUrl === undefined) {
      return;
    }
    const code = (error as { code?: unknown } | null)?.code;
    const isJoseError = typeof code === 'string' && code.startsWith('ERR_J');
    if (isJoseError && !KEY_SET_FAILURES.has(code)) {
      return;
    }
    // At most one warning a minute, with the number of failures it stands for.
    this.keySetFailures++;
    const now = Date.now();
    if (now < this.nextKeySetWarning) {
      return;
    }
    const reason = isJoseError ? code : error instanceof Error ? error.name : 'unknown error';
    logger.warn(
      `Could not use the JSON Web Key Set at ${String(jwksUrl)}: ${reason} ` +
        `(${this.keySetFailures} failed verification(s) since the last warning).`,
    );
    this.keySetFailures = 0;
    this.nextKeySetWarning = now + 60_000;
  }
}
