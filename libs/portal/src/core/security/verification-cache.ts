import { createHmac, randomBytes } from 'node:crypto';

import { type Secret, secretBytes } from '../secrets.js';

/** Options of `VerificationCache`. */
export interface VerificationCacheOptions {
  /** How long a successful verification is remembered, in milliseconds. Default 60000. */
  ttlMs?: number;
  /** The maximum number of remembered verifications; the oldest goes first. Default 10000. */
  maxEntries?: number;
  /** The clock, in milliseconds; tests replace it. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  readonly username: string;
  readonly expiresAt: number;
}

/**
 * Remembers successful slow password verifications (bcrypt, argon2id) for a
 * short time, so that a client sending the same Basic credentials on every
 * request pays the hash once per `ttlMs` instead of once per request.
 *
 * Entries are keyed by HMAC-SHA-256, under a random per-process key, of the
 * checker's id, the username and the password, so the cache never stores a
 * password or anything from which one can be tested offline once the process
 * is gone. Only successes are stored: a wrong password always costs a full
 * verification.
 *
 * The trade-off: while an entry lives, a password that was just changed in the
 * file still works until the file reload calls `forgetUser`, and a process
 * memory dump taken during the TTL lets an attacker who also has the HMAC key
 * test guesses quickly. Keep `ttlMs` short.
 */
export class VerificationCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: VerificationCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.ttlMs > 0)) {
      throw new RangeError(
        `ttlMs must be a positive number of milliseconds, but is ${this.ttlMs}.`,
      );
    }
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new RangeError(
        `maxEntries must be a whole number of at least 1, but is ${this.maxEntries}.`,
      );
    }
  }

  /** The number of remembered verifications, expired ones included until they are looked up. */
  get size(): number {
    return this.entries.size;
  }

  /** Tests whether this password was verified for this user by this checker within the TTL. */
  has(checkerId: string, username: string, password: Secret): boolean {
    const cacheKey = this.cacheKey(checkerId, username, password);
    const entry = this.entries.get(cacheKey);
    if (!entry) {
      return false;
    }
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(cacheKey);
      return false;
    }
    return true;
  }

  /** Remembers a successful verification. */
  remember(checkerId: string, username: string, password: Secret): void {
    const cacheKey = this.cacheKey(checkerId, username, password);
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, { username, expiresAt: this.now() + this.ttlMs });
    // A Map iterates in insertion order, so the first key is the oldest entry.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Forgets every verification of `username`, for example when its password file changed. */
  forgetUser(username: string): void {
    for (const [cacheKey, entry] of this.entries) {
      if (entry.username === username) {
        this.entries.delete(cacheKey);
      }
    }
  }

  /** Forgets every verification. */
  clear(): void {
    this.entries.clear();
  }

  private cacheKey(checkerId: string, username: string, password: Secret): string {
    // Length-prefixed fields, so that no two different triples share an input.
    const hmac = createHmac('sha256', this.key);
    for (const field of [Buffer.from(checkerId), Buffer.from(username), secretBytes(password)]) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(field.length);
      hmac.update(length).update(field);
    }
    return hmac.digest('base64');
  }
}
