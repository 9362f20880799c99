/**
 * The password hash schemes of Apache htpasswd files: recognising a stored
 * hash by its form, and verifying a password against it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';

import argon2 from 'argon2';
import bcrypt from 'bcrypt';

import { secretsEqual } from '../secrets.js';
import { computeCryptInWorker } from './crypt-worker-pool.js';

// apache-md5 declares an ES default export but is a CommonJS function, and
// unix-crypt-td-js ships no types, so both are loaded with require().
const require = createRequire(import.meta.url);
const apacheMd5 = require('apache-md5') as (password: string, salt?: string) => string;
const unixCrypt = require('unix-crypt-td-js') as (password: number[], salt: string) => string;

/** bcrypt reads at most this many bytes of a password and ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

/** DES crypt(3) reads at most this many bytes of a password and ignores the rest. */
export const DES_CRYPT_MAX_PASSWORD_BYTES = 8;

/** The bcrypt cost of the decoy hash when a file has no bcrypt entries. */
export const DEFAULT_DECOY_BCRYPT_COST = 10;

/** The default `minBcryptCost`: a stored bcrypt hash of a lower cost is weak. */
export const DEFAULT_MIN_BCRYPT_COST = 10;

/** A stored htpasswd hash that the checker can verify. */
export type HtpasswdHash =
  | { readonly scheme: 'bcrypt'; readonly hash: string; readonly cost: number }
  | {
      readonly scheme: 'argon2id';
      readonly hash: string;
      readonly memoryCost: number;
      readonly timeCost: number;
      readonly parallelism: number;
    }
  | { readonly scheme: 'apr1'; readonly hash: string }
  | { readonly scheme: 'md5-crypt'; readonly hash: string }
  | { readonly scheme: 'sha1'; readonly digest: Buffer }
  | { readonly scheme: 'des-crypt'; readonly hash: string }
  | { readonly scheme: 'plaintext'; readonly password: string };

/** A stored field that is not a supported hash, and why, without its content. */
export interface UnsupportedHash {
  readonly scheme: 'unsupported';
  readonly reason: string;
}

/** The decoy kinds: one per scheme, one per cost for bcrypt, and one per parameter set for argon2id. */
export type DecoyKind =
  | `bcrypt:${number}`
  | `argon2id:m=${number},t=${number},p=${number}`
  | Exclude<HtpasswdHash['scheme'], 'bcrypt' | 'argon2id'>;

/** The hash schemes that `onWeakHash` reports. */
export type WeakHashScheme = Exclude<HtpasswdHash['scheme'], 'argon2id'>;

// Apache's htpasswd -B writes $2y$, the same algorithm as $2b$. The bcrypt
// package supports $2a$ and $2b$ but rejects $2y$. The cost is 04 to 31.
const BCRYPT = /^\$2([aby])\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;
// $apr1$ and $1$: up to 8 salt characters, then 22 characters of hash.
const APR1 = /^\$apr1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$/;
const MD5_CRYPT = /^\$1\$[./0-9A-Za-z]{0,8}\$[./0-9A-Za-z]{22}$/;
// {SHA}: base64 of the 20-byte SHA-1 digest of the password, unsalted.
const SHA1 = /^\{SHA\}([A-Za-z0-9+/]{27}=)$/;
// DES crypt(3): 2 salt characters and 11 hash characters.
const DES_CRYPT = /^[./0-9A-Za-z]{13}$/;
// The PHC string of argon2id version 1.3, as libargon2 and the argon2 package
// write it: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>, with
// salt (at least 8 bytes) and hash (at least 4 bytes) in unpadded base64. The
// argon2 package writes the parameters as m, p, t, so any order is accepted.
const ARGON2ID =
  /^\$argon2id\$v=19\$([a-z]=\d{1,10},[a-z]=\d{1,10},[a-z]=\d{1,10})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{6,}$/;
// The ranges libargon2 accepts (argon2.h): lanes 1 to 2^24 - 1, at least one
// pass, and at least 8 KiB of memory per lane.
const ARGON2_MAX_PARALLELISM = 2 ** 24 - 1;
const ARGON2_MAX_COST = 2 ** 32 - 1;
const DECOY_ARGON2ID = /^argon2id:m=(\d+),t=(\d+),p=(\d+)$/;

