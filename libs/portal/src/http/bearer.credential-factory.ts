/** OAuth 2.0 bearer tokens in the `Authorization` header (RFC 6750 §2.1). */
import { LoginDenied, LoginFailed } from '../core/errors.js';
import { BearerToken, IToken } from '../core/token-credentials.js';
import { MAX_CREDENTIALS_LENGTH } from './auth-params.js';
import type { CredentialFactory, HttpRequestLike } from './credential-factory.js';
import { BadCredentialsRequest, MalformedCredentials } from './errors.js';

/** Options of `BearerCredentialFactory`. */
export interface BearerCredentialFactoryOptions {
  /** Space-separated scopes to name in the challenge (`scope="..."`, RFC 6750 §3). Default: none. */
  readonly scope?: string;
  /** Longest accepted token, in characters. Default 8192. */
  readonly maxLength?: number;
}

/*
 * RFC 6750 §2.1:
 *
 *   credentials = "Bearer" 1*SP b64token
 *   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * `decode` receives what follows the scheme and one space, so further spaces
 * (the rest of 1*SP) are skipped and everything after them must be a b64token.
 */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

// RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E,
// so these fixed texts contain no quote or backslash.
const DESCRIPTIONS = {
  invalid_request: 'The Authorization header is not a valid Bearer credential.',
  invalid_token: 'The access token is invalid, expired or revoked.',
  insufficient_scope: 'The access token does not grant access to this resource.',
} as const;

type BearerError = keyof typeof DESCRIPTIONS;

/**
 * Turns `Authorization: Bearer <token>` into `BearerToken` credentials, and
 * writes Bearer challenges.
 *
 * `decode` rejects an empty token with 401 (treated like a request without
 * credentials) and a value that is not one b64token (`Bearer abc def`) with
 * `BadCredentialsRequest` (400, `invalid_request`).
 */
export class BearerCredentialFactory implements CredentialFactory {
  readonly scheme = 'Bearer';
  readonly credentialInterfaces = [IToken] as const;
  private readonly maxLength: number;

  constructor(
    readonly realmName: string,
    private readonly options: BearerCredentialFactoryOptions = {},
  ) {
    if (typeof realmName !== 'string' || !/^[\x20-\x7e]*$/.test(realmName)) {
      throw new TypeError('The Bearer realm must be a string of printable ASCII characters.');
    }
    if (
      options.scope !== undefined &&
      !/^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(options.scope)
    ) {
      throw new TypeError('The Bearer scope must be space-separated scope tokens (RFC 6749 §3.3).');
    }
    this.maxLength = options.maxLength ?? MAX_CREDENTIALS_LENGTH;
  }

  /**
   * Returns `Bearer realm="..."`, plus `error` and `error_description` (RFC
   * 6750 §3.1) when the request carried a Bearer token that failed:
   * `invalid_request` for a malformed header, `insufficient_scope` when the
   * realm denied the avatar (`LoginDenied`), and `invalid_token` for any other
   * failed login. A request without a Bearer token gets no error code.
   * The guard sends the `insufficient_scope` challenge with the 403 of a
   * denied token.
   */
  getChallenge(request: HttpRequestLike, error?: unknown): string {
    const parts = [`realm=${quote(this.realmName)}`];
    if (this.options.scope !== undefined) {
      parts.push(`scope=${quote(this.options.scope)}`);
    }
    const code = carriesBearerToken(request) ? errorCode(error) : undefined;
    if (code) {
      parts.push(`error="${code}"`, `error_description="${DESCRIPTIONS[code]}"`);
    }
    return `Bearer ${parts.join(', ')}`;
  }

  /**
   * Returns `BearerToken` credentials for the b64token in `response`. Rejects
   * with `MalformedCredentials` (401) for an empty token and with `BadCredentialsRequest` for
   * anything else that is not exactly one b64token.
   */
  decode(response: string, _request: HttpRequestLike): BearerToken {
    if (typeof response !== 'string') {
      throw new BadCredentialsRequest('The Bearer credentials are not a string.');
    }
    const token = response.replace(/^ +/, '');
    if (token.length === 0) {
      throw new MalformedCredentials('The Bearer token is missing.');
    }
    if (token.length > this.maxLength) {
      throw new BadCredentialsRequest(
        `The Bearer token is longer than ${this.maxLength} characters.`,
      );
    }
    if (!B64TOKEN.test(token)) {
      throw new BadCredentialsRequest(
        'Malformed Bearer credentials: expected one token of letters, digits and -._~+/ ' +
          'followed by optional "=" padding.',
      );
    }
    return new BearerToken(token);
  }
}

// Whether the request's Authorization header names the Bearer scheme with a
// non-empty value, so that its failure is the token's fault.
function carriesBearerToken(request: HttpRequestLike): boolean {
  const header = request.headers?.authorization;
  const values = Array.isArray(header) ? header : [header];
  return values.some((value) => typeof value === 'string' && /^[ \t]*bearer[ \t]+\S/i.test(value));
}

function errorCode(error: unknown): BearerError | undefined {
  if (error instanceof BadCredentialsRequest) {
    return 'invalid_request';
  }
  if (error instanceof LoginDenied) {
    return 'insufficient_scope';
  }
  if (error instanceof LoginFailed) {
    return 'invalid_token';
  }
  return undefined;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
