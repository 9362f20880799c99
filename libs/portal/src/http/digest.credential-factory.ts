/** HTTP Digest authentication (RFC 7616, compatible with RFC 2617 clients). */
import { IUsernameDigestHash, IUsernameHashedPassword } from '../core/credentials.js';
import { LoginDenied, LoginFailed, UnauthorizedLogin } from '../core/errors.js';
import type { Secret } from '../core/secrets.js';
import { type CredentialsParseOptions, parseAuthParams } from './auth-params.js';
import type { CredentialFactory, HttpRequestLike } from './credential-factory.js';
import {
  type DigestAlgorithm,
  digestHexLength,
  digestUserhash,
  isSessionAlgorithm,
  parseDigestAlgorithm,
} from './digest-hash.js';
import {
  DEFAULT_NONCE_LIFETIME_SECONDS,
  type DigestNonceCheck,
  type DigestNonceSource,
  HmacDigestNonceSource,
  NonceCountTable,
} from './digest-nonce.js';
import { DigestedCredentials } from './digested-credentials.js';
import { BadCredentialsRequest, MalformedCredentials, StaleNonce } from './errors.js';
import { decodeExtValue, hasControlOrReplacementCharacter } from './header-text.js';

/**
 * Finds the user whose userhash (RFC 7616 §3.4.4) is `userhash`: returns the
 * plain username, or undefined when no user has it. `hashUsername(name)`
 * computes a candidate's userhash with the response's algorithm and realm.
 */
export type UserhashResolver = (
  userhash: string,
  hashUsername: (username: string) => string,
) => string | undefined | Promise<string | undefined>;

/** Options of `DigestCredentialFactory`. */
export interface DigestCredentialFactoryOptions extends CredentialsParseOptions {
  /**
   * The HMAC-SHA-256 key that signs nonces and opaque values, at least 16
   * bytes (32 random bytes recommended). Application instances that share it
   * accept each other's nonces. Default: a random key made once per process,
   * so a nonce issued by one instance is not valid on another.
   */
  readonly secret?: Secret;
  /** How long a nonce stays valid, in seconds. Default 300 (5 minutes). */
  readonly nonceLifetimeSeconds?: number;
  /**
   * Accept RFC 2069 clients, which send no `qop`, `nc` or `cnonce`. Default
   * false. Each nonce is then good for one such request only.
   */
  readonly allowLegacyNoQop?: boolean;
  /** Most nonces whose counts are remembered against replay. Default 10,000. */
  readonly maxNonces?: number;
  /** How far below the highest nonce count a late request may be. Default 128. */
  readonly nonceCountWindow?: number;
  /**
   * Enables `userhash=true` (RFC 7616 §3.4.4): the challenge offers it, and a
   * client's userhash is resolved to the plain username with this function.
   * Without it, a response with `userhash=true` is rejected.
   */
  readonly resolveUserhash?: UserhashResolver;
  /** Replaces the HMAC nonces, for a shared nonce store or fixed test nonces. */
  readonly nonceSource?: DigestNonceSource;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Nonce counts are written as exactly 8 hex digits (RFC 7616 §3.4). */
const NONCE_COUNT = /^[0-9A-Fa-f]{8}$/;

// How often expired nonces are swept out of the nonce count table.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Turns `Authorization: Digest ...` headers into `DigestedCredentials`, and
 * writes Digest challenges with HMAC-signed, stateless nonces.
 *
 * `algorithm` is what the challenge offers. `decode` verifies any supported
 * algorithm whose nonce was issued for that algorithm and realm under the same
 * secret, so two factories (SHA-256 and MD5) sharing a secret each accept
 * responses to the other's challenge.
 *
 * Only `qop="auth"` is offered; `auth-int` is not supported.
 */
export class DigestCredentialFactory implements CredentialFactory {
  readonly scheme = 'Digest';
  /** The credential interfaces of `DigestedCredentials`, which `decode` returns. */
  readonly credentialInterfaces = [IUsernameDigestHash, IUsernameHashedPassword] as const;
  readonly algorithm: DigestAlgorithm;

