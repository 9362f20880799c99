/**
 * Reading the `Authorization` request header: its value as UTF-8 text, and
 * its split into the authentication scheme and the credentials after it.
 */
import { BadCredentialsRequest, MalformedCredentials } from './errors.js';
import type { HttpRequestLike } from './credential-factory.js';

/** The scheme and the rest of an `Authorization` value. */
export interface AuthorizationParts {
  /** The scheme as sent (`Basic`, `basic`); compare it case-insensitively. */
  readonly scheme: string;
  /** Everything after the scheme and the spaces that follow it; empty when nothing follows. */
  readonly credentials: string;
}

// Fatal: invalid UTF-8 throws instead of turning into U+FFFD. ignoreBOM keeps
// a leading U+FEFF as a character, so no byte of the value is dropped.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const NON_ASCII = /[\u0080-\uffff]/;
const ABOVE_LATIN1 = /[\u0100-\uffff]/;

/**
 * Decodes bytes as UTF-8, or returns undefined when they are not valid UTF-8.
 * Never returns a string containing a replacement character that was not in the input.
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Re-reads a header value that Node's HTTP parser produced as UTF-8.
 *
 * Node turns each header byte into the character with that code (ISO-8859-1),
 * so a UTF-8 `zoë` arrives as `zoÃ«`. This function takes the bytes back and
 * decodes them as UTF-8. Bytes that are not valid UTF-8 keep their ISO-8859-1
 * reading, which HTTP allows for field values (`obs-text`, RFC 9110 §5.5);
 * no replacement character is ever produced. A value with a character above
 * U+00FF did not come from the parser and is returned unchanged.
 */
export function headerValueAsUtf8(value: string): string {
  if (!NON_ASCII.test(value) || ABOVE_LATIN1.test(value)) {
    return value;
  }
  return decodeUtf8Strict(Buffer.from(value, 'latin1')) ?? value;
}

const AUTHORIZATION = 'authorization';

/**
 * Returns the request's `Authorization` header value, or undefined when there
 * is none.
 *
 * Throws `BadCredentialsRequest` (400) when the request carries the field more
 * than once, in `headers` as an array or, since Node keeps only the first
 * `Authorization` line in `headers`, as several lines in `rawHeaders`.
 * `Authorization` is a singleton field (RFC 9110 §5.3, §11.6.2), so such a
 * request is malformed, and taking either value would let a proxy and this
 * server disagree about who is logging in.
 */
export function readAuthorizationHeader(request: HttpRequestLike): string | undefined {
  const value = request.headers.authorization;
  if (value === undefined) {
    return undefined;
  }
  if (Array.isArray(value)) {
    if (value.length > 1) {
      throw repeatedAuthorization();
    }
    return value[0];
  }
  if (request.rawHeaders !== undefined && countAuthorizationLines(request.rawHeaders) > 1) {
    throw repeatedAuthorization();
  }
  return value;
}

// rawHeaders alternates names and values; names keep the client's case.
function countAuthorizationLines(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    if (name.length === AUTHORIZATION.length && name.toLowerCase() === AUTHORIZATION) {
      count++;
    }
  }
  return count;
}

function repeatedAuthorization(): BadCredentialsRequest {
  return new BadCredentialsRequest('The request has more than one Authorization header.');
}

/*
 * RFC 7235 §2.1 (also RFC 9110 §11.4):
 *
 *   credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-scheme = token
 *   token       = 1*tchar
 */
const CREDENTIALS = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?: +([^]*))?$/;

/**
 * Splits an `Authorization` value into its scheme and the credentials after
 * it. All spaces between the two are dropped, as the grammar allows more than
 * one. Throws `MalformedCredentials` when the value does not start with a
 * scheme token followed by a space or the end (`""`, `" Basic x"`, `"Basic\tx"`).
 */
export function splitAuthorization(value: string): AuthorizationParts {
  const match = CREDENTIALS.exec(value);
  if (!match) {
    throw new MalformedCredentials(
      'The Authorization header does not start with an authentication scheme.',
    );
  }
  return { scheme: match[1]!, credentials: match[2] ?? '' };
}
