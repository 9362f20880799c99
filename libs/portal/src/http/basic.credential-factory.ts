/** HTTP Basic authentication (RFC 7617). */
import { hasControlCharacter } from '../core/control-characters.js';
import { IUsernamePassword, UsernamePassword } from '../core/credentials.js';
import { LoginDenied } from '../core/errors.js';
import { MAX_CREDENTIALS_LENGTH, parseToken68 } from './auth-params.js';
import { decodeUtf8Strict } from './authorization-header.js';
import type { CredentialFactory, HttpRequestLike } from './credential-factory.js';
import { MalformedCredentials } from './errors.js';

/** Options of `BasicCredentialFactory`. */
export interface BasicCredentialFactoryOptions {
  /**
   * Reads a user-id or password that is not valid UTF-8 as ISO-8859-1 instead
   * of rejecting it, for old clients that encode Basic credentials in Latin-1
   * (RFC 7617 Appendix B). Default false: such credentials get 401.
   */
  latin1Fallback?: boolean;
  /** Longest accepted base64 value, in characters. Default 8192. */
  maxLength?: number;
}

// The base64 alphabet of RFC 4648 §4 with up to two "=" of padding. token68
// also allows "-._~", which base64 does not.
const BASE64 = /^[A-Za-z0-9+/]+(={1,2})?$/;
// Printable ASCII and HTAB: what a realm may contain so that the challenge is a
// valid header value that reads the same in any charset.
const REALM_CHARACTERS = /^[\t\x20-\x7e]*$/;
const COLON = 0x3a;

/**
 * Turns `Authorization: Basic <base64 of user-id:password>` into
 * `UsernamePassword` credentials, and writes the challenge
 * `Basic realm="<realm>", charset="UTF-8"`.
 *
 * Decoding rules, each failure a `MalformedCredentials` (so 401):
 * - the value is one token68 in the base64 alphabet. Padding may be left out
 *   (`QWxhZGRpbjpvcGVuIHNlc2FtZQ` is accepted) because some clients strip the
 *   `=`. Padding that is present must be right, and an encoding whose unused
 *   bits are not zero is rejected, so each credential has one encoding;
 * - the decoded bytes are split at the first colon: the user-id cannot
 *   contain one, the password may;
 * - both parts must be valid UTF-8 (or, with `latin1Fallback`, are read as
 *   ISO-8859-1 when they are not) and contain no control character (C0, DEL,
 *   C1) and no U+2028 or U+2029.
 *
 * An empty user-id or password is valid syntax and reaches the checker.
 */
export class BasicCredentialFactory implements CredentialFactory {
  readonly scheme = 'Basic';
  readonly credentialInterfaces = [IUsernamePassword] as const;
  private readonly challenge: string;
  private readonly latin1Fallback: boolean;
  private readonly maxLength: number;

  /** @param realmName the protection space shown to the user; printable ASCII. */
  constructor(
    readonly realmName: string,
    options: BasicCredentialFactoryOptions = {},
  ) {
    if (typeof realmName !== 'string' || !REALM_CHARACTERS.test(realmName)) {
      throw new TypeError(
        'BasicCredentialFactory needs a realm name of printable ASCII characters.',
      );
    }
    this.challenge = `Basic realm=${quoteString(realmName)}, charset="UTF-8"`;
    this.latin1Fallback = options.latin1Fallback ?? false;
    this.maxLength = options.maxLength ?? MAX_CREDENTIALS_LENGTH;
  }

  /**
   * Returns `Basic realm="…", charset="UTF-8"`, the same for every request,
   * or undefined when `error` is a `LoginDenied`: RFC 7617 has no challenge
   * for a user whom the realm refuses, so a 403 carries none.
   */
  getChallenge(request?: HttpRequestLike): string;
  getChallenge(request: HttpRequestLike, error?: unknown): string | undefined;
  getChallenge(_request?: HttpRequestLike, error?: unknown): string | undefined {
    return error instanceof LoginDenied ? undefined : this.challenge;
  }

  /**
   * Decodes the base64 credentials after `Basic `. Returns `UsernamePassword`
   * with both parts as strings; throws `MalformedCredentials` for anything
   * that breaks the rules in the class description.
   */
  decode(response: string): UsernamePassword {
    const bytes = decodeBase64(parseToken68(response, { maxLength: this.maxLength }));

    const colon = bytes.indexOf(COLON);
    if (colon === -1) {
      throw new MalformedCredentials(
        'The Basic credentials contain no colon between the user-id and the password.',
      );
    }
    const username = this.decodeText(bytes.subarray(0, colon), 'user-id');
    const password = this.decodeText(bytes.subarray(colon + 1), 'password');

    return new UsernamePassword(username, password);
  }

  private decodeText(bytes: Uint8Array, part: 'user-id' | 'password'): string {
    let text = decodeUtf8Strict(bytes);
    if (text === undefined && this.latin1Fallback) {
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
    if (text === undefined) {
      throw new MalformedCredentials(`The Basic ${part} is not valid UTF-8.`);
    }
    // RFC 7617 §2 forbids control characters in both parts. Its CTL (RFC 5234)
    // covers only C0 and DEL. The C1 controls, which Latin-1 bytes 0x80-0x9F
    // become, and U+2028/U+2029 are rejected too, since no name needs them.
    if (hasControlCharacter(text)) {
      throw new MalformedCredentials(`The Basic ${part} contains a control character.`);
    }
    return text;
  }
}

// RFC 4648 §4 base64, with optional padding: Buffer.from() would silently skip
// characters outside the alphabet, so the alphabet, the length and the padding
// are checked first, and the bytes are re-encoded to reject non-zero pad bits.
function decodeBase64(value: string): Buffer {
  const match = BASE64.exec(value);
  if (!match) {
    throw new MalformedCredentials('The Basic credentials are not base64.');
  }
  const padding = match[1]?.length ?? 0;
  const unpadded = padding > 0 ? value.slice(0, -padding) : value;
  const remainder = unpadded.length % 4;
  if (remainder === 1 || (padding > 0 && value.length % 4 !== 0)) {
    throw new MalformedCredentials(
      'The Basic credentials have an invalid base64 length or padding.',
    );
  }

  const padded = remainder === 0 ? unpadded : unpadded + '='.repeat(4 - remainder);
  const bytes = Buffer.from(padded, 'base64');
  if (bytes.toString('base64') !== padded) {
    throw new MalformedCredentials('The Basic credentials are not canonical base64.');
  }
  return bytes;
}

/*
 * RFC 9110 §5.6.4:
 *
 *   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
 *   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
 */
function quoteString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}
