/**
 * The contract of HTTP credential factories: one per authentication scheme.
 */
import type { InterfaceToken } from '../core/interface-token.js';

/**
 * The parts of an HTTP request that credential factories read. Both Express
 * and Fastify requests are adapted to it by the guard.
 */
export interface HttpRequestLike {
  /** The request method, upper case (`GET`). */
  readonly method: string;
  /** The request target as sent: path and query (`/dir/index.html?x=1`). */
  readonly url: string;
  /** Header values by lower-case name, as Node's `IncomingMessage.headers` holds them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The header lines as received, names and values alternating, as in Node's
   * `IncomingMessage.rawHeaders`. Optional. Node keeps only the
   * first of several `Authorization` lines in `headers`, so the guard reads
   * this to reject a request that repeats it.
   */
  readonly rawHeaders?: readonly string[];
}

/**
 * Turns one authentication scheme's `Authorization` header into credentials,
 * and writes the scheme's challenge.
 */
export interface CredentialFactory {
  /** The scheme name as sent in `Authorization` (`Basic`); matched case-insensitively. */
  readonly scheme: string;
  /**
   * The credential interfaces that the credentials from `decode` provide,
   * such as `[IUsernamePassword]`. Optional. `PortalModule` uses it at
   * bootstrap to warn about a factory whose credentials no registered
   * checker accepts, since every login of that scheme would then fail.
   */
  readonly credentialInterfaces?: readonly InterfaceToken[];
  /**
   * Returns one `WWW-Authenticate` value for this scheme, such as
   * `Basic realm="example", charset="UTF-8"`, or undefined for no challenge.
   *
   * `error` is the login failure that led to the challenge, and is given only
   * to the factory that decoded the failed credentials, so it can add details
   * such as Digest's `stale=true` or Bearer's `error="invalid_token"`.
   *
   * - On 400 and 401 the guard calls every factory, and each must return a
   *   challenge: a 401 must carry at least one (RFC 9110 §15.5.2). Undefined
   *   there is a bug in the factory, and the request fails with 500.
   * - On 403 (`error` is the realm's `LoginDenied` of credentials this factory
   *   decoded) the guard calls only this factory, and sends its challenge
   *   when it returns one. Bearer returns `error="insufficient_scope"` (RFC
   *   6750 §3.1); Basic and Digest return undefined, as their RFCs define
   *   no challenge for a refused user.
   */
  getChallenge(
    request: HttpRequestLike,
    error?: unknown,
  ): string | undefined | Promise<string | undefined>;
  /**
   * Parses the credentials of an `Authorization` header of this scheme and
   * returns credentials. Throws (or rejects with) `LoginFailed`, and nothing
   * else, for any malformed value.
   *
   * `response` is the header value after the scheme and the spaces that follow
   * it (RFC 9110 §11.4: `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`). Its
   * bytes are already re-read as UTF-8 where they are valid UTF-8, and keep
   * their ISO-8859-1 reading where they are not (`headerValueAsUtf8`), so
   * `decode` must not decode text again. A caller other than `PortalGuard`
   * passes the value through `headerValueAsUtf8` and `splitAuthorization` first.
   */
  decode(response: string, request: HttpRequestLike): unknown | Promise<unknown>;
  /**
   * Tests whether this factory decodes `credentials` (the same text that
   * `decode` receives) when several configured factories share its scheme,
   * such as Digest SHA-256 and Digest MD5. The guard picks the first factory
   * of the scheme whose `accepts` returns true, or else the first factory of
   * the scheme. Optional, and not called for a factory that is alone in its
   * scheme. Returns false for a malformed value instead of throwing, so that
   * the chosen factory's `decode` rejects it.
   */
  accepts?(credentials: string, request: HttpRequestLike): boolean;
}
