import { SignJWT } from 'jose';
import { JwtBearerChecker } from 'nestjs-portal';

/** The `iss` and `aud` claims of demo tokens. */
const DEMO_TOKEN_ISSUER = 'nestjs-portal demo';

/** How long a demo token is valid, in seconds. */
export const DEMO_TOKEN_LIFETIME_SECONDS = 15 * 60;

/** The shortest accepted signing key, in bytes: RFC 7518 §3.2 requires 256 bits for HS256. */
export const MIN_DEMO_KEY_BYTES = 32;

/**
 * Signs the demo's bearer tokens, HS256 JSON Web Tokens whose `sub` is the
 * username, and makes the checker that verifies them. Only this object and
 * its checkers hold the key.
 */
export class DemoTokens {
  readonly #key: Uint8Array;

  /** Throws `RangeError` for a key shorter than `MIN_DEMO_KEY_BYTES`. */
  constructor(key: Uint8Array) {
    if (key.byteLength < MIN_DEMO_KEY_BYTES) {
      throw new RangeError(
        `The demo token key must be at least ${MIN_DEMO_KEY_BYTES} bytes, but is ${key.byteLength}.`,
      );
    }
    this.#key = Uint8Array.from(key);
  }

  /** Returns a checker for `IToken` credentials that accepts the tokens of `issue`. */
  checker(): JwtBearerChecker {
    return new JwtBearerChecker({
      key: this.#key,
      algorithms: ['HS256'],
      issuer: DEMO_TOKEN_ISSUER,
      audience: DEMO_TOKEN_ISSUER,
    });
  }

  /** Returns a token for `username`, valid for `DEMO_TOKEN_LIFETIME_SECONDS`. */
  issue(username: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(username)
      .setIssuer(DEMO_TOKEN_ISSUER)
      .setAudience(DEMO_TOKEN_ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${DEMO_TOKEN_LIFETIME_SECONDS}s`)
      .sign(this.#key);
  }
}
