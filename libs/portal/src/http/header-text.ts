/**
 * Text values in HTTP headers: checks of usernames and realms, and decoding
 * of RFC 8187 ext-values. Header values as a whole are re-read as UTF-8 by
 * `headerValueAsUtf8` before any factory receives them.
 */

import { hasControlCharacter } from '../core/control-characters.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Tests whether `text` contains a control character (Unicode category Cc:
 * C0, DEL and C1) or U+2028 or U+2029, which are never part of a username or
 * realm, or U+FFFD, the mark of a lossy decoding.
 */
export function hasControlOrReplacementCharacter(text: string): boolean {
  return hasControlCharacter(text) || text.includes('\ufffd');
}

/*
 * RFC 8187 §3.2.1:
 *
 *   ext-value   = charset "'" [ language ] "'" value-chars
 *   charset     = "UTF-8" / "ISO-8859-1" / mime-charset
 *   value-chars = *( pct-encoded / attr-char )
 *   pct-encoded = "%" HEXDIG HEXDIG
 *   attr-char   = ALPHA / DIGIT / "!" / "#" / "$" / "&" / "+" / "-" / "."
 *               / "^" / "_" / "`" / "|" / "~"
 *
 * Only the UTF-8 and ISO-8859-1 charsets are decoded; the language tag is
 * checked for its characters and then ignored.
 */
const EXT_VALUE =
  /^([A-Za-z0-9!#$%&+\-^_`{}~]+)'([A-Za-z0-9-]*)'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+\-.^_`|~])*)$/;

/**
 * Decodes an RFC 8187 ext-value such as `UTF-8''J%C3%A4s%C3%B8n%20Doe`.
 * Returns undefined when the syntax is broken, the charset is neither UTF-8
 * nor ISO-8859-1, the bytes are not valid in that charset, or the text contains
 * U+FFFD or a control character.
 */
export function decodeExtValue(value: string): string | undefined {
  const match = EXT_VALUE.exec(value);
  if (!match) {
    return undefined;
  }
  const charset = match[1]!.toUpperCase();
  const bytes = Buffer.from(
    match[3]!.replace(/%([0-9A-Fa-f]{2})|./gs, (text, hex: string | undefined) =>
      hex === undefined ? text : String.fromCharCode(Number.parseInt(hex, 16)),
    ),
    'latin1',
  );

  let decoded: string;
  if (charset === 'UTF-8') {
    try {
      decoded = utf8.decode(bytes);
    } catch {
      return undefined;
    }
  } else if (charset === 'ISO-8859-1') {
    decoded = bytes.toString('latin1');
  } else {
    return undefined;
  }
  return hasControlOrReplacementCharacter(decoded) ? undefined : decoded;
}
