import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { requireTool } from '../../../../../test/support/require-tool.js';
import { UsernamePassword } from '../credentials.js';
import { hashPassword } from '../security/hash-password.js';
import { HtpasswdFile } from './htpasswd-file.js';
import { formatHtpasswdLine, replaceHtpasswdHash } from './htpasswd-line.js';
import { CapturingLogger, makeTempDir } from './password-file.test-helpers.js';

const BCRYPT = '$2b$04$abcdefghijklmnopqrstuu5xbq7zJQ6ZsT4sJcbr4y5N3Wr5Jr1Uq';
const NEW_HASH = '$2b$12$newnewnewnewnewnewnewnewnewnewnewnewnewnewnewnewnewnew';

describe('formatHtpasswdLine', () => {
  it('joins username and hash with a colon', () => {
    expect(formatHtpasswdLine('alice', BCRYPT)).toBe(`alice:${BCRYPT}`);
    expect(formatHtpasswdLine('jürgen müller', BCRYPT)).toBe(`jürgen müller:${BCRYPT}`);
  });

  it.each([
    ['an empty username', '', BCRYPT, 'htpasswd username must be a non-empty string.'],
    [
      'a colon in the username',
      'a:b',
      BCRYPT,
      'htpasswd username "a:b" must not contain ":", CR or LF.',
    ],
    [
      'a LF in the username',
      'a\nb',
      BCRYPT,
      'htpasswd username "a\\nb" must not contain ":", CR or LF.',
    ],
    [
      'a CR in the username',
      'a\rb',
      BCRYPT,
      'htpasswd username "a\\rb" must not contain ":", CR or LF.',
    ],
    ['a leading #', '#bob', BCRYPT, /"#bob" must not start with "#" or whitespace/],
    ['a leading space', ' bob', BCRYPT, /" bob" must not start with "#" or whitespace/],
    ['a trailing tab', 'bob\t', BCRYPT, /"bob\\t" must not start with "#" or whitespace/],
    ['an empty hash', 'bob', '', 'htpasswd hash must be a non-empty string.'],
    ['a colon in the hash', 'bob', 'secret:x', 'htpasswd hash must not contain ":" or whitespace.'],
    ['a space in the hash', 'bob', 'secret x', 'htpasswd hash must not contain ":" or whitespace.'],
  ])('rejects %s', (_case, username, hash, message) => {
    expect(() => formatHtpasswdLine(username, hash)).toThrow(TypeError);
    expect(() => formatHtpasswdLine(username, hash)).toThrow(message);
  });

  it('never echoes the hash', () => {
    expect(() => formatHtpasswdLine('bob', 'hunter2 x')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });
});

describe('replaceHtpasswdHash', () => {
  const text = [
    '# users',
    '#alice:{SHA}commented',
    '',
    'bob:{SHA}bob-old',
    '  alice:{SHA}alice-old:ops team  \r',
    'alice:{SHA}ignored-second-line',
    'carol',
    '',
  ].join('\n');

  it('replaces the first entry, keeping its comment and CR', () => {
    expect(replaceHtpasswdHash(text, 'alice', NEW_HASH)).toBe(
      [
        '# users',
        '#alice:{SHA}commented',
        '',
        'bob:{SHA}bob-old',
        `alice:${NEW_HASH}:ops team\r`,
        'alice:{SHA}ignored-second-line',
        'carol',
        '',
      ].join('\n'),
    );
  });

  it('replaces only when the hash is the expected one', () => {
    expect(replaceHtpasswdHash(text, 'bob', NEW_HASH, '{SHA}bob-old')).toContain(
      `bob:${NEW_HASH}\n`,
    );
    expect(replaceHtpasswdHash(text, 'bob', NEW_HASH, '{SHA}bob-newer')).toBeUndefined();
    expect(
      replaceHtpasswdHash(text, 'alice', NEW_HASH, '{SHA}ignored-second-line'),
    ).toBeUndefined();
  });

  it('gives a line without a colon a hash', () => {
    expect(replaceHtpasswdHash(text, 'carol', NEW_HASH)).toContain(`\ncarol:${NEW_HASH}\n`);
  });

  it.each(['dave', 'Alice', 'users'])('returns undefined for missing user %p', (username) => {
    expect(replaceHtpasswdHash(text, username, NEW_HASH)).toBeUndefined();
  });

  it.each(['#alice', 'alice:{SHA}alice-old'])('rejects username %p', (username) => {
    expect(() => replaceHtpasswdHash(text, username, NEW_HASH)).toThrow(TypeError);
  });

  it('writes a line that HtpasswdFile and Apache read', async () => {
    requireTool('htpasswd', 'apache2-utils');
    const dir = await makeTempDir();
    try {
      const file = join(dir.path, '.htpasswd');
      execFileSync('htpasswd', ['-cbs', file, 'alice', 'old-pw']);
      execFileSync('htpasswd', ['-bs', file, 'bob', 'bob-pw']);
      const original = execFileSync('cat', [file], { encoding: 'utf8' });

      const updated = replaceHtpasswdHash(
        original,
        'alice',
        await hashPassword('new-pw', { bcryptCost: 4 }),
      );
      await writeFile(file, updated as string);

      execFileSync('htpasswd', ['-vb', file, 'alice', 'new-pw'], { stdio: 'ignore' });
      execFileSync('htpasswd', ['-vb', file, 'bob', 'bob-pw'], { stdio: 'ignore' });
      const htpasswd = new HtpasswdFile(file, { logger: new CapturingLogger() });
      expect(await htpasswd.requestAvatarId(new UsernamePassword('alice', 'new-pw'))).toBe('alice');
      expect(await htpasswd.requestAvatarId(new UsernamePassword('bob', 'bob-pw'))).toBe('bob');
    } finally {
      await dir.remove();
    }
  });
});
