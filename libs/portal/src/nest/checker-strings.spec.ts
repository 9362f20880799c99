import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { AllowAnonymousAccess } from '../core/checkers/allow-anonymous-access.js';
import { FilePasswordDB } from '../core/checkers/file-password-db.js';
import { HtdigestFile } from '../core/checkers/htdigest-file.js';
import { HtpasswdFile } from '../core/checkers/htpasswd-file.js';
import { InMemoryUsernamePasswordDatabase } from '../core/checkers/in-memory.js';
import { UsernamePassword } from '../core/credentials.js';
import {
  CHECKER_STRING_FORMS,
  InvalidCheckerString,
  parseCheckerString,
} from './checker-strings.js';

describe('parseCheckerString', () => {
  test('anonymous', () => {
    expect(parseCheckerString('anonymous')).toBeInstanceOf(AllowAnonymousAccess);
  });

  test('memory pairs', async () => {
    const checker = parseCheckerString('memory:alice:secret:bob:hunter2');
    expect(checker).toBeInstanceOf(InMemoryUsernamePasswordDatabase);
    await expect(checker.requestAvatarId(new UsernamePassword('bob', 'hunter2'))).resolves.toBe(
      'bob',
    );
  });

  test('memory with empty password', async () => {
    const checker = parseCheckerString('memory:alice:');
    await expect(checker.requestAvatarId(new UsernamePassword('alice', ''))).resolves.toBe('alice');
  });

  describe('with files', () => {
    // Existing files, so that the missing-file warning stays out of the output.
    let directory: string;
    const file = (name: string) => join(directory, name);

    beforeAll(() => {
      directory = mkdtempSync(join(tmpdir(), 'checker-strings-'));
      for (const name of ['users.txt', 'users.htpasswd', 'users.htdigest', 'a:b.txt']) {
        writeFileSync(file(name), '');
      }
    });

    afterAll(() => rmSync(directory, { recursive: true, force: true }));

    test.each([
      ['file', 'users.txt', FilePasswordDB],
      ['htpasswd', 'users.htpasswd', HtpasswdFile],
      ['htdigest', 'users.htdigest', HtdigestFile],
    ])('%s:PATH', (kind, name, checkerClass) => {
      const checker = parseCheckerString(`${kind}:${file(name)}`) as unknown as { path: string };
      expect(checker).toBeInstanceOf(checkerClass);
      expect(checker.path).toBe(file(name));
    });

    test('keeps colons in the path', () => {
      expect((parseCheckerString(`file:${file('a:b.txt')}`) as FilePasswordDB).path).toBe(
        file('a:b.txt'),
      );
    });
  });

  test.each(['ldap:x', 'Memory:a:b', 'memory:a', 'memory:a:b:c', 'file:', 'anonymous:', ''])(
    'rejects %j',
    (spec) => {
      expect(() => parseCheckerString(spec)).toThrow(InvalidCheckerString);
    },
  );

  test('error lists every form and has a code', () => {
    try {
      parseCheckerString('nope');
      throw new Error('expected a failure');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidCheckerString);
      expect((error as InvalidCheckerString).code).toBe('ERR_INVALID_CHECKER_STRING');
      for (const form of CHECKER_STRING_FORMS) {
        expect((error as Error).message).toContain(form);
      }
    }
  });

  test('rejects a non-string', () => {
    expect(() => parseCheckerString(42 as never)).toThrow(/must be a string/);
  });
});
