import { createHash } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { jest } from '@jest/globals';

import {
  IUsernameHashedPassword,
  IUsernamePassword,
  UsernameHashedPassword,
  UsernamePassword,
} from '../credentials.js';
import { UnauthorizedLogin, UnhandledCredentials } from '../errors.js';
import type { Secret } from '../secrets.js';
import { VerificationCache } from '../security/verification-cache.js';
import { FilePasswordDB, type FilePasswordDBOptions } from './file-password-db.js';
import {
  CapturingLogger,
  IAccount,
  makeTempDir,
  portalWith,
  rejectionOf,
  visibleParts,
} from './password-file.test-helpers.js';

describe('FilePasswordDB', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let file: string;
  let logger: CapturingLogger;

  beforeEach(async () => {
    dir = await makeTempDir();
    file = join(dir.path, 'passwd');
    logger = new CapturingLogger();
  });

  afterEach(async () => {
    await dir.remove();
  });

  function checker(options: FilePasswordDBOptions = {}): FilePasswordDB {
    return new FilePasswordDB(file, { logger, ...options });
  }

  async function login(db: FilePasswordDB, username: string, password: Secret): Promise<unknown> {
    return db.requestAvatarId(new UsernamePassword(username, password));
  }

  it('defaults accept the right password', async () => {
    await writeFile(file, 'alice:wonderland\nbob:builder\n');

    expect(await login(checker(), 'alice', 'wonderland')).toBe('alice');
    expect(await login(checker(), 'bob', 'builder')).toBe('bob');
  });

  it('defaults reject a wrong password and an unknown user', async () => {
    await writeFile(file, 'alice:wonderland\n');
    const db = checker();

    expect(await rejectionOf(login(db, 'alice', 'Wonderland'))).toBeInstanceOf(UnauthorizedLogin);
    expect(await rejectionOf(login(db, 'carol', 'wonderland'))).toBeInstanceOf(UnauthorizedLogin);
  });

  it('defaults accept both password credential interfaces', async () => {
    await writeFile(file, 'alice:wonderland\n');
    const db = checker();

    expect(db.credentialInterfaces).toEqual([IUsernamePassword, IUsernameHashedPassword]);
    expect(await db.requestAvatarId(new UsernameHashedPassword('alice', 'wonderland'))).toBe(
      'alice',
    );
  });

  it('extra fields after the password are ignored', async () => {
    await writeFile(file, 'alice:wonderland:1000:Alice Liddell\n');

    expect(await login(checker(), 'alice', 'wonderland')).toBe('alice');
  });

  it('comments and empty lines are skipped', async () => {
    await writeFile(file, '# users\n\n#bob:builder\nalice:wonderland\n   \n');
    const db = checker();

    expect(await login(db, 'alice', 'wonderland')).toBe('alice');
    expect(await rejectionOf(login(db, '#bob', 'builder'))).toBeInstanceOf(UnauthorizedLogin);
    expect(logger.messages('warn')).toEqual([]);
    expect(logger.messages('log')).toEqual([`Loaded 1 entry from password file ${file}.`]);
  });

  it('short line is skipped with a warning naming its line', async () => {
    await writeFile(file, 'alice:wonderland\nhunter2\nbob:builder\n');
    const db = checker();

    expect(await login(db, 'bob', 'builder')).toBe('bob');
    expect(await rejectionOf(login(db, 'hunter2', ''))).toBeInstanceOf(UnauthorizedLogin);

    expect(logger.messages('warn')).toEqual([
      `Password file ${file}, line 2: skipped, because it has 1 field(s) and the username ` +
        'and password fields need 2 (delimiter ":").',
    ]);
    expect(logger.text()).not.toContain('hunter2');
  });

  it('trailing whitespace and CR are removed', async () => {
    await writeFile(file, 'alice:wonderland \r\nbob:builder\t\r\n');
    const db = checker();

    expect(await login(db, 'alice', 'wonderland')).toBe('alice');
    expect(await login(db, 'bob', 'builder')).toBe('bob');
  });

  it('first matching line wins', async () => {
    await writeFile(file, 'alice:first\nalice:second\n');
    const db = checker();

    expect(await login(db, 'alice', 'first')).toBe('alice');
    expect(await rejectionOf(login(db, 'alice', 'second'))).toBeInstanceOf(UnauthorizedLogin);
  });

  it('delimiter, usernameField and passwordField pick the fields', async () => {
    await writeFile(file, 'wonderland|1000|alice\nbuilder|1001|bob\n');
    const db = checker({ delimiter: '|', usernameField: 2, passwordField: 0 });

    expect(await login(db, 'alice', 'wonderland')).toBe('alice');
    expect(await rejectionOf(login(db, 'wonderland', 'alice'))).toBeInstanceOf(UnauthorizedLogin);
  });

  it('multi-character delimiter splits fields', async () => {
    await writeFile(file, 'alice::won:der\n');

    expect(await login(checker({ delimiter: '::' }), 'alice', 'won:der')).toBe('alice');
  });

  it('passwordField beyond a line warns about it', async () => {
    await writeFile(file, 'alice:x:wonderland\nbob:builder\n');
    const db = checker({ passwordField: 2 });

    expect(await login(db, 'alice', 'wonderland')).toBe('alice');
    expect(logger.messages('warn')).toEqual([
      expect.stringContaining(`${file}, line 2: skipped, because it has 2 field(s)`),
    ]);
  });

  it('caseSensitive: true rejects another case', async () => {
    await writeFile(file, 'Alice:wonderland\n');

    expect(await rejectionOf(login(checker(), 'alice', 'wonderland'))).toBeInstanceOf(
      UnauthorizedLogin,
    );
  });

  it('caseSensitive: false matches any case', async () => {
    await writeFile(file, 'Alice:wonderland\n');
    const db = checker({ caseSensitive: false });

    expect(await login(db, 'alice', 'wonderland')).toBe('Alice');
    expect(await login(db, 'ALICE', 'wonderland')).toBe('Alice');
    expect(await rejectionOf(login(db, 'alice', 'WONDERLAND'))).toBeInstanceOf(UnauthorizedLogin);
  });

  describe('hash option', () => {
    // Stored as "salt$hex(sha256(salt + password))".
    function saltedSha256(salt: string, password: Secret): string {
      return `${salt}$${createHash('sha256').update(salt).update(password).digest('hex')}`;
    }
    const saltedHash = (_username: string, candidate: Secret, stored: string): string =>
      saltedSha256(stored.split('$')[0], candidate);

    it('accepts the password that hashes to the stored field', async () => {
      await writeFile(file, `alice:${saltedSha256('s4lt', 'wonderland')}\n`);
      const db = checker({ hash: saltedHash });

      expect(await login(db, 'alice', 'wonderland')).toBe('alice');
      expect(await rejectionOf(login(db, 'alice', 'wonderlanD'))).toBeInstanceOf(UnauthorizedLogin);
    });

    it('stored plain password does not log in', async () => {
      await writeFile(file, `alice:${saltedSha256('s4lt', 'wonderland')}\n`);
      const stored = saltedSha256('s4lt', 'wonderland');

      expect(
        await rejectionOf(login(checker({ hash: saltedHash }), 'alice', stored)),
      ).toBeInstanceOf(UnauthorizedLogin);
    });

    it('may be async and receives username, candidate and stored field', async () => {
      await writeFile(file, 'alice:WONDERLAND\n');
      const hash = jest.fn(async (_username: string, candidate: Secret) =>
        String(candidate).toUpperCase(),
      );

      expect(await login(checker({ hash }), 'alice', 'wonderland')).toBe('alice');
      expect(hash).toHaveBeenCalledWith('alice', 'wonderland', 'WONDERLAND');
    });

    it('limits the checker to IUsernamePassword', async () => {
      await writeFile(file, 'alice:WONDERLAND\n');
      const db = checker({ hash: (_u, candidate) => String(candidate).toUpperCase() });

      expect(db.credentialInterfaces).toEqual([IUsernamePassword]);
      const portal = portalWith(db);
      const error = await rejectionOf(
        portal.login(new UsernameHashedPassword('alice', 'WONDERLAND'), null, IAccount),
      );
      expect(error).toBeInstanceOf(UnhandledCredentials);
    });

    it('that throws rejects and logs one error without secrets', async () => {
      await writeFile(file, 'alice:broken\n');
      const hash = () => {
        throw new RangeError('cannot hash wonderland');
      };
      const db = checker({ hash });

      for (let attempt = 0; attempt < 3; attempt += 1) {
        expect(await rejectionOf(login(db, 'alice', 'wonderland'))).toBeInstanceOf(
          UnauthorizedLogin,
        );
      }

      expect(logger.messages('error')).toEqual([
        `The hash function threw RangeError for the entry of user "alice" on line 1 of ${file}; ` +
          'its logins are rejected. Check the stored value on that line and the hash function.',
      ]);
      expect(logger.text()).not.toContain('wonderland');
    });
  });

  describe('unknown user', () => {
    it('costs a password comparison against a decoy', async () => {
      await writeFile(file, 'alice:wonderland\n');
      const db = checker();
      const credentials = new UsernamePassword('mallory', 'wonderland');
      const checkPassword = jest.spyOn(credentials, 'checkPassword');

      await rejectionOf(db.requestAvatarId(credentials));

      expect(checkPassword).toHaveBeenCalledTimes(1);
      const decoy = checkPassword.mock.calls[0][0];
      expect(typeof decoy).toBe('string');
      expect(decoy).not.toBe('wonderland');
      expect((decoy as string).length).toBeGreaterThan(0);
    });

    it('costs a hash of the first entry format', async () => {
      await writeFile(file, 'alice:WONDERLAND\n');
      const hash = jest.fn((_username: string, candidate: Secret) =>
        String(candidate).toUpperCase(),
      );

      await rejectionOf(login(checker({ hash }), 'mallory', 'wonderland'));

      expect(hash).toHaveBeenCalledWith('mallory', 'wonderland', 'WONDERLAND');
    });

    it('gets the error of a wrong password', async () => {
      await writeFile(file, 'alice:wonderland\n');
      const db = checker();

      const wrongPassword = await rejectionOf(login(db, 'alice', 'nope'));
      const unknownUser = await rejectionOf(login(db, 'mallory', 'nope'));

      expect(unknownUser).toBeInstanceOf(UnauthorizedLogin);
      expect(visibleParts(unknownUser)).toEqual(visibleParts(wrongPassword));
    });
  });

  it('missing file rejects and logs one error', async () => {
    const db = checker();

    const errors = [
      await rejectionOf(login(db, 'alice', 'wonderland')),
      await rejectionOf(login(db, 'alice', 'wonderland')),
    ];

    expect(errors.map(visibleParts)).toEqual([
      visibleParts(new UnauthorizedLogin()),
      visibleParts(new UnauthorizedLogin()),
    ]);
    expect(logger.messages('error')).toEqual([expect.stringContaining(`${file} (ENOENT)`)]);
  });

  it('cache: false (default) sees every edit', async () => {
    await writeFile(file, 'alice:old\n');
    const db = checker();
    expect(await login(db, 'alice', 'old')).toBe('alice');

    await writeFile(file, 'alice:new\n');

    expect(await login(db, 'alice', 'new')).toBe('alice');
  });

  it('cache: true reloads after the file changes', async () => {
    await writeFile(file, 'alice:old\n');
    await utimes(file, 1_000, 1_000);
    const db = checker({ cache: true });
    expect(await login(db, 'alice', 'old')).toBe('alice');

    await writeFile(file, 'alice:brand-new\nbob:builder\n');
    await utimes(file, 2_000, 2_000);

    expect(await rejectionOf(login(db, 'alice', 'old'))).toBeInstanceOf(UnauthorizedLogin);
    expect(await login(db, 'alice', 'brand-new')).toBe('alice');
    expect(await login(db, 'bob', 'builder')).toBe('bob');
    expect(logger.messages('log')).toEqual([
      `Loaded 1 entry from password file ${file}.`,
      `Loaded 2 entries from password file ${file}.`,
    ]);
  });

  it('Portal.login returns the avatar of the file user', async () => {
    await writeFile(file, 'alice:wonderland\n');
    const portal = portalWith(checker());

    const [avatarInterface, avatar] = await portal.login(
      new UsernamePassword('alice', 'wonderland'),
      null,
      IAccount,
    );

    expect(avatarInterface).toBe(IAccount);
    expect(avatar.name).toBe('alice');
    expect(
      await rejectionOf(portal.login(new UsernamePassword('alice', 'x'), null, IAccount)),
    ).toBeInstanceOf(UnauthorizedLogin);
  });

  describe('verificationCache option', () => {
    // A slow-looking hash function: stored as "salt$hex(sha256(salt + password))".
    function saltedSha256(salt: string, password: Secret): string {
      return `${salt}$${createHash('sha256').update(salt).update(password).digest('hex')}`;
    }
    function spyHash() {
      return jest.fn((_username: string, candidate: Secret, stored: string) =>
        saltedSha256(stored.split('$')[0], candidate),
      );
    }

    it('second login skips the hash function', async () => {
      await writeFile(file, `alice:${saltedSha256('s1', 'wonderland')}\n`);
      const hash = spyHash();
      const db = checker({ hash, verificationCache: {} });

      expect(await login(db, 'alice', 'wonderland')).toBe('alice');
      expect(await login(db, 'alice', 'wonderland')).toBe('alice');

      expect(hash).toHaveBeenCalledTimes(1);
    });

    it('never stores a wrong password or an unknown user', async () => {
      await writeFile(file, `alice:${saltedSha256('s1', 'wonderland')}\n`);
      const cache = new VerificationCache();
      const hash = spyHash();
      const db = checker({ hash, verificationCache: cache });

      for (const [username, password] of [
        ['alice', 'wrong'],
        ['alice', 'wrong'],
        ['mallory', 'wonderland'],
        ['mallory', 'wonderland'],
      ]) {
        expect(await rejectionOf(login(db, username, password))).toBeInstanceOf(UnauthorizedLogin);
      }

      expect(cache.size).toBe(0);
      expect(hash).toHaveBeenCalledTimes(4);
    });

    it('password changed in file: old fails at once', async () => {
      await writeFile(
        file,
        `alice:${saltedSha256('s1', 'first')}\nbob:${saltedSha256('s2', 'b')}\n`,
      );
      const cache = new VerificationCache();
      const db = checker({ hash: spyHash(), verificationCache: cache });
      await login(db, 'alice', 'first');
      await login(db, 'bob', 'b');

      await writeFile(
        file,
        `alice:${saltedSha256('s3', 'second')}\nbob:${saltedSha256('s2', 'b')}\n`,
      );

      expect(await rejectionOf(login(db, 'alice', 'first'))).toBeInstanceOf(UnauthorizedLogin);
      expect(cache.size).toBe(1);
      expect(await login(db, 'alice', 'second')).toBe('alice');
      expect(await login(db, 'bob', 'b')).toBe('bob');
    });

    it('user removed from file: rejected at once', async () => {
      await writeFile(file, `alice:${saltedSha256('s1', 'first')}\n`);
      const db = checker({ hash: spyHash(), verificationCache: {} });
      await login(db, 'alice', 'first');

      await writeFile(file, `bob:${saltedSha256('s2', 'b')}\n`);

      expect(await rejectionOf(login(db, 'alice', 'first'))).toBeInstanceOf(UnauthorizedLogin);
    });

    it('caseSensitive: false forgets every spelling', async () => {
      await writeFile(file, `Alice:${saltedSha256('s1', 'first')}\n`);
      const cache = new VerificationCache();
      const db = checker({ hash: spyHash(), verificationCache: cache, caseSensitive: false });
      expect(await login(db, 'alice', 'first')).toBe('Alice');
      expect(await login(db, 'ALICE', 'first')).toBe('Alice');
      expect(cache.size).toBe(2);

      await writeFile(file, `Alice:${saltedSha256('s3', 'second')}\n`);
      await rejectionOf(login(db, 'alice', 'first'));

      expect(cache.size).toBe(0);
    });

    it('respects maxEntries', async () => {
      await writeFile(
        file,
        ['u1', 'u2', 'u3'].map((user) => `${user}:${saltedSha256(user, user)}`).join('\n'),
      );
      const cache = new VerificationCache({ maxEntries: 2 });
      const db = checker({ hash: spyHash(), verificationCache: cache });

      for (const user of ['u1', 'u2', 'u3']) {
        await login(db, user, user);
      }

      expect(cache.size).toBe(2);
    });

    it('needs the hash option', () => {
      expect(() => checker({ verificationCache: {} })).toThrow(
        'FilePasswordDB: verificationCache needs the hash option',
      );
      expect(() => checker({ verificationCache: false })).not.toThrow();
    });
  });

  it.each([
    [{ delimiter: '' }, /delimiter must be a non-empty string/],
    [{ usernameField: -1 }, /usernameField must be a whole number/],
    [{ passwordField: 1.5 }, /passwordField must be a whole number/],
    [{ hash: 'sha1' as unknown as FilePasswordDBOptions['hash'] }, /hash must be a function/],
    [{ maxFileBytes: 0 }, /maxFileBytes must be a positive whole number/],
  ])('constructor rejects %p', (options, message) => {
    expect(() => new FilePasswordDB(file, options)).toThrow(message);
  });

  it('constructor rejects an empty path', () => {
    expect(() => new FilePasswordDB('')).toThrow(/needs the path of the password file/);
  });
});