  private readonly nonces: DigestNonceSource;
  private readonly nonceCounts: NonceCountTable;
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private nextSweep = 0;

  constructor(
    algorithm: DigestAlgorithm | string,
    readonly realmName: string,
    private readonly options: DigestCredentialFactoryOptions = {},
  ) {
    const parsed = typeof algorithm === 'string' ? parseDigestAlgorithm(algorithm) : undefined;
    if (!parsed) {
      throw new TypeError(
        `Unsupported Digest algorithm ${JSON.stringify(algorithm)}; use one of MD5, MD5-sess, ` +
          'SHA-256, SHA-256-sess, SHA-512-256, SHA-512-256-sess.',
      );
    }
    if (typeof realmName !== 'string' || !/^[\x20-\x7e]*$/.test(realmName)) {
      throw new TypeError('The Digest realm must be a string of printable ASCII characters.');
    }
    this.algorithm = parsed;
    this.now = options.now ?? Date.now;
    const lifetimeSeconds = options.nonceLifetimeSeconds ?? DEFAULT_NONCE_LIFETIME_SECONDS;
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.nonces =
      options.nonceSource ??
      new HmacDigestNonceSource({ secret: options.secret, lifetimeSeconds, now: this.now });
    this.nonceCounts = new NonceCountTable({
      maxNonces: options.maxNonces,
      window: options.nonceCountWindow,
    });
  }

  /** The number of nonces in the replay table now (at most `maxNonces`). */
  get trackedNonces(): number {
    return this.nonceCounts.size;
  }

  /**
   * Returns a challenge with a fresh nonce, such as `Digest realm="x",
   * qop="auth", algorithm=SHA-256, nonce="...", opaque="...", charset=UTF-8`.
   * Adds `stale=true` when `error` is a `StaleNonce`: the client's previous
   * response was correct but its nonce could not be used. Returns undefined,
   * and issues no nonce, when `error` is a `LoginDenied`: RFC 7616 has no
   * challenge for a user whom the realm refuses, so a 403 carries none.
   */
  getChallenge(request: HttpRequestLike): string;
  getChallenge(request: HttpRequestLike, error?: unknown): string | undefined;
  getChallenge(_request: HttpRequestLike, error?: unknown): string | undefined {
    if (error instanceof LoginDenied) {
      return undefined;
    }
    const { nonce, opaque } = this.nonces.issue({
      realm: this.realmName,
      algorithm: this.algorithm,
    });
    const parts = [
      `realm=${quote(this.realmName)}`,
      'qop="auth"',
      `algorithm=${this.algorithm}`,
      `nonce=${quote(nonce)}`,
      `opaque=${quote(opaque)}`,
      'charset=UTF-8',
    ];
    if (this.options.resolveUserhash) {
      parts.push('userhash=true');
    }
    if (error instanceof StaleNonce) {
      parts.push('stale=true');
    }
    return `Digest ${parts.join(', ')}`;
  }

  /**
   * Tests whether a Digest response names this factory's algorithm, so that
   * with several Digest factories configured (SHA-256 and MD5, say) each one
   * decodes the responses to its own challenge. A missing `algorithm` means
   * MD5 (RFC 7616 §3.4), and the name matches in any case, quoted or not.
   * Returns false for auth-params that do not parse.
   */
  accepts(credentials: string): boolean {
    let params: Map<string, string>;
    try {
      params = parseAuthParams(credentials, this.options);
    } catch (error) {
      if (error instanceof LoginFailed) {
        return false;
      }
      throw error;
    }
    return parseDigestAlgorithm(params.get('algorithm') ?? 'MD5') === this.algorithm;
  }

