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
import { HtdigestFile, type HtdigestFileOptions } from './htdigest-file.js';
import {
  CapturingLogger,
  IAccount,
  makeTempDir,
  portalWith,
  rejectionOf,
  runHtdigest,
  visibleParts,
} from './password-file.test-helpers.js';

function md5(...parts: Secret[]): string {
  const hash = createHash('md5');
  for (const part of parts) {
    hash.update(secretBytes(part));
  }
  return hash.digest('hex');
}

const NONCE = 'dcd98b7102dd2f0e8b11d0f600bfb0c093';
const METHOD = 'GET';
const URI = '/dir/index.html';

/**
 * HTTP Digest credentials without qop (RFC 2617, section 3.2.2.1):
 * response = MD5(HA1 ":" nonce ":" MD5(method ":" uri)). `realm` is left
 * out of the object when undefined, as a factory without one would.
 */
@Implements(IUsernameDigestHash)
class TestDigestCredentials implements DigestHashCredentials {
  constructor(
    readonly username: string,
    private readonly response: string,
  ) {}

  static answering(username: string, realm: string, password: string, carryRealm = true) {
    const ha1 = md5(`${username}:${realm}:${password}`);
    const response = md5(`${ha1}:${NONCE}:${md5(`${METHOD}:${URI}`)}`);
    const credentials = new TestDigestCredentials(username, response);
    return carryRealm ? Object.assign(credentials, { realm }) : credentials;
  }

  checkHash(ha1: string): boolean {
    const expected = md5(`${ha1}:${NONCE}:${md5(`${METHOD}:${URI}`)}`);
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
        'field is not 32 hexadecimal digits.',
      `Password file ${file}, line 2: user "bob" in realm "r" can never log in: the HA1 ` +
        'field is not 32 hexadecimal digits.',
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
        'defines it first.',
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
