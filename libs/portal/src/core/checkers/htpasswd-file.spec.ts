import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { jest } from '@jest/globals';
import bcrypt from 'bcrypt';

import { requireTool } from '../../../../../test/support/require-tool.js';
import { UsernameHashedPassword, UsernamePassword } from '../credentials.js';
import { UnauthorizedLogin, UnhandledCredentials } from '../errors.js';
import type { Secret } from '../secrets.js';
import { HtpasswdFile, type HtpasswdFileOptions } from './htpasswd-file.js';
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

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'users.htpasswd');

// The passwords of the fixture, as its first line documents.
const FIXTURE_USERS = [
  ['alice', 'alice-bcrypt-pw'],
  ['erin', 'erin:colon pw'],
  ['bob', 'bob-md5-pw'],
  ['carol', 'carol-sha-pw'],
  ['dave', 'davedes1'],
] as const;

// Apache's documented hashes of "myPassword" (Password Formats page, httpd 2.4).
const MY_PASSWORD_SHA = '{SHA}VBPuJHI7uixaa6LQGWx4s+5GKNE=';
const MY_PASSWORD_BCRYPT = '$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC';
const MY_PASSWORD_APR1 = '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/';
const MY_PASSWORD_CRYPT = 'rqXexS6ZhobKA';

