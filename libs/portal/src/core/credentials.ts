/**
 * Credentials: what a client proved about itself, and the interfaces that
 * checkers are registered for.
 */
import { defineInterface, Implements } from './interface-token.js';
import { type Secret, secretsEqual } from './secrets.js';

/** Any credentials. Every credential interface extends this one. */
export interface ICredentials {}
export const ICredentials = defineInterface<ICredentials>('ICredentials');

/** No credentials at all: the client did not try to sign in. */
export interface IAnonymous extends ICredentials {}
export const IAnonymous = defineInterface<IAnonymous>('IAnonymous', { extends: [ICredentials] });

/**
 * A username and a plain-text password. A checker with the stored plain
 * password calls `checkPassword(stored)`; one with a stored hash hashes
 * `password` itself.
 */
export interface IUsernamePassword extends ICredentials {
  readonly username: string;
  readonly password: Secret;
  /** Compares `candidate` with the password in constant time. */
  checkPassword(candidate: Secret): boolean | Promise<boolean>;
}
export const IUsernamePassword = defineInterface<IUsernamePassword>('IUsernamePassword', {
  extends: [ICredentials],
});

/**
 * A username and something derived from the password that only a party with
 * the plain password can verify (a CRAM-MD5 response, for example). The
 * checker hands the stored plain password to `checkPassword`.
 */
export interface IUsernameHashedPassword extends ICredentials {
  readonly username: string;
  /** Verifies the credentials against the user's plain password. */
  checkPassword(password: Secret): boolean | Promise<boolean>;
}
export const IUsernameHashedPassword = defineInterface<IUsernameHashedPassword>(
  'IUsernameHashedPassword',
  { extends: [ICredentials] },
);

/**
 * A username and a digest response (HTTP Digest) that can be verified either
 * with the plain password or with a stored hash of it (`HA1` in HTTP Digest),
 * so that the server need not keep the password.
 */
export interface IUsernameDigestHash extends ICredentials {
  readonly username: string;
  /** Verifies the response against the user's plain password. */
  checkPassword(password: Secret): boolean | Promise<boolean>;
  /** Verifies the response against a stored hash (hex `HA1` for HTTP Digest). */
  checkHash(digestHash: string): boolean | Promise<boolean>;
}
export const IUsernameDigestHash = defineInterface<IUsernameDigestHash>('IUsernameDigestHash', {
  extends: [ICredentials],
});

/** Credentials of a client that sent none. */
@Implements(IAnonymous)
export class Anonymous implements IAnonymous {}

/**
 * A username and a plain-text password, as HTTP Basic sends them.
 *
 * A string password is compared as its UTF-8 bytes and a `Uint8Array` (such as
 * a `Buffer`) as its raw bytes, so `'é'` and `Buffer.from('c3a9', 'hex')` are
 * equal. Pass bytes when the password may not be valid UTF-8.
 */
@Implements(IUsernamePassword)
export class UsernamePassword implements IUsernamePassword {
  constructor(
    readonly username: string,
    readonly password: Secret,
  ) {}

  /** Compares `candidate` with the password in constant time, whatever their lengths. */
  checkPassword(candidate: Secret): boolean {
    return secretsEqual(this.password, candidate);
  }

  /** Keeps the password out of logs, `console.log` and JSON. */
  toJSON(): { username: string } {
    return { username: this.username };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `UsernamePassword { username: ${JSON.stringify(this.username)} }`;
  }
}

/**
 * A username and a value that is compared, in constant time, with the plain
 * password that a checker looks up. Stands for any scheme in which the client
 * sends a transformed password and the server can reproduce the transformation;
 * this class applies the identity transformation.
 */
@Implements(IUsernameHashedPassword)
export class UsernameHashedPassword implements IUsernameHashedPassword {
  constructor(
    readonly username: string,
    readonly hashed: Secret,
  ) {}

  /** Compares the stored plain `password` with the hashed value, in constant time. */
  checkPassword(password: Secret): boolean {
    return secretsEqual(this.hashed, password);
  }

  toJSON(): { username: string } {
    return { username: this.username };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `UsernameHashedPassword { username: ${JSON.stringify(this.username)} }`;
  }
}
