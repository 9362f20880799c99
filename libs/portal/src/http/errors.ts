/**
 * Errors of the HTTP credential factories. All are `LoginFailed`, so a guard
 * that handles only the core errors still treats them as failed logins.
 */
import { LoginFailed, UnauthorizedLogin } from '../core/errors.js';

/**
 * The `Authorization` header is malformed in a way that its RFC rejects with
 * 400 Bad Request rather than 401: a Digest `uri` that is not the request
 * target (RFC 7616 §3.4.6), a Bearer header that breaks the RFC 6750 §2.1
 * grammar (`invalid_request`, RFC 6750 §3.1). The guard responds with `status`.
 */
export class BadCredentialsRequest extends LoginFailed {
  override readonly code: string = 'ERR_BAD_CREDENTIALS_REQUEST';
  /** The HTTP status code of the response. */
  readonly status = 400;

  constructor(message = 'Malformed Authorization header.', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The `Authorization` header could not be parsed: broken auth-param syntax,
 * a missing or repeated parameter, an oversized header. The guard responds with
 * 401 and fresh challenges, so that a client can try again.
 */
export class MalformedCredentials extends UnauthorizedLogin {
  override readonly code: string = 'ERR_MALFORMED_CREDENTIALS';

  constructor(message = 'Malformed Authorization header.', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A Digest response was correct, but its nonce has expired or may not be used
 * again (a nonce count already seen). The Digest factory responds with a
 * challenge carrying `stale=true` (RFC 7616 §3.3), so the client retries with
 * a fresh nonce without asking the user for the password again.
 *
 * Only a correct response leads to this error: a wrong password with an
 * expired nonce is a plain `UnauthorizedLogin`.
 */
export class StaleNonce extends UnauthorizedLogin {
  override readonly code: string = 'ERR_STALE_NONCE';

  constructor(
    message = 'The Digest nonce is stale; retry with the new nonce.',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
