/** Token credentials: an opaque or self-contained token, such as an OAuth 2.0 bearer token. */
import { ICredentials } from './credentials.js';
import { defineInterface, Implements } from './interface-token.js';

/** A token that proves who the client is; a checker looks it up or verifies it. */
export interface IToken extends ICredentials {
  /** The token as the client sent it. */
  readonly token: string;
}
export const IToken = defineInterface<IToken>('IToken', { extends: [ICredentials] });

/**
 * A bearer token (RFC 6750). Any party in possession of it is let in, so it is a secret.
 * The token stays out of `JSON.stringify`, `console.log` and `util.inspect`.
 */
@Implements(IToken)
export class BearerToken implements IToken {
  readonly #token: string;

  constructor(token: string) {
    if (typeof token !== 'string') {
      throw new TypeError('BearerToken needs the token as a string.');
    }
    this.#token = token;
  }

  get token(): string {
    return this.#token;
  }

  toJSON(): { type: 'BearerToken' } {
    return { type: 'BearerToken' };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'BearerToken { token: [hidden] }';
  }
}
