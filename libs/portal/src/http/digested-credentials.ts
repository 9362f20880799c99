/** The credentials that an HTTP Digest `Authorization` header carries. */
import { timingSafeEqual } from 'node:crypto';

import { IUsernameDigestHash, IUsernameHashedPassword } from '../core/credentials.js';
import { Implements } from '../core/interface-token.js';
import { isSecret, type Secret } from '../core/secrets.js';
import {
  type DigestAlgorithm,
  type DigestHashName,
  digestHA1,
  digestHashName,
  digestHexLength,
  digestResponse,
} from './digest-hash.js';

/** The parameters of a Digest response that the credentials verify. */
export interface DigestResponseFields {
  /** The plain username: decoded from `username*`, or resolved from a userhash. */
  readonly username: string;
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** `auth` as the client wrote it, or undefined for an RFC 2069 client. */
  readonly qop?: string;
  /** The nonce count as sent: 8 hex digits. */
  readonly nc?: string;
  readonly cnonce?: string;
  /** The client's `response` parameter, lower-case hex. */
  readonly response: string;
  /** Whether the client sent a userhash in place of the username. */
  readonly userhash?: boolean;
}

/**
 * Decides whether a correct response may log in. Called once, when the
 * response first matches: returns true to accept, false to reject as a wrong
 * password would, or throws (`StaleNonce` for an expired or reused nonce).
 */
export type DigestResponseAcceptor = (credentials: DigestedCredentials) => boolean;

/**
 * A Digest response (RFC 7616), verifiable with the user's plain password
 * (`checkPassword`) or with the stored `HA1` (`checkHash`).
 *
 * Provides `IUsernameDigestHash`, and `IUsernameHashedPassword` too, so that
 * checkers holding plain passwords (such as `InMemoryUsernamePasswordDatabase`)
 * accept it.
 *
 * Staleness is decided here, not in the factory. When the response is correct
 * but its nonce has expired, was not issued here, or its nonce count was used
 * before, `checkPassword` and `checkHash` throw `StaleNonce`. The factory turns
 * that error into a challenge with `stale=true`. A wrong response returns false
 * whatever the nonce, so a wrong password never learns that a nonce is stale.
 */
@Implements(IUsernameDigestHash, IUsernameHashedPassword)
export class DigestedCredentials implements IUsernameDigestHash, IUsernameHashedPassword {
  readonly username: string;
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  readonly qop: string | undefined;
  readonly nc: string | undefined;
  readonly cnonce: string | undefined;
  readonly userhash: boolean;
  readonly #response: string;
  readonly #accept: DigestResponseAcceptor;
  #accepted = false;

  /**
   * `accept` is the factory's nonce check; without one, every correct
   * response is accepted (for tests and protocols without nonce tracking).
   */
  constructor(fields: DigestResponseFields, accept: DigestResponseAcceptor = () => true) {
    this.username = fields.username;
    this.realm = fields.realm;
    this.algorithm = fields.algorithm;
    this.nonce = fields.nonce;
    this.method = fields.method;
    this.uri = fields.uri;
    this.qop = fields.qop;
    this.nc = fields.nc;
    this.cnonce = fields.cnonce;
    this.userhash = fields.userhash ?? false;
    this.#response = fields.response.toLowerCase();
    this.#accept = accept;
  }

  /** The hash function that a stored `HA1` for these credentials must use. */
  get hashAlgorithm(): DigestHashName {
    return digestHashName(this.algorithm);
  }

  /** Verifies the response against the user's plain password. */
  checkPassword(password: Secret): boolean {
    if (!isSecret(password)) {
      return false;
    }
    return this.checkHash(digestHA1(this.algorithm, this.username, this.realm, password));
  }

  /**
   * Verifies the response against a stored `HA1`: the hex of
   * `H(username:realm:password)` with `hashAlgorithm` (for `-sess` algorithms
   * too; the session key is derived here). Compares in constant time.
   */
  checkHash(digestHash: string): boolean {
    const ha1 = typeof digestHash === 'string' ? digestHash.toLowerCase() : '';
    const hexLength = digestHexLength(this.algorithm);
    // A malformed stored hash still costs a full computation, like a wrong one.
    const usable = ha1.length === hexLength && /^[0-9a-f]+$/.test(ha1);
    const expected = Buffer.from(
      digestResponse(usable ? ha1 : '0'.repeat(hexLength), this),
      'latin1',
    );
    const given = Buffer.from(this.#response, 'latin1');
    const matches = given.length === expected.length && timingSafeEqual(given, expected);
    if (!matches || !usable) {
      return false;
    }
    if (!this.#accepted) {
      this.#accepted = this.#accept(this);
    }
    return this.#accepted;
  }

  /** Keeps the response out of logs, `console.log` and JSON. */
  toJSON(): { username: string; realm: string; algorithm: DigestAlgorithm } {
    return { username: this.username, realm: this.realm, algorithm: this.algorithm };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return (
      `DigestedCredentials { username: ${JSON.stringify(this.username)}, ` +
      `realm: ${JSON.stringify(this.realm)}, algorithm: ${this.algorithm} }`
    );
  }
}
