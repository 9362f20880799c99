import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { jest } from '@jest/globals';

import {
  IUsernameDigestHash,
  IUsernamePassword,
  UsernamePassword,
  type IUsernameDigestHash as DigestHashCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import { Implements } from '../interface-token.js';
import { type Secret, secretBytes, secretsEqual } from '../secrets.js';
import {
  type HtdigestAlgorithm,
  HtdigestFile,
  type HtdigestFileOptions,
  htdigestLine,
} from './htdigest-file.js';
import {
  CapturingLogger,
  IAccount,
  makeTempDir,
  portalWith,
  rejectionOf,
  runHtdigest,
  visibleParts,
} from './password-file.test-helpers.js';

function hashHex(algorithm: HtdigestAlgorithm, ...parts: Secret[]): string {
  const hash = createHash(algorithm === 'MD5' ? 'md5' : 'sha256');
  for (const part of parts) {
    hash.update(secretBytes(part));
  }
  return hash.digest('hex');
}

function md5(...parts: Secret[]): string {
  return hashHex('MD5', ...parts);
}

function sha256(...parts: Secret[]): string {
  return hashHex('SHA-256', ...parts);
}

const NONCE = 'dcd98b7102dd2f0e8b11d0f600bfb0c093';
const METHOD = 'GET';
const URI = '/dir/index.html';

/**
 * HTTP Digest credentials without qop (RFC 2617, section 3.2.2.1):
 * response = H(HA1 ":" nonce ":" H(method ":" uri)), with MD5 unless
 * `hashAlgorithm` says SHA-256. `realm` is left out of the object when
 * undefined, as a factory without one would, and so is `hashAlgorithm`, as in
 * credentials made before Digest SHA-256.
 */
@Implements(IUsernameDigestHash)
class TestDigestCredentials implements DigestHashCredentials {
  constructor(
    readonly username: string,
    private readonly response: string,
    private readonly algorithm: HtdigestAlgorithm = 'MD5',
  ) {}

  static answering(username: string, realm: string, password: string, carryRealm = true) {
    const ha1 = md5(`${username}:${realm}:${password}`);
    const response = md5(`${ha1}:${NONCE}:${md5(`${METHOD}:${URI}`)}`);
    const credentials = new TestDigestCredentials(username, response);
    return carryRealm ? Object.assign(credentials, { realm }) : credentials;
  }

  /** Credentials that carry their realm and `hashAlgorithm`, as `DigestedCredentials` do. */
  static withAlgorithm(
    algorithm: HtdigestAlgorithm,
    username: string,
    realm: string,
    password: string,
  ) {
    const ha1 = hashHex(algorithm, `${username}:${realm}:${password}`);
    const response = hashHex(
      algorithm,
      `${ha1}:${NONCE}:${hashHex(algorithm, `${METHOD}:${URI}`)}`,
    );
    const credentials = new TestDigestCredentials(username, response, algorithm);
    return Object.assign(credentials, { realm, hashAlgorithm: algorithm as string });
  }

  checkHash(ha1: string): boolean {
    const { algorithm } = this;
    const expected = hashHex(
      algorithm,
      `${ha1}:${NONCE}:${hashHex(algorithm, `${METHOD}:${URI}`)}`,
    );
    return secretsEqual(expected, this.response);
  }

  checkPassword(): boolean {
    throw new Error('HtdigestFile must verify digest credentials with checkHash.');
  }
}

describe('HtdigestFile', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let file: string;
  let logger: CapturingLogger;

  beforeEach(async () => {
    dir = await makeTempDir();
    file = join(dir.path, '.htdigest');
    logger = new CapturingLogger();
  });

  afterEach(async () => {
    await dir.remove();
  });

  function checker(options: HtdigestFileOptions = {}): HtdigestFile {
    return new HtdigestFile(file, { logger, ...options });
  }

  async function loginWithPassword(htdigest: HtdigestFile, username: string, password: Secret) {
    return htdigest.requestAvatarId(new UsernamePassword(username, password));
  }

  // alice and bob in "Secret Area", alice again in "Other", all written by htdigest.
  async function writeUsers(): Promise<void> {
    await runHtdigest(file, 'Secret Area', 'alice', 'my:pass', true);
    await runHtdigest(file, 'Secret Area', 'bob', 'bobpw');
    await runHtdigest(file, 'Other', 'alice', 'otherpw');
  }

  describe('file written by htdigest', () => {
    beforeEach(writeUsers);

    it('has user:realm:HA1 lines', async () => {
      expect(await readFile(file, 'utf8')).toBe(
        `alice:Secret Area:${md5('alice:Secret Area:my:pass')}\n` +
          `bob:Secret Area:${md5('bob:Secret Area:bobpw')}\n` +
          `alice:Other:${md5('alice:Other:otherpw')}\n`,
      );
    });

    it('password login checks the realm option', async () => {
      const secretArea = checker({ realm: 'Secret Area' });
      const other = checker({ realm: 'Other' });

      expect(await loginWithPassword(secretArea, 'alice', 'my:pass')).toBe('alice');
      expect(await loginWithPassword(secretArea, 'bob', 'bobpw')).toBe('bob');
      expect(await loginWithPassword(other, 'alice', 'otherpw')).toBe('alice');
      expect(await rejectionOf(loginWithPassword(secretArea, 'alice', 'otherpw'))).toBeInstanceOf(
        UnauthorizedLogin,
      );
      expect(await rejectionOf(loginWithPassword(other, 'bob', 'bobpw'))).toBeInstanceOf(
        UnauthorizedLogin,
      );
    });

    it('password login rejects wrong passwords and unknown users', async () => {
      const htdigest = checker({ realm: 'Secret Area' });

      const wrongPassword = await rejectionOf(loginWithPassword(htdigest, 'alice', 'my:pas'));
      const unknownUser = await rejectionOf(loginWithPassword(htdigest, 'carol', 'my:pass'));

      expect(wrongPassword).toBeInstanceOf(UnauthorizedLogin);
      expect(visibleParts(unknownUser)).toEqual(visibleParts(wrongPassword));
    });

    it('digest login uses the realm the credentials carry', async () => {
      const htdigest = checker();

      expect(
        await htdigest.requestAvatarId(
          TestDigestCredentials.answering('alice', 'Secret Area', 'my:pass'),
        ),
      ).toBe('alice');
      expect(
        await htdigest.requestAvatarId(
          TestDigestCredentials.answering('alice', 'Other', 'otherpw'),
        ),
      ).toBe('alice');
      expect(
        await rejectionOf(
          htdigest.requestAvatarId(TestDigestCredentials.answering('alice', 'Other', 'my:pass')),
        ),
      ).toBeInstanceOf(UnauthorizedLogin);
    });

    it('digest login for another realm than the option is rejected', async () => {
      const htdigest = checker({ realm: 'Secret Area' });

      const error = await rejectionOf(
        htdigest.requestAvatarId(TestDigestCredentials.answering('alice', 'Other', 'otherpw')),
      );

      expect(error).toBeInstanceOf(UnauthorizedLogin);
    });

    it('digest login without a realm property takes the option', async () => {
      const credentials = TestDigestCredentials.answering('bob', 'Secret Area', 'bobpw', false);
      expect('realm' in credentials).toBe(false);

      expect(await checker({ realm: 'Secret Area' }).requestAvatarId(credentials)).toBe('bob');
    });

    it('digest login without any realm is rejected with one error', async () => {
      const htdigest = checker();
      const credentials = TestDigestCredentials.answering('bob', 'Secret Area', 'bobpw', false);

      expect(await rejectionOf(htdigest.requestAvatarId(credentials))).toBeInstanceOf(
        UnauthorizedLogin,
      );
      expect(await rejectionOf(htdigest.requestAvatarId(credentials))).toBeInstanceOf(
        UnauthorizedLogin,
      );
      expect(logger.messages('error')).toEqual([
        `HtdigestFile (${file}) received digest credentials without a realm property and ` +
          'has no realm option, so it rejects them; set the realm option.',
      ]);
    });

    it('unknown digest user costs a checkHash against a decoy', async () => {
      const htdigest = checker();
      const unknown = TestDigestCredentials.answering('carol', 'Secret Area', 'my:pass');
      const checkHash = jest.spyOn(unknown, 'checkHash');

      const unknownUser = await rejectionOf(htdigest.requestAvatarId(unknown));
      const wrongPassword = await rejectionOf(
        htdigest.requestAvatarId(TestDigestCredentials.answering('alice', 'Secret Area', 'x')),
      );

      expect(checkHash).toHaveBeenCalledTimes(1);
      const decoy = checkHash.mock.calls[0][0];
      expect(decoy).toMatch(/^[0-9a-f]{32}$/);
      expect(await readFile(file, 'utf8')).not.toContain(decoy);
      expect(visibleParts(unknownUser)).toEqual(visibleParts(wrongPassword));
    });

    it('reload sees a password changed by htdigest', async () => {
      const htdigest = checker({ realm: 'Secret Area' });
      expect(await loginWithPassword(htdigest, 'bob', 'bobpw')).toBe('bob');

      await runHtdigest(file, 'Secret Area', 'bob', 'newbobpw');

      expect(await rejectionOf(loginWithPassword(htdigest, 'bob', 'bobpw'))).toBeInstanceOf(
        UnauthorizedLogin,
      );
      expect(await loginWithPassword(htdigest, 'bob', 'newbobpw')).toBe('bob');
      expect(logger.messages('log')).toEqual([
        `Loaded 3 entries from password file ${file}.`,
        `Loaded 3 entries from password file ${file}.`,
      ]);
    });

    it('CRLF lines, spaces and comments are read as Apache does', async () => {
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      await writeFile(
        file,
        `# users\r\n  ${lines[0]}:comment  \r\n\r\n${lines[1]}\r\n${lines[2]}\r\n`,
      );
      const htdigest = checker({ realm: 'Secret Area' });

      expect(await loginWithPassword(htdigest, 'alice', 'my:pass')).toBe('alice');
      expect(await loginWithPassword(htdigest, 'bob', 'bobpw')).toBe('bob');
      expect(logger.messages('warn')).toEqual([]);
    });

    it('Portal.login accepts both credential kinds', async () => {
      const portal = portalWith(checker({ realm: 'Secret Area' }));

      const [, byPassword] = await portal.login(
        new UsernamePassword('alice', 'my:pass'),
        null,
        IAccount,
      );
      const [, byDigest] = await portal.login(
        TestDigestCredentials.answering('bob', 'Secret Area', 'bobpw'),
        null,
        IAccount,
      );

      expect(byPassword.name).toBe('alice');
      expect(byDigest.name).toBe('bob');
      expect(
        await rejectionOf(portal.login(new UsernamePassword('alice', 'nope'), null, IAccount)),
      ).toBeInstanceOf(UnauthorizedLogin);
    });
  });

  describe('MD5 lines of htdigest and SHA-256 lines of htdigestLine', () => {
    const realm = 'Secret Area';

    // alice has both hashes, bob only MD5, carol only SHA-256.
    beforeEach(async () => {
      await runHtdigest(file, realm, 'alice', 'wonderland', true);
      await runHtdigest(file, realm, 'bob', 'bobpw');
      const md5Lines = await readFile(file, 'utf8');
      await writeFile(
        file,
        md5Lines +
          `${htdigestLine('alice', realm, 'wonderland', 'SHA-256')}\n` +
          `${htdigestLine('carol', realm, 'carolpw', 'SHA-256')}\n`,
      );
    });

    it('htdigestLine writes what htdigest writes for MD5', async () => {
      const lines = (await readFile(file, 'utf8')).split('\n');

      expect(lines[0]).toBe(htdigestLine('alice', realm, 'wonderland'));
      expect(lines[1]).toBe(htdigestLine('bob', realm, 'bobpw', 'MD5'));
      expect(lines[2]).toBe(`alice:${realm}:${sha256(`alice:${realm}:wonderland`)}`);
    });

    it.each([
      ['alice', 'MD5', 'wonderland'],
      ['alice', 'SHA-256', 'wonderland'],
      ['bob', 'MD5', 'bobpw'],
      ['carol', 'SHA-256', 'carolpw'],
    ] as const)('digest login of %s with %s', async (username, algorithm, password) => {
      const credentials = TestDigestCredentials.withAlgorithm(algorithm, username, realm, password);

      expect(await checker().requestAvatarId(credentials)).toBe(username);
      expect(logger.messages('warn')).toEqual([]);
    });

    it.each([
      ['a wrong password', 'alice', 'SHA-256', 'Wonderland'],
      ['SHA-256 for a user with only MD5', 'bob', 'SHA-256', 'bobpw'],
      ['MD5 for a user with only SHA-256', 'carol', 'MD5', 'carolpw'],
      ['an unknown user', 'dave', 'SHA-256', 'davepw'],
    ] as const)('digest login rejects %s', async (_case, username, algorithm, password) => {
      const credentials = TestDigestCredentials.withAlgorithm(algorithm, username, realm, password);

      expect(await rejectionOf(checker().requestAvatarId(credentials))).toBeInstanceOf(
        UnauthorizedLogin,
      );
    });

    it('digest login rejects an algorithm the file cannot hold', async () => {
      const credentials = Object.assign(
        TestDigestCredentials.withAlgorithm('SHA-256', 'alice', realm, 'wonderland'),
        { hashAlgorithm: 'SHA-512-256' },
      );
      const checkHash = jest.spyOn(credentials, 'checkHash');

      expect(await rejectionOf(checker().requestAvatarId(credentials))).toBeInstanceOf(
        UnauthorizedLogin,
      );
      expect(checkHash).toHaveBeenCalledTimes(1);
    });

    it('unknown SHA-256 user costs a checkHash against a 64-digit decoy', async () => {
      const unknown = TestDigestCredentials.withAlgorithm('SHA-256', 'dave', realm, 'x');
      const checkHash = jest.spyOn(unknown, 'checkHash');

      await rejectionOf(checker().requestAvatarId(unknown));

      expect(checkHash).toHaveBeenCalledTimes(1);
      expect(checkHash.mock.calls[0][0]).toMatch(/^[0-9a-f]{64}$/);
    });

    it('password login uses the MD5 entry, else the SHA-256 one', async () => {
      const htdigest = checker({ realm });

      expect(await loginWithPassword(htdigest, 'alice', 'wonderland')).toBe('alice');
      expect(await loginWithPassword(htdigest, 'bob', 'bobpw')).toBe('bob');
      expect(await loginWithPassword(htdigest, 'carol', 'carolpw')).toBe('carol');
      expect(await rejectionOf(loginWithPassword(htdigest, 'carol', 'bobpw'))).toBeInstanceOf(
        UnauthorizedLogin,
      );
    });

    it('counts lines, not hashes, when loading', async () => {
      await checker().requestAvatarId(
        TestDigestCredentials.withAlgorithm('MD5', 'bob', realm, 'bobpw'),
      );

      expect(logger.messages('log')).toEqual([`Loaded 4 entries from password file ${file}.`]);
    });
  });

  it('first SHA-256 line of a user wins, and a malformed line shadows later ones', async () => {
    await writeFile(
      file,
      `${htdigestLine('alice', 'r', 'first', 'SHA-256')}\n` +
        `${htdigestLine('alice', 'r', 'second', 'SHA-256')}\n` +
        `bob:r:xyz\n` +
        `${htdigestLine('bob', 'r', 'bobpw', 'SHA-256')}\n`,
    );
    const htdigest = checker();
    const login = (username: string, password: string) =>
      htdigest.requestAvatarId(
        TestDigestCredentials.withAlgorithm('SHA-256', username, 'r', password),
      );

    expect(await login('alice', 'first')).toBe('alice');
    expect(await rejectionOf(login('alice', 'second'))).toBeInstanceOf(UnauthorizedLogin);
    expect(await rejectionOf(login('bob', 'bobpw'))).toBeInstanceOf(UnauthorizedLogin);
    expect(logger.messages('warn')).toEqual([
      `Password file ${file}, line 2: user "alice" in realm "r" is ignored, because line 1 ` +
        'defines it first for SHA-256.',
      `Password file ${file}, line 3: user "bob" in realm "r" can never log in: the HA1 ` +
        'field is not 32 (MD5) or 64 (SHA-256) hexadecimal digits.',
      `Password file ${file}, line 4: user "bob" in realm "r" is ignored, because line 3 ` +
        'defines it first for SHA-256.',
    ]);
  });

  describe('htdigestLine', () => {
    it('hashes user:realm:password as UTF-8', () => {
      expect(htdigestLine('zoë', 'r', 'smörgåsbord', 'SHA-256')).toBe(
        `zoë:r:${sha256(Buffer.from('zoë:r:smörgåsbord', 'utf8'))}`,
      );
      expect(htdigestLine('zoë', 'r', Buffer.from('smörgåsbord'))).toBe(
        `zoë:r:${md5('zoë:r:smörgåsbord')}`,
      );
    });

    it.each([
      ['a colon in the username', () => htdigestLine('a:b', 'r', 'p')],
      ['a line break in the realm', () => htdigestLine('a', 'r\n', 'p')],
      ['a number as password', () => htdigestLine('a', 'r', 42 as never)],
      ['SHA-512-256', () => htdigestLine('a', 'r', 'p', 'SHA-512-256' as never)],
    ])('rejects %s', (_case, write) => {
      expect(write).toThrow(TypeError);
    });

    it('never names the password in its errors', () => {
      expect(() => htdigestLine('a:b', 'r', 'hunter2')).toThrow(
        'htdigestLine: the username must be a string without ":" or control characters.',
      );
    });
  });

  it('credential interfaces depend on the realm option', () => {
    expect(checker().credentialInterfaces).toEqual([IUsernameDigestHash]);
    expect(checker({ realm: 'r' }).credentialInterfaces).toEqual([
      IUsernameDigestHash,
      IUsernamePassword,
    ]);
  });

  it('uppercase HA1 is accepted', async () => {
    await writeFile(file, `alice:r:${md5('alice:r:pw').toUpperCase()}\n`);

    expect(await loginWithPassword(checker({ realm: 'r' }), 'alice', 'pw')).toBe('alice');
  });

  it('malformed HA1 warns and never logs in', async () => {
    await writeFile(file, `alice:r:${md5('alice:r:pw').slice(1)}\nbob:r\nhunter2\n`);
    const htdigest = checker({ realm: 'r' });

    expect(await rejectionOf(loginWithPassword(htdigest, 'alice', 'pw'))).toBeInstanceOf(
      UnauthorizedLogin,
    );
    expect(logger.messages('warn')).toEqual([
      `Password file ${file}, line 1: user "alice" in realm "r" can never log in: the HA1 ` +
        'field is not 32 (MD5) or 64 (SHA-256) hexadecimal digits.',
      `Password file ${file}, line 2: user "bob" in realm "r" can never log in: the HA1 ` +
        'field is not 32 (MD5) or 64 (SHA-256) hexadecimal digits.',
      `Password file ${file}, line 3: skipped, because it has no ":" between user and realm.`,
    ]);
  });

  it('first line of a user and realm wins', async () => {
    await writeFile(file, `alice:r:${md5('alice:r:first')}\nalice:r:${md5('alice:r:second')}\n`);
    const htdigest = checker({ realm: 'r' });

    expect(await loginWithPassword(htdigest, 'alice', 'first')).toBe('alice');
    expect(await rejectionOf(loginWithPassword(htdigest, 'alice', 'second'))).toBeInstanceOf(
      UnauthorizedLogin,
    );
    expect(logger.messages('warn')).toEqual([
      `Password file ${file}, line 2: user "alice" in realm "r" is ignored, because line 1 ` +
        'defines it first for MD5.',
    ]);
  });

  it('missing file rejects and logs one error', async () => {
    const htdigest = checker({ realm: 'r' });

    await rejectionOf(loginWithPassword(htdigest, 'alice', 'pw'));
    const error = await rejectionOf(loginWithPassword(htdigest, 'alice', 'pw'));

    expect(visibleParts(error)).toEqual(visibleParts(new UnauthorizedLogin()));
    expect(logger.messages('error')).toEqual([expect.stringContaining(`${file} (ENOENT)`)]);
  });

  it('password login without the realm option is rejected', async () => {
    await writeFile(file, `alice:r:${md5('alice:r:pw')}\n`);

    expect(await rejectionOf(loginWithPassword(checker(), 'alice', 'pw'))).toBeInstanceOf(
      UnauthorizedLogin,
    );
  });
});