// Schemes other servers accept, named in warnings so that an operator knows
// what to convert. Only these prefixes are logged, because an unknown field
// may be a plaintext password.
const KNOWN_UNSUPPORTED: readonly (readonly [string, string])[] = [
  ['$5$', 'SHA-256-crypt ($5$, htpasswd -2)'],
  ['$6$', 'SHA-512-crypt ($6$, htpasswd -5)'],
  ['$y$', 'yescrypt ($y$)'],
  ['$gy$', 'gost-yescrypt ($gy$)'],
  ['$7$', 'scrypt ($7$)'],
  ['$2x$', 'bcrypt variant $2x$'],
  ['$argon2i$', 'argon2i'],
  ['$argon2d$', 'argon2d'],
  ['$sha1$', 'SHA-1-crypt ($sha1$)'],
  ['$md5', 'Sun MD5-crypt ($md5$)'],
  ['{SSHA}', '{SSHA} (salted SHA-1)'],
  ['{PLAIN}', '{PLAIN}'],
  ['{CLEARTEXT}', '{CLEARTEXT}'],
  ['{CRYPT}', '{CRYPT}'],
  ['{MD5}', '{MD5}'],
  ['{SMD5}', '{SMD5}'],
  ['{SHA256}', '{SHA256}'],
  ['{SSHA256}', '{SSHA256}'],
  ['{SHA512}', '{SHA512}'],
  ['{SSHA512}', '{SSHA512}'],
];

/**
 * Recognises the hash scheme of a stored htpasswd field by its form:
 * `$2y$`/`$2a$`/`$2b$` bcrypt, `$argon2id$` (version 19), `$apr1$` Apache
 * MD5, `$1$` MD5-crypt, `{SHA}`, a 13-character DES crypt string, and, only
 * when `allowPlaintext` is set,
 * anything else as a plaintext password. A field that starts with `$` or `{`
 * but is not a valid supported hash is never plaintext, so a damaged or
 * unsupported hash cannot be logged into by typing the hash itself.
 */
export function parseHtpasswdHash(
  field: string,
  allowPlaintext: boolean,
): HtpasswdHash | UnsupportedHash {
  const bcryptMatch = BCRYPT.exec(field);
  if (bcryptMatch) {
    const hash = bcryptMatch[1] === 'y' ? `$2b$${field.slice(4)}` : field;
    return { scheme: 'bcrypt', hash, cost: Number(bcryptMatch[2]) };
  }
  const argon2Match = ARGON2ID.exec(field);
  if (argon2Match) {
    return parseArgon2idParameters(field, argon2Match[1]);
  }
  if (APR1.test(field)) {
    return { scheme: 'apr1', hash: field };
  }
  if (MD5_CRYPT.test(field)) {
    return { scheme: 'md5-crypt', hash: field };
  }
  const shaMatch = SHA1.exec(field);
  if (shaMatch) {
    return { scheme: 'sha1', digest: Buffer.from(shaMatch[1], 'base64') };
  }
  if (DES_CRYPT.test(field)) {
    return { scheme: 'des-crypt', hash: field };
  }

  if (field === '') {
    return { scheme: 'unsupported', reason: 'the hash field is empty' };
  }
  const known = KNOWN_UNSUPPORTED.find(([prefix]) => field.startsWith(prefix));
  if (known) {
    return { scheme: 'unsupported', reason: `the hash scheme ${known[1]} is not supported` };
  }
  for (const [prefix, name] of [
    ['$2', 'bcrypt'],
    ['$argon2id$', 'argon2id'],
    ['$apr1$', '$apr1$'],
    ['$1$', '$1$'],
    ['{SHA}', '{SHA}'],
  ] as const) {
    if (field.startsWith(prefix)) {
      return { scheme: 'unsupported', reason: `the ${name} hash is malformed` };
    }
  }
  if (field.startsWith('$') || field.startsWith('{')) {
    return { scheme: 'unsupported', reason: 'the hash scheme is not recognised' };
  }
  if (allowPlaintext) {
    return { scheme: 'plaintext', password: field };
  }
  return {
    scheme: 'unsupported',
    reason:
      'the hash is not recognised; plaintext passwords are accepted only with ' +
      'the allowPlaintext option',
  };
}

// m, t and p must each appear once and lie within libargon2's ranges. Anything
// else makes the entry unsupported.
function parseArgon2idParameters(
  field: string,
  parameters: string,
): HtpasswdHash | UnsupportedHash {
  const values = new Map<string, number>();
  for (const pair of parameters.split(',')) {
    const [name, digits] = pair.split('=');
    if (values.has(name) || !/^(0|[1-9]\d*)$/.test(digits)) {
      return { scheme: 'unsupported', reason: 'the argon2id hash is malformed' };
    }
    values.set(name, Number(digits));
  }
  const memoryCost = values.get('m');
  const timeCost = values.get('t');
  const parallelism = values.get('p');
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) {
    return { scheme: 'unsupported', reason: 'the argon2id hash is malformed' };
  }
  if (
    parallelism < 1 ||
    parallelism > ARGON2_MAX_PARALLELISM ||
    timeCost < 1 ||
    timeCost > ARGON2_MAX_COST ||
    memoryCost < 8 * parallelism ||
    memoryCost > ARGON2_MAX_COST
  ) {
    return {
      scheme: 'unsupported',
      reason: 'the argon2id parameters m, t or p are outside the range argon2 accepts',
    };
  }
  return { scheme: 'argon2id', hash: field, memoryCost, timeCost, parallelism };
}

/** Tests whether a scheme is slow by design (bcrypt, argon2id), so verifying it runs off the event loop. */
export function isSlowHash(stored: HtpasswdHash): boolean {
  return stored.scheme === 'bcrypt' || stored.scheme === 'argon2id';
}

