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
   * Parses the part of the `Authorization` header after the scheme and one
   * space, and returns credentials. Throws (or rejects with) `LoginFailed`,
   * and nothing else, for any malformed value.
   */
  decode(response: string, request: HttpRequestLike): unknown | Promise<unknown>;
}