  /**
   * Parses the auth-params of a Digest response and returns
   * `DigestedCredentials`, which a checker verifies with the password or the
   * stored `HA1`. `response` is text as the `CredentialFactory` contract
   * describes: already re-read as UTF-8, so a username is taken as it is.
   *
   * Rejects with `BadCredentialsRequest` (400) when the `uri` parameter is not
   * the request target, and with `MalformedCredentials` or `UnauthorizedLogin`
   * (401) for broken syntax, missing or repeated parameters, another realm, an
   * unsupported algorithm or qop, or a userhash that is not enabled. A bad,
   * expired or reused nonce is not rejected here: the credentials reject it
   * once the response has been verified (see `DigestedCredentials`).
   */
  async decode(response: string, request: HttpRequestLike): Promise<DigestedCredentials> {
    const params = parseAuthParams(response, this.options);
    const get = (name: string): string | undefined => params.get(name);
    const require = (name: string): string => {
      const value = get(name);
      if (value === undefined) {
        throw malformed(`the "${name}" parameter is missing`);
      }
      return value;
    };

    const algorithmName = get('algorithm') ?? 'MD5';
    const algorithm = parseDigestAlgorithm(algorithmName);
    if (!algorithm) {
      throw new UnauthorizedLogin('Unsupported Digest algorithm.');
    }

    const realm = decodeText(require('realm'), 'realm');
    if (realm !== this.realmName) {
      throw new UnauthorizedLogin('The Digest realm does not match the protection space.');
    }

    const nonce = require('nonce');
    const opaque = require('opaque');
    const uri = require('uri');
    const clientResponse = require('response');
    if (
      clientResponse.length !== digestHexLength(algorithm) ||
      !/^[0-9A-Fa-f]+$/.test(clientResponse)
    ) {
      throw malformed(`the "response" parameter is not a ${algorithm} digest in hex`);
    }

    const { qop, nc, cnonce } = this.readQop(get('qop'), get('nc'), get('cnonce'), algorithm);
    const userhash = readUserhashFlag(get('userhash'));
    const sentUsername = readUsername(get('username'), get('username*'), userhash);

    // RFC 7616 §3.4.6 and RFC 2617 §3.2.2.5: a digest-uri that is not the
    // request target is a bad request.
    if (uri !== request.url) {
      throw new BadCredentialsRequest(
        'The Digest "uri" parameter does not match the request target.',
      );
    }

    let username = sentUsername;
    let usernameKnown = true;
    if (userhash) {
      const resolved = await this.resolveUserhash(sentUsername, algorithm, realm);
      usernameKnown = resolved !== undefined;
      username = resolved ?? sentUsername;
    }

    const nonceCheck = this.nonces.check(nonce, opaque, { realm, algorithm });
    const fields = {
      username,
      realm,
      algorithm,
      nonce,
      method: request.method,
      uri,
      qop,
      nc,
      cnonce,
      response: clientResponse,
      userhash,
    };
    return new DigestedCredentials(fields, () =>
      usernameKnown ? this.acceptNonce(nonce, nonceCheck, nc) : false,
    );
  }

  // Called once a response has matched: lets it in, or throws StaleNonce.
  private acceptNonce(nonce: string, check: DigestNonceCheck, nc: string | undefined): boolean {
    if (check.status === 'invalid') {
      throw new StaleNonce('The Digest nonce was not issued here or has been replaced.');
    }
    if (check.status === 'stale') {
      throw new StaleNonce('The Digest nonce has expired.');
    }

    this.sweepExpiredNonces();
    // A response without qop has no nonce count, so its nonce is used once, as count 0.
    const count = nc === undefined ? 0 : Number.parseInt(nc, 16);
    if (!this.nonceCounts.record(nonce, check.issuedAt, count)) {
      throw new StaleNonce('The Digest nonce count was already used.');
    }
    return true;
  }

