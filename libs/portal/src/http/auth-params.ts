/**
 * Parsers for the two shapes of HTTP credentials after the scheme name:
 * a list of auth-params (Digest) or a single token68 (Basic, Bearer).
 */
import { MalformedCredentials } from './errors.js';

/**
 * The maximum length of a credentials value that the parsers accept, in characters.
 * Real Digest headers are a few hundred characters long; Node itself limits
 * all headers of a request to 16 KiB by default.
 */
export const MAX_CREDENTIALS_LENGTH = 8192;

/** Options of the credentials parsers. */
export interface CredentialsParseOptions {
  /** Longest accepted input, in characters; default `MAX_CREDENTIALS_LENGTH` (8192). */
  readonly maxLength?: number;
}

/*
 * RFC 7235 §2.1 and RFC 7230 §3.2.6, §7 (list syntax):
 *
 *   credentials   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param    = token BWS "=" BWS ( token / quoted-string )
 *   #auth-param   = [ ( "," / auth-param ) *( OWS "," [ OWS auth-param ] ) ]
 *   token         = 1*tchar
 *   tchar         = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
 *                 / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
 *   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
 *   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
 *   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
 *   obs-text      = %x80-FF
 *   OWS = BWS     = *( SP / HTAB )
 *
 * Empty list elements (", ,") are skipped, as RFC 7230 §7 requires of recipients.
 */

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;

function isTchar(char: string): boolean {
  return TCHAR.test(char);
}

function isWhitespace(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

// Characters allowed inside a quoted-string, escaped or not: HTAB, SP, VCHAR
// and obs-text. Node gives header bytes as Latin-1 characters (obs-text is
// U+0080 to U+00FF), but a caller that re-decoded the header as UTF-8 passes
// any character above U+007F, so all of them count as obs-text.
function isQuotedTextChar(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code <= 0x7e) || code >= 0x80;
}

/**
 * Parses a comma-separated list of auth-params, such as the part of a Digest
 * `Authorization` header after `Digest `.
 *
 * Returns the parameters by lower-case name, with quoted-string values
 * unquoted and their quoted-pairs unescaped. Token and quoted-string values
 * are returned alike (`nc=00000001` and `nc="00000001"` give the same value).
 * Any character above U+007F is allowed inside a quoted-string, because the
 * caller may have re-read the header as UTF-8.
 *
 * Throws `MalformedCredentials` (a `LoginFailed`) for any input that breaks
 * the grammar, repeats a parameter name (in any case), or is longer than
 * `options.maxLength`. It throws nothing else.
 */
export function parseAuthParams(
  input: string,
  options: CredentialsParseOptions = {},
): Map<string, string> {
  checkLength(input, options);
  const params = new Map<string, string>();
  const length = input.length;
  let position = 0;

  const skipWhitespace = (): void => {
    while (isWhitespace(input[position])) {
      position++;
    }
  };

  while (position < length) {
    skipWhitespace();
    if (position >= length) {
      break;
    }
    if (input[position] === ',') {
      position++;
      continue;
    }

    const nameStart = position;
    while (position < length && isTchar(input[position]!)) {
      position++;
    }
    if (position === nameStart) {
      throw malformed(`expected a parameter name at offset ${nameStart}`);
    }
    const name = input.slice(nameStart, position).toLowerCase();
    skipWhitespace();
    if (input[position] !== '=') {
      throw malformed(`expected "=" after parameter "${name}"`);
    }
    position++;
    skipWhitespace();

    let value: string;
    if (input[position] === '"') {
      [value, position] = readQuotedString(input, position, name);
    } else {
      const valueStart = position;
      while (position < length && isTchar(input[position]!)) {
        position++;
      }
      if (position === valueStart) {
        throw malformed(`parameter "${name}" has no value`);
      }
      value = input.slice(valueStart, position);
    }

    if (params.has(name)) {
      throw malformed(`parameter "${name}" appears more than once`);
    }
    params.set(name, value);

    skipWhitespace();
    if (position < length && input[position] !== ',') {
      throw malformed(`expected "," after parameter "${name}"`);
    }
  }

  return params;
}

// Reads the quoted-string that starts at `start` (on its DQUOTE); returns the
// unescaped value and the offset after the closing DQUOTE.
function readQuotedString(input: string, start: number, name: string): [string, number] {
  let position = start + 1;
  let value = '';
  while (position < input.length) {
    const char = input[position]!;
    const code = char.charCodeAt(0);
    if (char === '"') {
      return [value, position + 1];
    }
    if (char === '\\') {
      const escaped = input[position + 1];
      if (escaped === undefined) {
        break;
      }
      if (!isQuotedTextChar(escaped.charCodeAt(0))) {
        throw malformed(`parameter "${name}" has an invalid escaped character`);
      }
      value += escaped;
      position += 2;
      continue;
    }
    if (!isQuotedTextChar(code)) {
      throw malformed(`parameter "${name}" contains a control character`);
    }
    value += char;
    position++;
  }
  throw malformed(`parameter "${name}" has an unterminated quoted-string`);
}

/*
 * RFC 7235 §2.1:
 *
 *   token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Checks that `input` is exactly one token68 (no surrounding whitespace) and
 * returns it. Throws `MalformedCredentials` otherwise, or when it is longer
 * than `options.maxLength`.
 */
export function parseToken68(input: string, options: CredentialsParseOptions = {}): string {
  checkLength(input, options);
  if (!TOKEN68.test(input)) {
    throw malformed('expected a single token68 value');
  }
  return input;
}

function checkLength(input: string, options: CredentialsParseOptions): void {
  if (typeof input !== 'string') {
    throw malformed('the credentials are not a string');
  }
  const maxLength = options.maxLength ?? MAX_CREDENTIALS_LENGTH;
  if (input.length > maxLength) {
    throw malformed(`the credentials are longer than ${maxLength} characters`);
  }
}

function malformed(detail: string): MalformedCredentials {
  return new MalformedCredentials(`Malformed Authorization header: ${detail}.`);
}
