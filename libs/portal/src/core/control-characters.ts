/** The characters that no username, password or avatar id may contain. */

// \p{Cc} is every Unicode control character: C0 (U+0000-U+001F), DEL (U+007F)
// and C1 (U+0080-U+009F). U+2028 and U+2029 are not controls, but they end a
// line in JavaScript source, in JSON read by some parsers, and in log viewers,
// so a name containing them could forge a log line.
const CONTROL_CHARACTER = /[\p{Cc}\u2028\u2029]/u;

/**
 * Tests whether `text` contains a Unicode control character (general
 * category Cc, C1 included) or U+2028 LINE SEPARATOR or U+2029 PARAGRAPH
 * SEPARATOR.
 */
export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}
