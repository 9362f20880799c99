/** CRAM-MD5 challenge-response credentials (RFC 2195), for mail-style protocols. */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname } from 'node:os';

import { IUsernameHashedPassword } from './credentials.js';
import { UnauthorizedLogin } from './errors.js';
import { Implements } from './interface-token.js';
import { isSecret, type Secret, secretBytes } from './secrets.js';

/** Options of `CramMD5Credentials`. */
export interface CramMD5CredentialsOptions {
  /** The server's host name in the challenge. Default: `os.hostname()`. */
  readonly host?: string;
  /**
   * A challenge to use instead of a new one, for a protocol that issued it
   * elsewhere. It must be unique per exchange, or responses can be replayed.
   */
  readonly challenge?: string;
}

/** The longest accepted response, in characters. */
const MAX_RESPONSE_LENGTH = 8192;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGEST = /^[0-9A-Fa-f]{32}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

// C0 controls, DEL and U+FFFD (the mark of a lossy decoding) are never part of a username.
function hasControlOrReplacementCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f || code === 0xfffd) {
      return true;
    }
  }
  return false;
}

/**
 * One CRAM-MD5 exchange: the server sends `getChallenge()` (base64-encoded on
 * the wire), the client responds with `username SP hex(HMAC-MD5(password, challenge))`,
 * the server passes that to `setResponse` and logs in with these credentials.
 *
 * Provides `IUsernameHashedPassword`: a checker holding the user's plain
 * password calls `checkPassword`. CRAM-MD5 cannot be checked against a
 * one-way hash, so this class has no `checkHash`; see the CRAM-MD5 docs for
 * what a server must store.
 */
@Implements(IUsernameHashedPassword)
export class CramMD5Credentials implements IUsernameHashedPassword {
  /** The username from the response; empty until `setResponse` is called. */
  username = '';
  readonly #host: string;
  #challenge: string | undefined;
  #digest: Buffer | undefined;

  constructor(options: CramMD5CredentialsOptions = {}) {
    if (options.host !== undefined && !HOST_NAME.test(options.host)) {
      throw new TypeError('The CRAM-MD5 host must be a host name such as mail.example.org.');
    }
    const systemHost = hostname();
    this.#host = options.host ?? (HOST_NAME.test(systemHost) ? systemHost : 'localhost');
    if (options.challenge !== undefined) {
      if (typeof options.challenge !== 'string' || !/^[\x21-\x7e]+$/.test(options.challenge)) {
        throw new TypeError('A CRAM-MD5 challenge must be printable ASCII without spaces.');
      }
      this.#challenge = options.challenge;
    }
  }

  /**
   * Returns the challenge, `<random.timestamp@host>` (RFC 2195 §2), made on
   * the first call and the same on later calls of this exchange.
   */
  getChallenge(): string {
    this.#challenge ??= `<${randomBytes(8).readBigUInt64BE()}.${Date.now()}@${this.#host}>`;
    return this.#challenge;
  }

  /**
   * Reads the client's response: base64 of `username SP digest` as SASL
   * sends it, or that text itself. The username is everything before the last
   * space, so it may contain spaces; the digest is 32 hex digits.
   *
   * Throws `UnauthorizedLogin` for a malformed response.
   */
  setResponse(response: string): void {
    if (typeof response !== 'string' || response.length > MAX_RESPONSE_LENGTH) {
      throw malformed('it is not a string of at most 8192 characters');
    }
    let text = response;
    if (!response.includes(' ')) {
      if (!BASE64.test(response)) {
        throw malformed('it is neither base64 nor "username digest"');
      }
      try {
        text = utf8.decode(Buffer.from(response, 'base64'));
      } catch {
        throw malformed('the decoded username is not valid UTF-8');
      }
    }

    const separator = text.lastIndexOf(' ');
    const username = text.slice(0, separator);
    const digest = text.slice(separator + 1);
    if (separator < 0 || !DIGEST.test(digest)) {
      throw malformed('it does not end with a space and 32 hex digits');
    }
    if (hasControlOrReplacementCharacter(username)) {
      throw malformed('the username contains a control or replacement character');
    }
    this.username = username;
    this.#digest = Buffer.from(digest.toLowerCase(), 'latin1');
  }

  /**
   * Computes HMAC-MD5 of the challenge keyed with `password` and compares it
   * with the response's digest in constant time. Returns false before
   * `setResponse` was called.
   */
  checkPassword(password: Secret): boolean {
    if (!isSecret(password) || this.#digest === undefined) {
      return false;
    }
    const expected = Buffer.from(
      createHmac('md5', secretBytes(password)).update(this.getChallenge(), 'latin1').digest('hex'),
      'latin1',
    );
    return timingSafeEqual(expected, this.#digest);
  }

  /** Keeps the digest out of logs and JSON. */
  toJSON(): { username: string } {
    return { username: this.username };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CramMD5Credentials { username: ${JSON.stringify(this.username)} }`;
  }
}

function malformed(detail: string): UnauthorizedLogin {
  return new UnauthorizedLogin(`Malformed CRAM-MD5 response: ${detail}.`);
}
