/**
 * Password files for the security benchmarks: a temporary htpasswd file of
 * one hash scheme, with a `Portal` whose realm gives every user an account.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  alsoProvides,
  defineInterface,
  formatHtpasswdLine,
  hashPassword,
  HtpasswdFile,
  type HtpasswdFileOptions,
  type IRealm,
  type LoginResult,
  Portal,
  UsernamePassword,
} from 'nestjs-portal';

// Both packages are CommonJS dependencies of the library; see htpasswd-hashes.ts.
const require = createRequire(import.meta.url);
const apacheMd5 = require('apache-md5') as (password: string, salt?: string) => string;
const unixCrypt = require('unix-crypt-td-js') as (password: number[], salt: string) => string;

/** The schemes the benchmarks compare. */
export type BenchScheme = 'bcrypt' | 'argon2id' | 'argon2id-small' | 'apr1' | 'des-crypt' | 'sha1';

/** The name of a scheme in benchmark tables. */
export const SCHEME_LABELS: Record<BenchScheme, string> = {
  bcrypt: 'bcrypt, cost 10',
  argon2id: 'argon2id, m=64 MiB, t=3, p=4',
  'argon2id-small': 'argon2id, m=19 MiB, t=2, p=1',
  apr1: '$apr1$',
  'des-crypt': 'DES crypt',
  sha1: '{SHA}',
};

interface IAccount {
  readonly name: string;
}
const IAccount = defineInterface<IAccount>('IAccount');

const realm: IRealm = {
  requestAvatar: (avatarId): LoginResult => [
    IAccount,
    alsoProvides({ name: String(avatarId) }, IAccount),
    () => {},
  ],
};

/** A temporary htpasswd file and a portal that checks logins against it. */
export interface HtpasswdFixture {
  readonly users: readonly { readonly username: string; readonly password: string }[];
  /** Logs in and out; resolves to whether the login succeeded. */
  login(username: string, password: string): Promise<boolean>;
  remove(): Promise<void>;
}

// bcrypt cost 10, hashPassword's argon2id defaults, and a smaller argon2id
// for cases that need many logins.
async function hashFor(scheme: BenchScheme, password: string): Promise<string> {
  switch (scheme) {
    case 'bcrypt':
      return hashPassword(password, { bcryptCost: 10 });
    case 'argon2id':
      return hashPassword(password, { algorithm: 'argon2id' });
    case 'argon2id-small':
      return hashPassword(password, {
        algorithm: 'argon2id',
        argon2MemoryCost: 19456,
        argon2TimeCost: 2,
        argon2Parallelism: 1,
      });
    case 'apr1':
      return apacheMd5(password);
    case 'des-crypt':
      return unixCrypt(Array.from(Buffer.from(password)), 'bx');
    case 'sha1':
      return `{SHA}${createHash('sha1').update(password).digest('base64')}`;
  }
}

/** Writes a file of `userCount` users of `scheme` and builds the portal. */
export async function htpasswdFixture(
  scheme: BenchScheme,
  userCount: number,
  options: HtpasswdFileOptions = {},
): Promise<HtpasswdFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'nestjs-portal-bench-'));
  const path = join(dir, '.htpasswd');
  const users = Array.from({ length: userCount }, (_, i) => ({
    username: `user${i}`,
    // Eight characters, so that DES crypt reads all of it.
    password: `pw${String(i).padStart(6, '0')}`,
  }));
  const lines = await Promise.all(
    users.map(async (user) =>
      formatHtpasswdLine(user.username, await hashFor(scheme, user.password)),
    ),
  );
  await writeFile(path, `${lines.join('\n')}\n`);

  const silent = {
    log: () => {},
    warn: () => {},
    error: (message: string) => console.error(message),
  };
  const portal = new Portal(realm, [new HtpasswdFile(path, { logger: silent, ...options })]);

  return {
    users,
    async login(username, password) {
      try {
        const [, , logout] = await portal.login(
          new UsernamePassword(username, password),
          null,
          IAccount,
        );
        await logout();
        return true;
      } catch {
        return false;
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Returns the `p`th percentile (0 to 100) of sorted values, by the nearest-rank method. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