/**
 * Returns why a stored hash is weak, or undefined when it is not: plaintext,
 * `{SHA}`, `$apr1$`, `$1$` and DES crypt always are, and bcrypt is when its
 * cost is below `minBcryptCost`. argon2id never is.
 */
export function weakHashReason(stored: HtpasswdHash, minBcryptCost: number): string | undefined {
  switch (stored.scheme) {
    case 'plaintext':
      return 'the password is stored in plaintext';
    case 'sha1':
      return '{SHA} is one unsalted SHA-1, which is fast to brute-force';
    case 'apr1':
      return '$apr1$ (Apache MD5) is fast to brute-force';
    case 'md5-crypt':
      return '$1$ (MD5-crypt) is fast to brute-force';
    case 'des-crypt':
      return (
        `DES crypt uses only the first ${DES_CRYPT_MAX_PASSWORD_BYTES} bytes of a password ` +
        'and is fast to brute-force'
      );
    case 'bcrypt':
      return stored.cost < minBcryptCost
        ? `bcrypt cost ${stored.cost} is below minBcryptCost ${minBcryptCost}`
        : undefined;
    case 'argon2id':
      return undefined;
  }
}

/**
 * Verifies `password` (the UTF-8 bytes, or raw bytes, the client sent)
 * against a stored hash. Resolves to whether they match. Rejects only when
 * the hashing library fails, for example when argon2 cannot allocate the
 * memory that an entry's parameters require.
 *
 * bcrypt and argon2id run in libuv's thread pool (both packages hash in a
 * native async worker), and `$apr1$`, `$1$` and DES crypt in a worker thread
 * (`crypt-worker-pool.ts`), so none of them blocks the event loop. `{SHA}`
 * and plain text are single fast operations and run in place.
 */
export async function verifyHtpasswdHash(stored: HtpasswdHash, password: Buffer): Promise<boolean> {
  switch (stored.scheme) {
    case 'bcrypt':
      return bcrypt.compare(password, stored.hash);
    case 'argon2id':
      return argon2.verify(stored.hash, password);
    case 'apr1':
    case 'md5-crypt':
      // The worker gives apache-md5 the UTF-8 bytes as a latin1 string, since it
      // hashes the low byte of each character. It reads the salt from the stored hash.
      return secretsEqual(
        await computeCryptInWorker(stored.scheme, stored.hash, password),
        stored.hash,
      );
    case 'sha1': {
      const digest = createHash('sha1').update(password).digest();
      return timingSafeEqual(digest, stored.digest);
    }
    case 'des-crypt': {
      // Bytes, not a string: the package hashes each character code, which
      // matches C's crypt(3) only for byte values. A NUL byte ends a C string,
      // so crypt(3) would ignore it and everything after it.
      const matched = secretsEqual(
        await computeCryptInWorker('des-crypt', stored.hash, password),
        stored.hash,
      );
      return matched && !password.includes(0);
    }
    case 'plaintext':
      return secretsEqual(password, stored.password);
  }
}

/** Returns the decoy kind that matches a stored hash's scheme and its cost parameters. */
export function decoyKindOf(stored: HtpasswdHash): DecoyKind {
  switch (stored.scheme) {
    case 'bcrypt':
      return `bcrypt:${stored.cost}`;
    case 'argon2id':
      return `argon2id:m=${stored.memoryCost},t=${stored.timeCost},p=${stored.parallelism}`;
    default:
      return stored.scheme;
  }
}

/**
 * Makes a hash of a random password, of the given kind, for unknown users to
 * be verified against. bcrypt and argon2id decoys are hashed in the thread pool.
 */
export async function makeDecoyHash(kind: DecoyKind): Promise<HtpasswdHash> {
  const password = randomBytes(18).toString('base64url');
  if (kind.startsWith('bcrypt:')) {
    const cost = Number(kind.slice('bcrypt:'.length));
    return { scheme: 'bcrypt', hash: await bcrypt.hash(password, cost), cost };
  }
  const argon2Match = DECOY_ARGON2ID.exec(kind);
  if (argon2Match) {
    const [memoryCost, timeCost, parallelism] = argon2Match.slice(1).map(Number);
    const hash = await argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost,
      timeCost,
      parallelism,
    });
    return { scheme: 'argon2id', hash, memoryCost, timeCost, parallelism };
  }
  switch (kind) {
    case 'apr1':
      return { scheme: 'apr1', hash: apacheMd5(password) };
    case 'md5-crypt':
      return { scheme: 'md5-crypt', hash: apacheMd5(password, '$1$decoysal$') };
    case 'sha1':
      return { scheme: 'sha1', digest: randomBytes(20) };
    case 'des-crypt':
      return { scheme: 'des-crypt', hash: unixCrypt(Array.from(Buffer.from(password)), 'dc') };
    default:
      return { scheme: 'plaintext', password };
  }
}
