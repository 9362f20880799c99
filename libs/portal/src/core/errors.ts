/**
 * Errors of the portal. Every class has a stable `code` for programs to branch
 * on, and a `name` equal to the class name.
 *
 * The message of `UnauthorizedLogin` is the same for an unknown user and a
 * wrong password, so that a client cannot tell the two apart.
 */

/**
 * Base class of every failed login: the client did not get an avatar.
 *
 * A failed login is an expected outcome, not a bug, and a password-guessing
 * flood creates one per request, so these errors capture no stack trace:
 * `stack` holds only the name and message. Capturing one cost about 1.6 µs
 * per error, several times the rest of a failed in-memory login.
 */
export class LoginFailed extends Error {
  readonly code: string = 'ERR_LOGIN_FAILED';

  constructor(message = 'Login failed.', options?: ErrorOptions) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(message, options);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    this.name = new.target.name;
  }
}

/** The credentials were wrong: unknown user, wrong password, malformed header. */
export class UnauthorizedLogin extends LoginFailed {
  override readonly code: string = 'ERR_UNAUTHORIZED_LOGIN';

  constructor(message = 'Invalid username or password.', options?: ErrorOptions) {
    super(message, options);
  }
}

/** No checker is registered for any interface that the credentials provide. */
export class UnhandledCredentials extends LoginFailed {
  override readonly code: string = 'ERR_UNHANDLED_CREDENTIALS';
}

/**
 * The realm refuses this avatar id every interface that was requested: the
 * user is known, but may not have what was asked for.
 */
export class LoginDenied extends LoginFailed {
  override readonly code: string = 'ERR_LOGIN_DENIED';

  constructor(message = 'Access denied.', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The realm's `requestAvatar` returned something other than a valid
 * `[interface, avatar, logout]` triple for the requested interfaces. This is a
 * bug in the application's realm, not a failed login, so it is no `LoginFailed`.
 */
export class InvalidRealmResponse extends Error {
  readonly code: string = 'ERR_INVALID_REALM_RESPONSE';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
