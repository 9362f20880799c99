import argon2 from 'argon2';
import bcrypt from 'bcrypt';

import { type Secret, secretBytes } from '../secrets.js';

/** Hash algorithms that `hashPassword` writes. */
export type PasswordHashAlgorithm = 'bcrypt' | 'argon2id';

/** Options of `hashPassword`. */
export interface HashPasswordOptions {
  /** The algorithm. Default `'bcrypt'`, which Apache's `htpasswd` files can hold too. */
  algorithm?: PasswordHashAlgorithm;
  /** bcrypt's cost: log2 of the number of rounds, 4 to 31. Default 12. */
  bcryptCost?: number;
  /** argon2id's memory cost in KiB. Default 65536 (64 MiB). */
  argon2MemoryCost?: number;
  /** argon2id's number of passes. Default 3. */
  argon2TimeCost?: number;
  /** argon2id's degree of parallelism. Default 4. */
  argon2Parallelism?: number;
}

/** bcrypt reads at most this many bytes of a password and ignores the rest. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

/** The bcrypt cost `hashPassword` uses when none is given. */
export const DEFAULT_BCRYPT_COST = 12;

/**
 * Hashes a password for storage, off the event loop (both algorithms run in
 * libuv's thread pool).
 *
 * Returns a bcrypt string (`$2b$12$...`, accepted in `htpasswd` files) or a
 * PHC string (`$argon2id$v=19$...`). Rejects with `RangeError` for a bcrypt
 * password longer than 72 UTF-8 bytes, because bcrypt would silently ignore
 * the rest; use argon2id for longer passwords.
 */
export async function hashPassword(
  password: Secret,
  options: HashPasswordOptions = {},
): Promise<string> {
  const algorithm = options.algorithm ?? 'bcrypt';
  const bytes = secretBytes(password);

  if (algorithm === 'bcrypt') {
    const cost = options.bcryptCost ?? DEFAULT_BCRYPT_COST;
    if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
      throw new RangeError(`bcryptCost must be a whole number from 4 to 31, but is ${cost}.`);
    }
    if (bytes.length > BCRYPT_MAX_PASSWORD_BYTES) {
      throw new RangeError(
        `bcrypt uses only the first ${BCRYPT_MAX_PASSWORD_BYTES} bytes of a password, and this ` +
          `one has ${bytes.length}; choose a shorter password or algorithm 'argon2id'.`,
      );
    }
    return bcrypt.hash(bytes, cost);
  }

  if (algorithm === 'argon2id') {
    return argon2.hash(bytes, {
      type: argon2.argon2id,
      memoryCost: options.argon2MemoryCost ?? 65536,
      timeCost: options.argon2TimeCost ?? 3,
      parallelism: options.argon2Parallelism ?? 4,
    });
  }

  throw new RangeError(
    `Unknown password hash algorithm ${JSON.stringify(algorithm)}; use 'bcrypt' or 'argon2id'.`,
  );
}
