import { execFileSync } from 'node:child_process';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { jest } from '@jest/globals';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

import { requireTool } from '../../../../../test/support/require-tool.js';
import { UsernamePassword } from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { Secret } from '../secrets.js';
import { hashPassword } from '../security/hash-password.js';
import { VerificationCache } from '../security/verification-cache.js';
import {
  HtpasswdFile,
  type HtpasswdFileOptions,
  type WeakHashEvent,
  type WeakHashHook,
} from './htpasswd-file.js';
import { replaceHtpasswdHash } from './htpasswd-line.js';
import {
  CapturingLogger,
  type HtpasswdFlag,
  htpasswdLine,
  IAccount,
  makeTempDir,
  portalWith,
  rejectionOf,
  runHtpasswd,
  visibleParts,
} from './password-file.test-helpers.js';

// Small argon2id parameters keep the tests fast; the format is what matters.
const FAST_ARGON2 = {
  algorithm: 'argon2id',
  argon2MemoryCost: 1024,
  argon2TimeCost: 1,
  argon2Parallelism: 1,
} as const;

const UNAUTHORIZED = {
  class: 'UnauthorizedLogin',
  code: 'ERR_UNAUTHORIZED_LOGIN',
  message: 'Invalid username or password.',
};

// Lets the hooks that WeakHashNotifier schedules with setImmediate run.
async function afterHooks(): Promise<void> {
  for (let turn = 0; turn < 3; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('HtpasswdFile security options', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let file: string;
  let logger: CapturingLogger;

  beforeAll(() => {
    requireTool('htpasswd', 'apache2-utils');
  });

  beforeEach(async () => {
    dir = await makeTempDir();
    file = join(dir.path, '.htpasswd');
    logger = new CapturingLogger();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dir.remove();
  });

  function checker(options: HtpasswdFileOptions = {}): HtpasswdFile {
    return new HtpasswdFile(file, { logger, ...options });
  }

  async function login(htpasswd: HtpasswdFile, username: string, password: Secret) {
    return htpasswd.requestAvatarId(new UsernamePassword(username, password));
  }

  async function failure(htpasswd: HtpasswdFile, username: string, password: Secret) {
    return visibleParts(await rejectionOf(login(htpasswd, username, password)));
  }

  async function appendLine(line: string): Promise<void> {
    await writeFile(file, `${await readFile(file, 'utf8')}${line}\n`);
  }

  function htpasswdVerifies(username: string, password: string): boolean {
    try {
      execFileSync('htpasswd', ['-vb', file, username, password], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  describe('verification cache', () => {
    it('second login skips bcrypt', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const compare = jest.spyOn(bcrypt, 'compare');
      const htpasswd = checker({ verificationCache: {} });

      expect(await login(htpasswd, 'alice', 'first')).toBe('alice');
      expect(await login(htpasswd, 'alice', 'first')).toBe('alice');
      expect(await login(htpasswd, 'alice', Buffer.from('first'))).toBe('alice');

      expect(compare).toHaveBeenCalledTimes(1);
    });

    it('is off by default', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const compare = jest.spyOn(bcrypt, 'compare');
      const htpasswd = checker();

      await login(htpasswd, 'alice', 'first');
      await login(htpasswd, 'alice', 'first');

      expect(compare).toHaveBeenCalledTimes(2);
    });

    it('never stores a wrong password', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const cache = new VerificationCache();
      const compare = jest.spyOn(bcrypt, 'compare');
      const htpasswd = checker({ verificationCache: cache });

      expect(await failure(htpasswd, 'alice', 'wrong')).toEqual(UNAUTHORIZED);
      expect(await failure(htpasswd, 'alice', 'wrong')).toEqual(UNAUTHORIZED);
      expect(cache.size).toBe(0);
      expect(compare).toHaveBeenCalledTimes(2);

      await login(htpasswd, 'alice', 'first');
      expect(await failure(htpasswd, 'alice', 'wrong')).toEqual(UNAUTHORIZED);
      expect(cache.size).toBe(1);
      expect(compare).toHaveBeenCalledTimes(4);
    });

    it('password changed in file: old fails at once', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const cache = new VerificationCache();
      const htpasswd = checker({ verificationCache: cache });
      expect(await login(htpasswd, 'alice', 'first')).toBe('alice');
      expect(cache.size).toBe(1);

      runHtpasswd(file, 'B', 'alice', 'second');

      expect(await failure(htpasswd, 'alice', 'first')).toEqual(UNAUTHORIZED);
      expect(cache.size).toBe(0);
      expect(await login(htpasswd, 'alice', 'second')).toBe('alice');
      expect(cache.size).toBe(1);
    });

    it('user removed from file: rejected at once', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      runHtpasswd(file, 'B', 'bob', 'builder');
      const cache = new VerificationCache();
      const htpasswd = checker({ verificationCache: cache });
      await login(htpasswd, 'alice', 'first');

      execFileSync('htpasswd', ['-D', file, 'alice'], { stdio: 'ignore' });

      expect(await failure(htpasswd, 'alice', 'first')).toEqual(UNAUTHORIZED);
      expect(cache.size).toBe(0);
    });

    it('file replaced by rename: old password fails', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const htpasswd = checker({ verificationCache: {} });
      await login(htpasswd, 'alice', 'first');

      const replacement = join(dir.path, 'new.htpasswd');
      runHtpasswd(replacement, 'B', 'alice', 'second', true);
      await rename(replacement, file);

      expect(await failure(htpasswd, 'alice', 'first')).toEqual(UNAUTHORIZED);
      expect(await login(htpasswd, 'alice', 'second')).toBe('alice');
    });

    it('edit of one user keeps the others cached', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      runHtpasswd(file, 'B', 'bob', 'builder');
      const htpasswd = checker({ verificationCache: {} });
      await login(htpasswd, 'alice', 'first');
      await login(htpasswd, 'bob', 'builder');

      runHtpasswd(file, 'B', 'bob', 'rebuilt');
      const compare = jest.spyOn(bcrypt, 'compare');

      expect(await login(htpasswd, 'alice', 'first')).toBe('alice');
      expect(compare).not.toHaveBeenCalled();
      expect(await failure(htpasswd, 'bob', 'builder')).toEqual(UNAUTHORIZED);
      expect(compare).toHaveBeenCalledTimes(1);
    });

    it('respects maxEntries', async () => {
      runHtpasswd(file, 'B', 'u1', 'p1', true);
      runHtpasswd(file, 'B', 'u2', 'p2');
      runHtpasswd(file, 'B', 'u3', 'p3');
      const cache = new VerificationCache({ maxEntries: 2 });
      const htpasswd = checker({ verificationCache: cache });

      for (const n of [1, 2, 3]) {
        await login(htpasswd, `u${n}`, `p${n}`);
      }
      expect(cache.size).toBe(2);

      const compare = jest.spyOn(bcrypt, 'compare');
      await login(htpasswd, 'u3', 'p3');
      expect(compare).not.toHaveBeenCalled();
      await login(htpasswd, 'u1', 'p1');
      expect(compare).toHaveBeenCalledTimes(1);
      expect(cache.size).toBe(2);
    });

    it('verifies again after the TTL', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const clock = { now: 0 };
      const cache = new VerificationCache({ ttlMs: 1000, now: () => clock.now });
      const htpasswd = checker({ verificationCache: cache });
      await login(htpasswd, 'alice', 'first');
      const compare = jest.spyOn(bcrypt, 'compare');

      clock.now = 999;
      await login(htpasswd, 'alice', 'first');
      expect(compare).not.toHaveBeenCalled();
      clock.now = 1000;
      await login(htpasswd, 'alice', 'first');
      expect(compare).toHaveBeenCalledTimes(1);
    });

    it('stores no fast scheme', async () => {
      for (const flag of ['s', 'm', 'd'] as HtpasswdFlag[]) {
        runHtpasswd(file, flag, `user-${flag}`, 'pw', flag === 's');
      }
      const cache = new VerificationCache();
      const htpasswd = checker({ verificationCache: cache });

      for (const flag of ['s', 'm', 'd']) {
        expect(await login(htpasswd, `user-${flag}`, 'pw')).toBe(`user-${flag}`);
      }
      expect(cache.size).toBe(0);
    });

    it('second argon2id login skips argon2', async () => {
      await writeFile(file, `alice:${await hashPassword('first', FAST_ARGON2)}\n`);
      const verify = jest.spyOn(argon2, 'verify');
      const htpasswd = checker({ verificationCache: {} });

      await login(htpasswd, 'alice', 'first');
      await login(htpasswd, 'alice', 'first');

      expect(verify).toHaveBeenCalledTimes(1);
    });

    it('shared cache keeps checkers apart', async () => {
      const other = join(dir.path, 'other.htpasswd');
      runHtpasswd(file, 'B', 'alice', 'first', true);
      runHtpasswd(other, 'B', 'alice', 'elsewhere', true);
      const cache = new VerificationCache();
      const first = checker({ verificationCache: cache });
      const second = new HtpasswdFile(other, { logger, verificationCache: cache });

      await login(first, 'alice', 'first');

      expect(await failure(second, 'alice', 'first')).toEqual(UNAUTHORIZED);
      expect(await login(second, 'alice', 'elsewhere')).toBe('alice');
      expect(cache.size).toBe(2);
    });

    it.each([
      ['a string', 'yes', TypeError, /verificationCache must be a VerificationCache/],
      ['a zero TTL', { ttlMs: 0 }, RangeError, /ttlMs must be a positive number/],
    ])('constructor rejects %s', (_case, verificationCache, errorClass, message) => {
      const options = { verificationCache } as unknown as HtpasswdFileOptions;
      expect(() => checker(options)).toThrow(errorClass);
      expect(() => checker(options)).toThrow(message);
    });
  });

  describe('argon2id entries', () => {
    it('right, wrong and unknown user', async () => {
      await writeFile(file, `alice:${await hashPassword('wonderland', FAST_ARGON2)}\n`);
      const htpasswd = checker();

      expect(await login(htpasswd, 'alice', 'wonderland')).toBe('alice');
      expect(await failure(htpasswd, 'alice', 'wonderlanD')).toEqual(UNAUTHORIZED);
      expect(await failure(htpasswd, 'mallory', 'wonderland')).toEqual(UNAUTHORIZED);
      expect(logger.messages('warn')).toEqual([]);
    });

    it("hashPassword's default parameters", async () => {
      await writeFile(
        file,
        `alice:${await hashPassword('wonderland', { algorithm: 'argon2id' })}\n`,
      );

      expect(await login(checker(), 'alice', 'wonderland')).toBe('alice');
    });

    it('unknown user costs an argon2id decoy of the same parameters', async () => {
      const stored = await hashPassword('wonderland', FAST_ARGON2);
      await writeFile(file, `alice:${stored}\n`);
      const verify = jest.spyOn(argon2, 'verify');

      expect(await failure(checker(), 'mallory', 'wonderland')).toEqual(UNAUTHORIZED);

      expect(verify).toHaveBeenCalledTimes(1);
      const [decoy, password] = verify.mock.calls[0] as unknown as [string, Buffer];
      expect(decoy).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
      expect(decoy).not.toBe(stored);
      expect(password).toEqual(Buffer.from('wonderland'));
    });

    it('password over 72 bytes logs in', async () => {
      const password = 'x'.repeat(100);
      await writeFile(file, `alice:${await hashPassword(password, FAST_ARGON2)}\n`);
      const htpasswd = checker();

      expect(await login(htpasswd, 'alice', password)).toBe('alice');
      expect(await failure(htpasswd, 'alice', 'x'.repeat(72))).toEqual(UNAUTHORIZED);
    });

    it('mixed with htpasswd -B entries', async () => {
      runHtpasswd(file, 'B', 'bob', 'builder', true);
      await appendLine(`alice:${await hashPassword('wonderland', FAST_ARGON2)}`);
      const htpasswd = checker();

      expect(await login(htpasswd, 'alice', 'wonderland')).toBe('alice');
      expect(await login(htpasswd, 'bob', 'builder')).toBe('bob');
      expect(await failure(htpasswd, 'alice', 'builder')).toEqual(UNAUTHORIZED);
    });

    it('Apache htpasswd cannot verify it', async () => {
      await writeFile(file, `alice:${await hashPassword('wonderland', FAST_ARGON2)}\n`);

      expect(htpasswdVerifies('alice', 'wonderland')).toBe(false);
    });

    it.each([
      [
        'argon2i',
        '$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNo',
        'the hash scheme argon2i is not supported',
      ],
      [
        'version 16',
        '$argon2id$v=16$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g',
        'the argon2id hash is malformed',
      ],
      [
        'a repeated parameter',
        '$argon2id$v=19$m=1024,m=1024,p=1$c29tZXNhbHQ$aGFzaGhhc2g',
        'the argon2id hash is malformed',
      ],
      [
        'too little memory',
        '$argon2id$v=19$m=7,t=1,p=1$c29tZXNhbHQ$aGFzaGhhc2g',
        'the argon2id parameters m, t or p are outside the range argon2 accepts',
      ],
      [
        'a short salt',
        '$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaGhhc2g',
        'the argon2id hash is malformed',
      ],
    ])('%s never logs in', async (_case, field, reason) => {
      await writeFile(file, `alice:${field}\n`);
      const htpasswd = checker({ allowPlaintext: true });

      expect(await failure(htpasswd, 'alice', 'x')).toEqual(UNAUTHORIZED);
      expect(await failure(htpasswd, 'alice', field)).toEqual(UNAUTHORIZED);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 1: user "alice" can never log in: ${reason}.`,
      ]);
    });

    it('failing argon2 rejects and logs once', async () => {
      await writeFile(file, `alice:${await hashPassword('wonderland', FAST_ARGON2)}\n`);
      jest.spyOn(argon2, 'verify').mockRejectedValue(new RangeError('wonderland'));
      const htpasswd = checker();

      expect(await failure(htpasswd, 'alice', 'wonderland')).toEqual(UNAUTHORIZED);
      expect(await failure(htpasswd, 'alice', 'wonderland')).toEqual(UNAUTHORIZED);

      expect(logger.messages('error')).toEqual([
        `Verifying the argon2id hash of line 1 of ${file} failed with RangeError, so the ` +
          'login was rejected. Check that the stored parameters fit this machine, and rehash ' +
          'the entry if not.',
      ]);
      expect(logger.text()).not.toContain('wonderland');
    });
  });

  describe('onWeakHash', () => {
    function recordingHook() {
      const events: WeakHashEvent[] = [];
      const hook = jest.fn<WeakHashHook>((event) => {
        events.push(event);
      });
      return { events, hook };
    }

    it('{SHA} user: once, after the login', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const storedHash = (await readFile(file, 'utf8')).trim().slice('carol:'.length);
      const { events, hook } = recordingHook();
      const htpasswd = checker({ onWeakHash: hook });

      expect(await login(htpasswd, 'carol', 'sha-pw')).toBe('carol');
      expect(hook).not.toHaveBeenCalled();
      await afterHooks();
      await login(htpasswd, 'carol', 'sha-pw');
      await afterHooks();

      expect(events).toEqual([
        {
          username: 'carol',
          password: 'sha-pw',
          scheme: 'sha1',
          reason: '{SHA} is one unsalted SHA-1, which is fast to brute-force',
          storedHash,
        },
      ]);
    });

    it('concurrent logins: once', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const { hook } = recordingHook();
      const htpasswd = checker({ onWeakHash: hook });

      await Promise.all([1, 2, 3].map(() => login(htpasswd, 'carol', 'sha-pw')));
      await afterHooks();

      expect(hook).toHaveBeenCalledTimes(1);
    });

    it('bcrypt cost 5 below minBcryptCost 10', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const { events, hook } = recordingHook();

      await login(checker({ onWeakHash: hook, minBcryptCost: 10 }), 'alice', 'first');
      await afterHooks();

      expect(events).toHaveLength(1);
      expect(events[0].scheme).toBe('bcrypt');
      expect(events[0].reason).toBe('bcrypt cost 5 is below minBcryptCost 10');
    });

    it('minBcryptCost defaults to 10', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const { hook } = recordingHook();

      await login(checker({ onWeakHash: hook }), 'alice', 'first');
      await afterHooks();

      expect(hook).toHaveBeenCalledTimes(1);
    });

    it('bcrypt cost 10 is not weak', async () => {
      await writeFile(file, `alice:${await hashPassword('first', { bcryptCost: 10 })}\n`);
      const { hook } = recordingHook();

      await login(checker({ onWeakHash: hook, minBcryptCost: 10 }), 'alice', 'first');
      await afterHooks();

      expect(hook).not.toHaveBeenCalled();
    });

    it('bcrypt cost 5 with minBcryptCost 5 is not weak', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const { hook } = recordingHook();

      await login(checker({ onWeakHash: hook, minBcryptCost: 5 }), 'alice', 'first');
      await afterHooks();

      expect(hook).not.toHaveBeenCalled();
    });

    it('argon2id is not weak', async () => {
      await writeFile(file, `alice:${await hashPassword('first', FAST_ARGON2)}\n`);
      const { hook } = recordingHook();

      await login(checker({ onWeakHash: hook }), 'alice', 'first');
      await afterHooks();

      expect(hook).not.toHaveBeenCalled();
    });

    it.each([
      ['apr1 (-m)', 'm', {}, 'apr1', '$apr1$ (Apache MD5) is fast to brute-force'],
      [
        'crypt (-d)',
        'd',
        {},
        'des-crypt',
        'DES crypt uses only the first 8 bytes of a password and is fast to brute-force',
      ],
      [
        'plaintext (-p)',
        'p',
        { allowPlaintext: true },
        'plaintext',
        'the password is stored in plaintext',
      ],
    ] as const)('%s is weak', async (_name, flag, options, scheme, reason) => {
      runHtpasswd(file, flag, 'alice', 'first', true);
      const { events, hook } = recordingHook();

      await login(checker({ ...options, onWeakHash: hook }), 'alice', 'first');
      await afterHooks();

      expect(events.map((event) => [event.scheme, event.reason])).toEqual([[scheme, reason]]);
    });

    it('$1$ MD5-crypt is weak', async () => {
      requireTool('openssl', 'openssl');
      const hash = execFileSync('openssl', ['passwd', '-1', 'first'], { encoding: 'utf8' }).trim();
      await writeFile(file, `alice:${hash}\n`);
      const { events, hook } = recordingHook();

      await login(checker({ onWeakHash: hook }), 'alice', 'first');
      await afterHooks();

      expect(events.map((event) => event.scheme)).toEqual(['md5-crypt']);
    });

    it('not on a failed login', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const { hook } = recordingHook();
      const htpasswd = checker({ onWeakHash: hook });

      await rejectionOf(login(htpasswd, 'carol', 'wrong'));
      await rejectionOf(login(htpasswd, 'mallory', 'sha-pw'));
      await afterHooks();

      expect(hook).not.toHaveBeenCalled();
    });

    it('again after the entry changes', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const { events, hook } = recordingHook();
      const htpasswd = checker({ onWeakHash: hook });
      await login(htpasswd, 'carol', 'sha-pw');
      await afterHooks();

      runHtpasswd(file, 'm', 'carol', 'md5-pw');
      await login(htpasswd, 'carol', 'md5-pw');
      await login(htpasswd, 'carol', 'md5-pw');
      await afterHooks();

      expect(events.map((event) => event.scheme)).toEqual(['sha1', 'apr1']);
    });

    it.each([
      [
        'throwing',
        (event: WeakHashEvent) => {
          throw new TypeError(`cannot rehash ${String(event.password)}`);
        },
        'TypeError',
      ],
      [
        'rejecting',
        async (event: WeakHashEvent) => {
          throw new RangeError(`cannot rehash ${String(event.password)}`);
        },
        'RangeError',
      ],
    ])('%s hook: login succeeds, logged', async (_case, onWeakHash, errorName) => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const htpasswd = checker({ onWeakHash });

      expect(await login(htpasswd, 'carol', 'sha-pw')).toBe('carol');
      await afterHooks();

      expect(logger.messages('error')).toEqual([
        `The onWeakHash hook failed with ${errorName} for user "carol"; the login succeeded, ` +
          'and the hook is called again for this user only after its stored hash changes or ' +
          'the process restarts.',
      ]);
      expect(logger.text()).not.toContain('sha-pw');
    });

    it('hook that never settles: login resolves', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const onWeakHash = jest.fn<WeakHashHook>(() => new Promise<void>(() => undefined));
      const htpasswd = checker({ onWeakHash });

      expect(await login(htpasswd, 'carol', 'sha-pw')).toBe('carol');
      await afterHooks();
      expect(onWeakHash).toHaveBeenCalledTimes(1);
      expect(await login(htpasswd, 'carol', 'sha-pw')).toBe('carol');
    });

    it('example hook rehashes and rewrites the line', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      runHtpasswd(file, 'B', 'bob', 'builder');
      await appendLine('# carol:{SHA}commented-out');
      let writes = Promise.resolve();
      const onWeakHash: WeakHashHook = ({ username, password, storedHash }) => {
        const rewrite = writes.then(async () => {
          const hash = await hashPassword(password, { bcryptCost: 10 });
          const text = await readFile(file, 'utf8');
          const updated = replaceHtpasswdHash(text, username, hash, storedHash);
          if (updated === undefined) {
            return;
          }
          const temporary = `${file}.${process.pid}.tmp`;
          await writeFile(temporary, updated, { mode: (await stat(file)).mode });
          await rename(temporary, file);
        });
        writes = rewrite.catch(() => undefined);
        return rewrite;
      };
      const htpasswd = checker({ onWeakHash });

      await login(htpasswd, 'carol', 'sha-pw');
      await afterHooks();
      await writes;

      const lines = (await readFile(file, 'utf8')).split('\n');
      expect(lines[0]).toMatch(/^carol:\$2b\$10\$/);
      expect(lines[1]).toMatch(/^bob:\$2y\$05\$/);
      expect(lines[2]).toBe('# carol:{SHA}commented-out');
      expect(htpasswdVerifies('carol', 'sha-pw')).toBe(true);
      expect(await login(htpasswd, 'carol', 'sha-pw')).toBe('carol');
      expect(await failure(htpasswd, 'carol', 'wrong')).toEqual(UNAUTHORIZED);
      expect(logger.messages('error')).toEqual([]);
    });

    it('example hook leaves an entry changed since', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const newer = htpasswdLine('B', 'carol', 'admin-set');
      let hookDone: Promise<string | undefined> | undefined;
      const htpasswd = checker({
        onWeakHash: ({ username, storedHash }) => {
          hookDone = (async () => {
            // The administrator rewrites the line between the login and the hook.
            await writeFile(file, `${newer}\n`);
            const text = await readFile(file, 'utf8');
            return replaceHtpasswdHash(text, username, '$2b$10$x', storedHash);
          })();
        },
      });

      await login(htpasswd, 'carol', 'sha-pw');
      await afterHooks();

      expect(hookDone).toBeDefined();
      expect(await hookDone).toBeUndefined();
      expect(await readFile(file, 'utf8')).toBe(`${newer}\n`);
    });

    it.each([
      ['onWeakHash', { onWeakHash: 'log' }, /onWeakHash must be a function/],
      ['minBcryptCost 3', { minBcryptCost: 3 }, /minBcryptCost must be a whole number from 4/],
      ['minBcryptCost 10.5', { minBcryptCost: 10.5 }, /minBcryptCost must be a whole number/],
    ])('constructor rejects %s', (_case, options, message) => {
      expect(() => checker(options as unknown as HtpasswdFileOptions)).toThrow(message);
    });
  });

  describe('equal work and errors', () => {
    it('unknown user in a bcrypt file costs one compare', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const compare = jest.spyOn(bcrypt, 'compare');
      const htpasswd = checker({ verificationCache: {} });

      expect(await failure(htpasswd, 'mallory', 'first')).toEqual(UNAUTHORIZED);

      expect(compare).toHaveBeenCalledTimes(1);
      const [, decoy] = compare.mock.calls[0] as unknown as [Buffer, string];
      expect(decoy).toMatch(/^\$2b\$05\$/);
    });

    it('every failure reads the same', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      runHtpasswd(file, 'B', 'bob', 'builder');
      await appendLine('dan:{SSHA}abcdef');
      const htpasswd = checker({ verificationCache: {}, onWeakHash: () => undefined });
      await login(htpasswd, 'bob', 'builder');
      execFileSync('htpasswd', ['-D', file, 'bob'], { stdio: 'ignore' });

      const failures = [
        await failure(htpasswd, 'alice', 'wrong'),
        await failure(htpasswd, 'mallory', 'first'),
        await failure(htpasswd, 'dan', 'abcdef'),
        await failure(htpasswd, 'bob', 'builder'),
        await failure(htpasswd, 'alice', 'x'.repeat(100)),
      ];

      for (const parts of failures) {
        expect(parts).toEqual(UNAUTHORIZED);
      }
    });

    it('Portal.login with the cache and the hook', async () => {
      runHtpasswd(file, 's', 'carol', 'sha-pw', true);
      const hook = jest.fn<WeakHashHook>();
      const portal = portalWith(checker({ verificationCache: {}, onWeakHash: hook }));

      const [, avatar] = await portal.login(
        new UsernamePassword('carol', 'sha-pw'),
        null,
        IAccount,
      );
      await afterHooks();

      expect(avatar.name).toBe('carol');
      expect(hook).toHaveBeenCalledTimes(1);
      expect(
        await rejectionOf(portal.login(new UsernamePassword('carol', 'no'), null, IAccount)),
      ).toBeInstanceOf(UnauthorizedLogin);
    });
  });
});