  private sweepExpiredNonces(): void {
    const now = this.now();
    if (now >= this.nextSweep) {
      this.nextSweep = now + SWEEP_INTERVAL_MS;
      this.nonceCounts.forgetIssuedBefore(now - this.lifetimeMs);
    }
  }

  private readQop(
    qopValue: string | undefined,
    nc: string | undefined,
    cnonce: string | undefined,
    algorithm: DigestAlgorithm,
  ): { qop?: string; nc?: string; cnonce?: string } {
    if (qopValue === undefined) {
      if (nc !== undefined || cnonce !== undefined) {
        throw malformed('"nc" and "cnonce" are only allowed with "qop"');
      }
      if (isSessionAlgorithm(algorithm)) {
        throw new UnauthorizedLogin(`Digest ${algorithm} needs qop and cnonce.`);
      }
      if (!this.options.allowLegacyNoQop) {
        throw new UnauthorizedLogin('Digest responses without qop (RFC 2069) are not accepted.');
      }
      return {};
    }

    if (qopValue.toLowerCase() !== 'auth') {
      throw new UnauthorizedLogin('Unsupported Digest qop; only "auth" is offered.');
    }
    if (nc === undefined || !NONCE_COUNT.test(nc)) {
      throw malformed('the "nc" parameter must be 8 hex digits');
    }
    if (cnonce === undefined || cnonce.length === 0) {
      throw malformed('the "cnonce" parameter is missing');
    }
    // The client hashed the qop as it wrote it, so it is kept as sent.
    return { qop: qopValue, nc, cnonce };
  }

  private async resolveUserhash(
    userhash: string,
    algorithm: DigestAlgorithm,
    realm: string,
  ): Promise<string | undefined> {
    const resolver = this.options.resolveUserhash;
    if (!resolver) {
      throw new UnauthorizedLogin('Digest userhash is not enabled on this server.');
    }
    const hashUsername = (name: string): string => digestUserhash(algorithm, name, realm);
    let resolved: unknown;
    try {
      resolved = await resolver(userhash.toLowerCase(), hashUsername);
    } catch (error) {
      if (error instanceof LoginFailed) {
        throw error;
      }
      throw new UnauthorizedLogin('The Digest userhash could not be resolved.', { cause: error });
    }
    return typeof resolved === 'string' ? resolved : undefined;
  }
}

function readUserhashFlag(value: string | undefined): boolean {
  if (value === undefined) {
    return false;
  }
  const lower = value.toLowerCase();
  if (lower !== 'true' && lower !== 'false') {
    throw malformed('the "userhash" parameter must be true or false');
  }
  return lower === 'true';
}

// RFC 7616 §3.4: exactly one of username (quoted-string) and username*
// (RFC 8187 ext-value, only without userhash).
function readUsername(
  username: string | undefined,
  extendedUsername: string | undefined,
  userhash: boolean,
): string {
  if (username !== undefined && extendedUsername !== undefined) {
    throw malformed('"username" and "username*" must not both be sent');
  }
  if (extendedUsername !== undefined) {
    if (userhash) {
      throw malformed('"username*" must not be sent with userhash=true');
    }
    const decoded = decodeExtValue(extendedUsername);
    if (decoded === undefined) {
      throw malformed('the "username*" parameter is not a valid RFC 8187 ext-value');
    }
    return decoded;
  }
  if (username === undefined) {
    throw malformed('the "username" parameter is missing');
  }
  return decodeText(username, 'username');
}

// The text was decoded once, by the caller (see CredentialFactory.decode);
// decoding it again would turn a username such as "Ã©" into "é".
function decodeText(value: string, name: string): string {
  if (hasControlOrReplacementCharacter(value)) {
    throw malformed(`the "${name}" parameter contains a replacement or control character`);
  }
  return value;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function malformed(detail: string): MalformedCredentials {
  return new MalformedCredentials(`Malformed Digest credentials: ${detail}.`);
}