describe('HtpasswdFile', () => {
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

  function checker(options: HtpasswdFileOptions = {}, path = file): HtpasswdFile {
    return new HtpasswdFile(path, { logger, ...options });
  }

  async function login(htpasswd: HtpasswdFile, username: string, password: Secret) {
    return htpasswd.requestAvatarId(new UsernamePassword(username, password));
  }

  async function accepts(htpasswd: HtpasswdFile, username: string, password: Secret) {
    return (await login(htpasswd, username, password)) === username;
  }

  async function rejects(htpasswd: HtpasswdFile, username: string, password: Secret) {
    const error = await rejectionOf(login(htpasswd, username, password));
    return error instanceof UnauthorizedLogin && error.message === new UnauthorizedLogin().message;
  }

  // Runs the real "htpasswd -vb" and returns whether it accepts the password.
  function htpasswdVerifies(path: string, username: string, password: string): boolean {
    try {
      execFileSync('htpasswd', ['-vb', path, username, password], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  describe('committed fixture', () => {
    it.each(FIXTURE_USERS)('%s logs in with the documented password', async (user, password) => {
      expect(await accepts(checker({}, FIXTURE), user, password)).toBe(true);
    });

    it.each(FIXTURE_USERS)('%s is rejected with a wrong password', async (user, password) => {
      expect(await rejects(checker({}, FIXTURE), user, `${password}x`.slice(1))).toBe(true);
    });

    it('documents passwords the real tool verifies', () => {
      for (const [user, password] of FIXTURE_USERS) {
        expect(htpasswdVerifies(FIXTURE, user, password)).toBe(true);
      }
    });

    it('warns once at load about the crypt user', async () => {
      const htpasswd = checker({}, FIXTURE);
      await login(htpasswd, 'alice', 'alice-bcrypt-pw');
      await login(htpasswd, 'dave', 'davedes1');

      expect(logger.messages('warn')).toEqual([
        `Password file ${FIXTURE}, line 6: user "dave" has a DES crypt hash, which uses only ` +
          'the first 8 bytes of a password: longer passwords log in when their first 8 bytes ' +
          'match. Rehash it with htpasswd -B.',
      ]);
      expect(logger.messages('log')).toEqual([`Loaded 5 entries from password file ${FIXTURE}.`]);
    });
  });

  describe('documented hashes and reported parsing bugs', () => {
    it('{SHA} line ending in CRLF logs in', async () => {
      await writeFile(file, `myName:${MY_PASSWORD_SHA}\r\n`);

      expect(htpasswdVerifies(file, 'myName', 'myPassword')).toBe(true);
      expect(await accepts(checker(), 'myName', 'myPassword')).toBe(true);
    });

    it('{SHA} of password plus LF rejects it', async () => {
      const withLineFeed = createHash('sha1').update('myPassword\n').digest('base64');
      expect(withLineFeed).toBe('vktd92UHRf0toqQ1Zj1I5p+XnMk=');
      await writeFile(file, `myName:{SHA}${withLineFeed}\n`);

      expect(await rejects(checker(), 'myName', 'myPassword')).toBe(true);
    });

    it('$2y$ bcrypt accepts myPassword only', async () => {
      await writeFile(file, `myName:${MY_PASSWORD_BCRYPT}\n`);
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'myName', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'myName', 'mypassword')).toBe(true);
    });

    it('unsupported scheme fails closed, named', async () => {
      const sha512Crypt = htpasswdLine('5', 'myName', 'myPassword');
      await writeFile(file, `${sha512Crypt}\n`);
      const htpasswd = checker({ allowPlaintext: true });

      expect(await rejects(htpasswd, 'myName', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'myName', sha512Crypt.slice('myName:'.length))).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 1: user "myName" can never log in: the hash scheme ` +
          'SHA-512-crypt ($6$, htpasswd -5) is not supported.',
      ]);
    });

    it('$apr1$ rejects its own hash as password', async () => {
      const hash = '$apr1$Y.zMz2n3$6Xll.Te9q6GYig6HHpPgW/';
      await writeFile(file, `admin:${hash}\n`);

      for (const allowPlaintext of [false, true]) {
        const htpasswd = checker({ allowPlaintext });
        expect(await accepts(htpasswd, 'admin', 'foobar')).toBe(true);
        expect(await rejects(htpasswd, 'admin', hash)).toBe(true);
      }
    });

    it('{SHA} accepts myPassword', async () => {
      await writeFile(file, `myName:${MY_PASSWORD_SHA}\n`);

      expect(await accepts(checker(), 'myName', 'myPassword')).toBe(true);
    });

    it('DES crypt reads only 8 bytes, as Apache', async () => {
      await writeFile(file, `myName:${MY_PASSWORD_CRYPT}\n`);
      const htpasswd = checker();

      expect(htpasswdVerifies(file, 'myName', 'myPassword123')).toBe(true);
      expect(await accepts(htpasswd, 'myName', 'myPasswo')).toBe(true);
      expect(await accepts(htpasswd, 'myName', 'myPassword123')).toBe(true);
      expect(await rejects(htpasswd, 'myName', 'myPasswd')).toBe(true);
      expect(logger.messages('warn')).toEqual([
        expect.stringContaining('user "myName" has a DES crypt hash, which uses only the first 8'),
      ]);
    });

    it('bcrypt over 72 bytes rejected by default', async () => {
      const password = 'a'.repeat(72);
      runHtpasswd(file, 'B', 'long', password, true);
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'long', password)).toBe(true);
      expect(await rejects(htpasswd, 'long', `${password}XYZ`)).toBe(true);
      expect(htpasswdVerifies(file, 'long', `${password}XYZ`)).toBe(true);
    });

    it("bcrypt over 72 bytes with 'truncate'", async () => {
      const password = 'a'.repeat(72);
      runHtpasswd(file, 'B', 'long', password, true);
      const htpasswd = checker({ bcryptLongPasswords: 'truncate' });

      expect(await accepts(htpasswd, 'long', `${password}XYZ`)).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}: 1 bcrypt entries use only the first 72 bytes of a password, ` +
          "and bcryptLongPasswords is 'truncate': a longer password logs in when its first " +
          '72 bytes match.',
      ]);
    });

    it('bcrypt limit counts UTF-8 bytes', async () => {
      // 37 characters, 74 bytes.
      const password = 'é'.repeat(37);
      runHtpasswd(file, 'B', 'accent', password, true);

      expect(await rejects(checker(), 'accent', password)).toBe(true);
      expect(await accepts(checker({ bcryptLongPasswords: 'truncate' }), 'accent', password)).toBe(
        true,
      );
    });

    it('comment line and third field', async () => {
      await writeFile(file, `# team\nbob:${MY_PASSWORD_SHA}:ops team\n`);

      expect(await accepts(checker(), 'bob', 'myPassword')).toBe(true);
      // The htpasswd CLI disagrees, so it is not the reference.
      expect(htpasswdVerifies(file, 'bob', 'myPassword')).toBe(false);
    });

    it('{PLAIN} unsupported even with allowPlaintext', async () => {
      await writeFile(file, 'carol:{PLAIN}secret\n');

      for (const allowPlaintext of [false, true]) {
        const htpasswd = checker({ allowPlaintext });
        expect(await rejects(htpasswd, 'carol', 'secret')).toBe(true);
        expect(await rejects(htpasswd, 'carol', '{PLAIN}secret')).toBe(true);
      }
      expect(logger.messages('warn')[0]).toBe(
        `Password file ${file}, line 1: user "carol" can never log in: the hash scheme ` +
          '{PLAIN} is not supported.',
      );
    });

    it('{SSHA} unsupported', async () => {
      const salt = Buffer.from('salt1234');
      const digest = createHash('sha1').update('myPassword').update(salt).digest();
      const ssha = `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
      await writeFile(file, `dan:${ssha}\n`);

      expect(await rejects(checker(), 'dan', 'myPassword')).toBe(true);
      expect(await rejects(checker(), 'dan', ssha)).toBe(true);
      expect(logger.messages('warn')[0]).toContain(
        'user "dan" can never log in: the hash scheme {SSHA} (salted SHA-1) is not supported.',
      );
    });

    it('spaces and CR around a line trimmed', async () => {
      await writeFile(file, `  bob:${MY_PASSWORD_SHA}  \r\n`);

      expect(await accepts(checker(), 'bob', 'myPassword')).toBe(true);
      // The CLI rejects the trailing spaces, but the server trims them.
      expect(htpasswdVerifies(file, 'bob', 'myPassword')).toBe(false);
    });

    it('usernames are case-sensitive', async () => {
      await writeFile(file, `MyName:${MY_PASSWORD_SHA}\n`);
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'MyName', 'myPassword')).toBe(true);
      const wrongCase = await rejectionOf(login(htpasswd, 'myname', 'myPassword'));
      const wrongPassword = await rejectionOf(login(htpasswd, 'MyName', 'mypassword'));
      expect(visibleParts(wrongCase)).toEqual(visibleParts(wrongPassword));
    });

    it('first matching line wins', async () => {
      await writeFile(
        file,
        `bob:${MY_PASSWORD_SHA}\nbob:${htpasswdLine('s', 'x', 'other').slice(2)}\n`,
      );
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'bob', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'bob', 'other')).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 2: user "bob" is ignored, because line 1 defines it first.`,
      ]);
    });

    it('plaintext only with allowPlaintext', async () => {
      await writeFile(file, 'plainuser:plainpass\n');

      expect(htpasswdVerifies(file, 'plainuser', 'plainpass')).toBe(false);
      expect(await rejects(checker(), 'plainuser', 'plainpass')).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 1: user "plainuser" can never log in: the hash is not ` +
          'recognised; plaintext passwords are accepted only with the allowPlaintext option.',
      ]);
      expect(logger.text()).not.toContain('plainpass');

      const htpasswd = checker({ allowPlaintext: true });
      expect(await accepts(htpasswd, 'plainuser', 'plainpass')).toBe(true);
      expect(await rejects(htpasswd, 'plainuser', 'plainpas')).toBe(true);
    });

    it.each([
      ['bcrypt', MY_PASSWORD_BCRYPT],
      ['apr1', MY_PASSWORD_APR1],
      ['SHA-1', MY_PASSWORD_SHA],
      ['crypt', MY_PASSWORD_CRYPT],
    ])("Apache's documented %s line", async (_scheme, hash) => {
      await writeFile(file, `myName:${hash}\n`);
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'myName', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'myName', 'mypassword')).toBe(true);
    });

    it("Apache's documented crypt line, 8 bytes", async () => {
      await writeFile(file, `myName:${MY_PASSWORD_CRYPT}\n`);

      expect(await accepts(checker(), 'myName', 'myPasswo')).toBe(true);
    });

    it.each([['$apr1$qHDFfhPC$nITSVHgYbDAK1Y0acGRnY0'], ['qQ5vTYO3c8dsU']])(
      'OpenSSL hash %s accepts myPassword',
      async (hash) => {
        await writeFile(file, `myName:${hash}\n`);

        expect(await accepts(checker(), 'myName', 'myPassword')).toBe(true);
      },
    );

    it('$apr1$ with salt Y.zMz2n3 accepts foobar', async () => {
      await writeFile(file, 'admin:$apr1$Y.zMz2n3$6Xll.Te9q6GYig6HHpPgW/\n');

      expect(await accepts(checker(), 'admin', 'foobar')).toBe(true);
    });
  });

  describe('files written by htpasswd', () => {
    const schemes: [string, HtpasswdFlag, HtpasswdFileOptions][] = [
      ['bcrypt (-B)', 'B', {}],
      ['apr1 (-m)', 'm', {}],
      ['SHA-1 (-s)', 's', {}],
      ['crypt (-d)', 'd', {}],
      ['plaintext (-p)', 'p', { allowPlaintext: true }],
    ];

    it.each(schemes)('%s: right, wrong and unknown', async (_name, flag, options) => {
      runHtpasswd(file, flag, 'alice', 'rightpw', true);
      runHtpasswd(file, flag, 'bob', 'bobspw');
      const htpasswd = checker(options);

      expect(await accepts(htpasswd, 'alice', 'rightpw')).toBe(true);
      expect(await accepts(htpasswd, 'bob', 'bobspw')).toBe(true);
      expect(await rejects(htpasswd, 'alice', 'wrongpw')).toBe(true);
      expect(await rejects(htpasswd, 'alice', 'bobspw')).toBe(true);
      expect(await rejects(htpasswd, 'carol', 'rightpw')).toBe(true);
    });

    it.each(schemes)('%s: CRLF lines', async (_name, flag, options) => {
      runHtpasswd(file, flag, 'alice', 'rightpw', true);
      runHtpasswd(file, flag, 'bob', 'bobspw');
      const text = await readFile(file, 'utf8');
      await writeFile(file, `${text.replace(/\n/g, '\r\n')}\r\n`);
      const htpasswd = checker(options);

      expect(await accepts(htpasswd, 'alice', 'rightpw')).toBe(true);
      expect(await accepts(htpasswd, 'bob', 'bobspw')).toBe(true);
      expect(await rejects(htpasswd, 'bob', 'bobspw\r')).toBe(true);
    });

    it.each(schemes.slice(0, 4))('%s: password with a colon', async (_name, flag, options) => {
      runHtpasswd(file, flag, 'alice', 'a:b:c', true);
      const htpasswd = checker(options);

      expect(await accepts(htpasswd, 'alice', 'a:b:c')).toBe(true);
      expect(await rejects(htpasswd, 'alice', 'a')).toBe(true);
    });

    it('plaintext (-p): a colon ends the password, as in Apache', async () => {
      runHtpasswd(file, 'p', 'alice', 'a:b:c', true);
      const htpasswd = checker({ allowPlaintext: true });

      // The field runs to the next ':', and the rest is a comment.
      expect(await rejects(htpasswd, 'alice', 'a:b:c')).toBe(true);
      expect(await accepts(htpasswd, 'alice', 'a')).toBe(true);
    });

    it.each(schemes.slice(0, 4))('%s: UTF-8 password', async (_name, flag, options) => {
      runHtpasswd(file, flag, 'jürgen', 'pässwörd', true);
      const htpasswd = checker(options);

      expect(await accepts(htpasswd, 'jürgen', 'pässwörd')).toBe(true);
      expect(await accepts(htpasswd, 'jürgen', Buffer.from('pässwörd'))).toBe(true);
      expect(await rejects(htpasswd, 'jürgen', 'passwort')).toBe(true);
    });

    it('crypt (-d): a NUL byte in the password is rejected', async () => {
      runHtpasswd(file, 'd', 'alice', 'short', true);
      const htpasswd = checker();

      expect(await accepts(htpasswd, 'alice', 'short')).toBe(true);
      expect(await rejects(htpasswd, 'alice', 'short\0junk')).toBe(true);
    });

    it('plaintext (-p) without allowPlaintext is rejected', async () => {
      runHtpasswd(file, 'p', 'alice', 'rightpw', true);

      expect(await rejects(checker(), 'alice', 'rightpw')).toBe(true);
    });

    it('SHA-256-crypt (-2) is refused with a warning', async () => {
      runHtpasswd(file, '2', 'alice', 'rightpw', true);

      expect(await rejects(checker(), 'alice', 'rightpw')).toBe(true);
      expect(logger.messages('warn')).toEqual([
        expect.stringContaining(
          'user "alice" can never log in: the hash scheme SHA-256-crypt ($5$, htpasswd -2)',
        ),
      ]);
    });

    it('reload sees a password changed by htpasswd', async () => {
      runHtpasswd(file, 'B', 'alice', 'first', true);
      const htpasswd = checker();
      expect(await accepts(htpasswd, 'alice', 'first')).toBe(true);

      runHtpasswd(file, 'B', 'alice', 'second');

      expect(await rejects(htpasswd, 'alice', 'first')).toBe(true);
      expect(await accepts(htpasswd, 'alice', 'second')).toBe(true);
      expect(logger.messages('log')).toHaveLength(2);
    });
  });

  describe('other hash forms', () => {
    it('$1$ MD5-crypt written by openssl logs in', async () => {
      requireTool('openssl', 'openssl');
      const hash = execFileSync('openssl', ['passwd', '-1', '-salt', 'abcdefgh', 'myPassword'], {
        encoding: 'utf8',
      }).trim();
      await writeFile(file, `myName:${hash}\n`);

      expect(await accepts(checker(), 'myName', 'myPassword')).toBe(true);
      expect(await rejects(checker(), 'myName', 'mypassword')).toBe(true);
    });

    it.each(['a', 'b'] as const)('$2%s$ bcrypt logs in', async (minor) => {
      const hash = await bcrypt.hash('myPassword', await bcrypt.genSalt(4, minor));
      expect(hash.startsWith(`$2${minor}$04$`)).toBe(true);
      await writeFile(file, `myName:${hash}\n`);

      expect(await accepts(checker(), 'myName', 'myPassword')).toBe(true);
      expect(await rejects(checker(), 'myName', 'mypassword')).toBe(true);
    });

    it('malformed bcrypt never logs in, not even as plaintext', async () => {
      const truncated = MY_PASSWORD_BCRYPT.slice(0, -1);
      await writeFile(file, `myName:${truncated}\n`);
      const htpasswd = checker({ allowPlaintext: true });

      expect(await rejects(htpasswd, 'myName', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'myName', truncated)).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 1: user "myName" can never log in: the bcrypt hash is ` +
          'malformed.',
      ]);
    });

    it('line without a colon warns without its content', async () => {
      await writeFile(file, `hunter2\nbob:${MY_PASSWORD_SHA}\n`);
      const htpasswd = checker({ allowPlaintext: true });

      expect(await accepts(htpasswd, 'bob', 'myPassword')).toBe(true);
      expect(await rejects(htpasswd, 'hunter2', '')).toBe(true);
      expect(logger.messages('warn')).toEqual([
        `Password file ${file}, line 1: the line can never log in: the line has no ":".`,
      ]);
    });

    it('empty hash never logs in, even with allowPlaintext', async () => {
      await writeFile(file, 'nobody:\n');

      expect(await rejects(checker({ allowPlaintext: true }), 'nobody', '')).toBe(true);
    });
  });

  describe('unknown user', () => {
    it('costs a bcrypt compare against a decoy of the file cost', async () => {
      const compare = jest.spyOn(bcrypt, 'compare');
      const htpasswd = checker({}, FIXTURE);

      const error = await rejectionOf(login(htpasswd, 'mallory', 'alice-bcrypt-pw'));

      expect(error).toBeInstanceOf(UnauthorizedLogin);
      expect(compare).toHaveBeenCalledTimes(1);
      const [password, decoy] = compare.mock.calls[0] as unknown as [Buffer, string];
      expect(password).toEqual(Buffer.from('alice-bcrypt-pw'));
      expect(decoy).toMatch(/^\$2b\$05\$/);
      const fixture = await readFile(FIXTURE, 'utf8');
      expect(fixture).not.toContain(decoy.slice(7));
    });

    it('makes the decoy hash once', async () => {
      const hash = jest.spyOn(bcrypt, 'hash');
      const htpasswd = checker({}, FIXTURE);

      await Promise.all([
        rejectionOf(login(htpasswd, 'mallory', 'a')),
        rejectionOf(login(htpasswd, 'trudy', 'b')),
      ]);
      await rejectionOf(login(htpasswd, 'eve', 'c'));

      expect(hash).toHaveBeenCalledTimes(1);
    });

    it('gets the error of a wrong password', async () => {
      const htpasswd = checker({}, FIXTURE);

      const wrongPassword = await rejectionOf(login(htpasswd, 'alice', 'nope'));
      const unknownUser = await rejectionOf(login(htpasswd, 'mallory', 'nope'));

      expect(visibleParts(unknownUser)).toEqual(visibleParts(wrongPassword));
      expect(visibleParts(unknownUser)).toEqual({
        class: 'UnauthorizedLogin',
        code: 'ERR_UNAUTHORIZED_LOGIN',
        message: 'Invalid username or password.',
      });
    });

    it('decoy follows the most common scheme of the file', async () => {
      runHtpasswd(file, 'm', 'alice', 'a', true);
      runHtpasswd(file, 'm', 'bob', 'b');
      runHtpasswd(file, 'B', 'carol', 'c');
      const compare = jest.spyOn(bcrypt, 'compare');

      await rejectionOf(login(checker(), 'mallory', 'a'));

      expect(compare).not.toHaveBeenCalled();
    });

    it('unsupported entry costs a decoy compare too', async () => {
      runHtpasswd(file, 'B', 'alice', 'a', true);
      await writeFile(file, `${await readFile(file, 'utf8')}\nbob:{SSHA}abc\n`);
      const compare = jest.spyOn(bcrypt, 'compare');

      await rejectionOf(login(checker(), 'bob', 'b'));

      expect(compare).toHaveBeenCalledTimes(1);
    });

    it('long password still costs the bcrypt compare', async () => {
      const compare = jest.spyOn(bcrypt, 'compare');

      await rejectionOf(login(checker({}, FIXTURE), 'alice', 'x'.repeat(100)));

      expect(compare).toHaveBeenCalledTimes(1);
    });
  });

  it('missing file rejects and logs one error', async () => {
    const htpasswd = checker();

    expect(await rejects(htpasswd, 'alice', 'x')).toBe(true);
    expect(await rejects(htpasswd, 'alice', 'x')).toBe(true);

    expect(logger.messages('error')).toEqual([
      `Cannot read password file ${file} (ENOENT); every login checked against it is ` +
        'rejected until it can be read.',
    ]);
  });

  it('Portal.login returns the avatar of the file user', async () => {
    const portal = portalWith(checker({}, FIXTURE));

    const [avatarInterface, avatar] = await portal.login(
      new UsernamePassword('alice', 'alice-bcrypt-pw'),
      null,
      IAccount,
    );

    expect(avatarInterface).toBe(IAccount);
    expect(avatar.name).toBe('alice');
    expect(
      await rejectionOf(portal.login(new UsernamePassword('alice', 'nope'), null, IAccount)),
    ).toBeInstanceOf(UnauthorizedLogin);
  });

  it('Portal.login does not route hashed-password credentials here', async () => {
    const portal = portalWith(checker({}, FIXTURE));

    const error = await rejectionOf(
      portal.login(new UsernameHashedPassword('alice', 'alice-bcrypt-pw'), null, IAccount),
    );

    expect(error).toBeInstanceOf(UnhandledCredentials);
  });

  it('constructor rejects an unknown bcryptLongPasswords', () => {
    expect(() => new HtpasswdFile(file, { bcryptLongPasswords: 'ignore' as 'reject' })).toThrow(
      "bcryptLongPasswords must be 'reject' or 'truncate'",
    );
  });
});
