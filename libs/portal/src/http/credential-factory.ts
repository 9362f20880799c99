/**
 * The contract of HTTP credential factories: one per authentication scheme.
 */

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
}

/**
 * Turns one authentication scheme's `Authorization` header into credentials,
 * and writes the scheme's challenge.
 */
export interface CredentialFactory {
  /** The scheme name as sent in `Authorization` (`Basic`); matched case-insensitively. */
  readonly scheme: string;
  /**
   * Returns one `WWW-Authenticate` value for this scheme, such as
   * `Basic realm="example", charset="UTF-8"`. `error` is the login failure that
   * led to the challenge, when there was one, so a factory can add details
   * such as Digest's `stale=true` or Bearer's `error="invalid_token"`.
   */
  getChallenge(request: HttpRequestLike, error?: unknown): string | Promise<string>;
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
