import argon2 from 'argon2';

import { hashPassword } from '../security/hash-password.js';
import {
  decoyKindOf,
  type HtpasswdHash,
  isSlowHash,
  makeDecoyHash,
  parseHtpasswdHash,
  verifyHtpasswdHash,
  weakHashReason,
} from './htpasswd-hashes.js';

// Apache's documented hashes of "myPassword" (Password Formats page, httpd 2.4).
const MY_PASSWORD_BCRYPT = '$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC';
const MY_PASSWORD_APR1 = '$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/';
const MY_PASSWORD_SHA = '{SHA}VBPuJHI7uixaa6LQGWx4s+5GKNE=';
const MY_PASSWORD_CRYPT = 'rqXexS6ZhobKA';
const SALT = 'c29tZXNhbHQ';
const HASH = 'aGFzaGhhc2hoYXNo';

function parse(field: string): HtpasswdHash {
  const parsed = parseHtpasswdHash(field, true);
  if (parsed.scheme === 'unsupported') {
    throw new Error(`expected a supported hash, got: ${parsed.reason}`);
  }
  return parsed;
}

describe('parseHtpasswdHash argon2id', () => {
  it('reads the parameters in either order', () => {
    for (const parameters of ['m=1024,p=2,t=3', 'm=1024,t=3,p=2', 'p=2,t=3,m=1024']) {
      expect(parse(`$argon2id$v=19$${parameters}$${SALT}$${HASH}`)).toEqual({
        scheme: 'argon2id',
        hash: `$argon2id$v=19$${parameters}$${SALT}$${HASH}`,
        memoryCost: 1024,
        timeCost: 3,
        parallelism: 2,
      });
    }
  });

  it('reads the output of hashPassword', async () => {
    const hash = await hashPassword('pw', { algorithm: 'argon2id' });
    expect(parse(hash)).toMatchObject({
      scheme: 'argon2id',
      memoryCost: 65536,
      timeCost: 3,
      parallelism: 4,
    });
  });

  it.each([
    ['no version', `$argon2id$m=1024,t=1,p=1$${SALT}$${HASH}`, 'the argon2id hash is malformed'],
    [
      'version 16',
      `$argon2id$v=16$m=1024,t=1,p=1$${SALT}$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'two parameters',
      `$argon2id$v=19$m=1024,t=1$${SALT}$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'an unknown parameter',
      `$argon2id$v=19$m=1024,t=1,x=1$${SALT}$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'a leading zero',
      `$argon2id$v=19$m=01024,t=1,p=1$${SALT}$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'a data parameter',
      `$argon2id$v=19$m=1024,t=1,p=1,data=YQ$${SALT}$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'a 7-byte salt',
      `$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbA$${HASH}`,
      'the argon2id hash is malformed',
    ],
    [
      'a 3-byte hash',
      `$argon2id$v=19$m=1024,t=1,p=1$${SALT}$aGFz`,
      'the argon2id hash is malformed',
    ],
    ['padding', `$argon2id$v=19$m=1024,t=1,p=1$${SALT}=$${HASH}`, 'the argon2id hash is malformed'],
    [
      't=0',
      `$argon2id$v=19$m=1024,t=0,p=1$${SALT}$${HASH}`,
      'the argon2id parameters m, t or p are outside the range argon2 accepts',
    ],
    [
      'p=0',
      `$argon2id$v=19$m=1024,t=1,p=0$${SALT}$${HASH}`,
      'the argon2id parameters m, t or p are outside the range argon2 accepts',
    ],
    [
      'm below 8 per lane',
      `$argon2id$v=19$m=31,t=1,p=4$${SALT}$${HASH}`,
      'the argon2id parameters m, t or p are outside the range argon2 accepts',
    ],
    [
      'm over 2^32 - 1',
      `$argon2id$v=19$m=4294967296,t=1,p=1$${SALT}$${HASH}`,
      'the argon2id parameters m, t or p are outside the range argon2 accepts',
    ],
    [
      'argon2i',
      `$argon2i$v=19$m=1024,t=1,p=1$${SALT}$${HASH}`,
      'the hash scheme argon2i is not supported',
    ],
    [
      'argon2d',
      `$argon2d$v=19$m=1024,t=1,p=1$${SALT}$${HASH}`,
      'the hash scheme argon2d is not supported',
    ],
  ])('rejects %s', (_case, field, reason) => {
    expect(parseHtpasswdHash(field, true)).toEqual({ scheme: 'unsupported', reason });
  });
});

describe('verifyHtpasswdHash argon2id', () => {
  it('matches only the right password', async () => {
    const stored = parse(
      await argon2.hash('wonderland', { memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    );

    await expect(verifyHtpasswdHash(stored, Buffer.from('wonderland'))).resolves.toBe(true);
    await expect(verifyHtpasswdHash(stored, Buffer.from('wonderlanD'))).resolves.toBe(false);
  });
});

describe('isSlowHash', () => {
  it.each([
    [MY_PASSWORD_BCRYPT, true],
    [`$argon2id$v=19$m=1024,t=1,p=1$${SALT}$${HASH}`, true],
    [MY_PASSWORD_APR1, false],
    [MY_PASSWORD_SHA, false],
    [MY_PASSWORD_CRYPT, false],
    ['plain', false],
  ])('%s: %p', (field, slow) => {
    expect(isSlowHash(parse(field))).toBe(slow);
  });
});

describe('weakHashReason', () => {
  it.each([
    [MY_PASSWORD_BCRYPT, 10, 'bcrypt cost 5 is below minBcryptCost 10'],
    [MY_PASSWORD_BCRYPT, 6, 'bcrypt cost 5 is below minBcryptCost 6'],
    [MY_PASSWORD_BCRYPT, 5, undefined],
    [`$argon2id$v=19$m=8,t=1,p=1$${SALT}$${HASH}`, 31, undefined],
    [MY_PASSWORD_APR1, 10, '$apr1$ (Apache MD5) is fast to brute-force'],
    ['$1$abcdefgh$vAtcGWYJ/ukYe6Vxg0xqe/', 10, '$1$ (MD5-crypt) is fast to brute-force'],
    [MY_PASSWORD_SHA, 10, '{SHA} is one unsalted SHA-1, which is fast to brute-force'],
    [
      MY_PASSWORD_CRYPT,
      10,
      'DES crypt uses only the first 8 bytes of a password and is fast to brute-force',
    ],
    ['plain', 10, 'the password is stored in plaintext'],
  ])('%s with minBcryptCost %p', (field, minBcryptCost, reason) => {
    expect(weakHashReason(parse(field), minBcryptCost)).toBe(reason);
  });
});

describe('argon2id decoy', () => {
  it('has the kind and parameters of the entry', async () => {
    const stored = parse(`$argon2id$v=19$m=2048,p=2,t=2$${SALT}$${HASH}`);
    const kind = decoyKindOf(stored);
    expect(kind).toBe('argon2id:m=2048,t=2,p=2');

    const decoy = await makeDecoyHash(kind);

    expect(decoy).toMatchObject({
      scheme: 'argon2id',
      memoryCost: 2048,
      timeCost: 2,
      parallelism: 2,
    });
    expect(decoyKindOf(decoy)).toBe(kind);
    expect(parse((decoy as { hash: string }).hash)).toEqual(decoy);
  });
});
