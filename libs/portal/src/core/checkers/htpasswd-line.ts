/**
 * Writing htpasswd entries, for applications that store new hashes (from
 * `hashPassword`) in the file that `HtpasswdFile` reads.
 */
import { trimAsciiWhitespace } from './password-file.js';

const ASCII_WHITESPACE = /[\t\n\v\f\r ]/;

/**
 * Formats one htpasswd line, `username:hash`, without a line feed.
 *
 * Throws `TypeError` when `HtpasswdFile` (and Apache) would read the line
 * back differently. That is the case for a username that is empty, contains
 * `:`, CR or LF, starts with `#` or whitespace, or ends with whitespace, and
 * for a hash that is empty or contains `:` or whitespace. The message never
 * contains the hash.
 */
export function formatHtpasswdLine(username: string, hash: string): string {
  validateUsername(username);
  validateHash(hash);
  return `${username}:${hash}`;
}

/**
 * Returns `text`, the content of an htpasswd file, with the hash of
 * `username`'s entry replaced by `hash`, or undefined when the file has no
 * entry for `username` or, when `expectedHash` is given, the entry's hash is
 * not `expectedHash`. That check lets an upgrade skip an entry that an
 * administrator changed or removed since the login.
 *
 * The entry is found as `HtpasswdFile` finds it: the first line whose
 * username matches exactly, after trimming and skipping blank and `#` lines.
 * Only that line changes. It loses its leading and trailing whitespace but
 * keeps a trailing comment field (`:comment`) and a CR before its line feed.
 * Throws `TypeError` for the values that `formatHtpasswdLine` rejects.
 */
export function replaceHtpasswdHash(
  text: string,
  username: string,
  hash: string,
  expectedHash?: string,
): string | undefined {
  validateUsername(username);
  validateHash(hash);

  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const content = trimAsciiWhitespace(lines[index]);
    if (content === '' || content.startsWith('#')) {
      continue;
    }
    const colon = content.indexOf(':');
    const lineUser = colon === -1 ? content : content.slice(0, colon);
    if (lineUser !== username) {
      continue;
    }

    const rest = colon === -1 ? '' : content.slice(colon + 1);
    const end = rest.indexOf(':');
    const field = end === -1 ? rest : rest.slice(0, end);
    if (expectedHash !== undefined && field !== expectedHash) {
      return undefined;
    }
    const comment = end === -1 ? '' : rest.slice(end);
    const lineEnd = lines[index].endsWith('\r') ? '\r' : '';
    lines[index] = `${username}:${hash}${comment}${lineEnd}`;
    return lines.join('\n');
  }
  return undefined;
}

function validateUsername(username: string): void {
  if (typeof username !== 'string' || username === '') {
    throw new TypeError('htpasswd username must be a non-empty string.');
  }
  if (/[:\r\n]/.test(username)) {
    throw new TypeError(
      `htpasswd username ${JSON.stringify(username)} must not contain ":", CR or LF.`,
    );
  }
  if (
    username.startsWith('#') ||
    ASCII_WHITESPACE.test(username[0]) ||
    ASCII_WHITESPACE.test(username[username.length - 1])
  ) {
    throw new TypeError(
      `htpasswd username ${JSON.stringify(username)} must not start with "#" or whitespace ` +
        'or end with whitespace, because the line would be read as another user or a comment.',
    );
  }
}

function validateHash(hash: string): void {
  if (typeof hash !== 'string' || hash === '') {
    throw new TypeError('htpasswd hash must be a non-empty string.');
  }
  if (hash.includes(':') || ASCII_WHITESPACE.test(hash)) {
    throw new TypeError('htpasswd hash must not contain ":" or whitespace.');
  }
}
