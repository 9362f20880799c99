/**
 * Digest nonces: stateless, HMAC-signed nonces and opaque values, and the
 * bounded table of nonce counts that refuses replays.
 */
import { createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';

import { type Secret, secretBytes } from '../core/secrets.js';
import type { DigestAlgorithm } from './digest-hash.js';

/** The context a nonce is bound to: the factory's realm and the algorithm of its challenge. */
export interface DigestNonceContext {
  readonly realm: string;
  readonly algorithm: DigestAlgorithm;
}

/**
 * The outcome of checking a nonce and opaque that a client sent back:
 * `valid` (issued here, still within its lifetime), `stale` (issued here, but
 * expired) or `invalid` (not issued here for this realm and algorithm, or the
 * opaque does not belong to it). `issuedAt` is in milliseconds since the epoch.
 */
export type DigestNonceCheck =
  | { readonly status: 'valid' | 'stale'; readonly issuedAt: number }
  | { readonly status: 'invalid' };

/**
 * Issues and checks Digest nonces. The default is `HmacDigestNonceSource`;
 * another source can keep nonces in a shared store, or issue fixed nonces in
 * tests.
 */
export interface DigestNonceSource {
  /** Creates the nonce and opaque of a new challenge. */
  issue(context: DigestNonceContext): { nonce: string; opaque: string };
  /** Checks a nonce and opaque that a client returned. Never throws for any string input. */
  check(nonce: string, opaque: string, context: DigestNonceContext): DigestNonceCheck;
}

/** Options of `HmacDigestNonceSource`. */
export interface HmacDigestNonceSourceOptions {
  /**
   * The HMAC-SHA-256 key, at least 16 bytes (32 random bytes recommended); a
   * string counts as its UTF-8 bytes. Instances sharing it accept each
   * other's nonces. Default: `PROCESS_NONCE_SECRET`, random per process.
   */
  readonly secret?: Secret;
  /** How long a nonce stays valid, in seconds. Default 300 (5 minutes). */
  readonly lifetimeSeconds?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * The default nonce secret: random, made once per process, shared by every
 * nonce source of the process that has no secret of its own. Nonces signed
 * with it are invalid in other processes and after a restart.
 */
const PROCESS_NONCE_SECRET = randomBytes(32);

// Random bytes for nonces, drawn from the OS in blocks: one randomFillSync
// call per 12-byte nonce cost 6-10% of a 401 response in the benchmark
// profile. Each byte is handed out once.
const randomPool = Buffer.alloc(4096);
let randomPoolOffset = randomPool.length;

function takeRandomBytes(count: number): Buffer {
  if (randomPoolOffset + count > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const bytes = randomPool.subarray(randomPoolOffset, randomPoolOffset + count);
  randomPoolOffset += count;
  return bytes;
}

/** Default nonce lifetime: 5 minutes. */
export const DEFAULT_NONCE_LIFETIME_SECONDS = 300;

/**
 * How far in the future a nonce's issue time may lie, in milliseconds, when
 * instances sharing a secret have slightly different clocks.
 */
const MAX_CLOCK_SKEW_MS = 60_000;

const ISSUED_AT_BYTES = 8;
const RANDOM_BYTES = 12;
const MAC_BYTES = 16;
const NONCE_BYTES = ISSUED_AT_BYTES + RANDOM_BYTES + MAC_BYTES;
// base64url without padding of NONCE_BYTES (36) bytes.
const NONCE_PATTERN = /^[A-Za-z0-9_-]{48}$/;

/**
 * Stateless Digest nonces signed with HMAC-SHA-256.
 *
 * A nonce is base64url of `issuedAt (8 bytes, ms) || random (12 bytes) ||
 * MAC (16 bytes)`, where the MAC covers the first 20 bytes, the realm and the
 * algorithm. The opaque is a MAC of the nonce, so it stays valid exactly as
 * long as its nonce does. Nothing is stored per nonce: any process with the
 * same secret can check it.
 */
export class HmacDigestNonceSource implements DigestNonceSource {
  private readonly key: Buffer;
  private readonly lifetimeMs: number;
  private readonly opaques = new Map<string, string>();
  private readonly now: () => number;

  constructor(options: HmacDigestNonceSourceOptions = {}) {
    this.key = options.secret === undefined ? PROCESS_NONCE_SECRET : secretBytes(options.secret);
    if (this.key.length < 16) {
      throw new TypeError('The Digest nonce secret must be at least 16 bytes long.');
    }
    const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_NONCE_LIFETIME_SECONDS;
    if (!Number.isFinite(lifetimeSeconds) || lifetimeSeconds <= 0) {
      throw new TypeError('The Digest nonce lifetime must be a positive number of seconds.');
    }
    this.lifetimeMs = lifetimeSeconds * 1000;
    this.now = options.now ?? Date.now;
  }

  issue(context: DigestNonceContext): { nonce: string; opaque: string } {
    const body = Buffer.alloc(ISSUED_AT_BYTES + RANDOM_BYTES);
    body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(this.now()))), 0);
    takeRandomBytes(RANDOM_BYTES).copy(body, ISSUED_AT_BYTES);
    const nonce = Buffer.concat([body, this.nonceMac(body, context)]).toString('base64url');
    return { nonce, opaque: this.opaqueFor(context) };
  }

  check(nonce: string, opaque: string, context: DigestNonceContext): DigestNonceCheck {
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
      return { status: 'invalid' };
    }
    const bytes = Buffer.from(nonce, 'base64url');
    if (bytes.length !== NONCE_BYTES) {
      return { status: 'invalid' };
    }
    const body = bytes.subarray(0, ISSUED_AT_BYTES + RANDOM_BYTES);
    const mac = bytes.subarray(ISSUED_AT_BYTES + RANDOM_BYTES);
    const expectedOpaque = Buffer.from(this.opaqueFor(context));
    const givenOpaque = Buffer.from(typeof opaque === 'string' ? opaque : '');
    const opaqueMatches =
      givenOpaque.length === expectedOpaque.length && timingSafeEqual(givenOpaque, expectedOpaque);
    if (!timingSafeEqual(mac, this.nonceMac(body, context)) || !opaqueMatches) {
      return { status: 'invalid' };
    }

    const issuedAt = Number(body.readBigUInt64BE(0));
    const age = this.now() - issuedAt;
    if (age < -MAX_CLOCK_SKEW_MS) {
      return { status: 'invalid' };
    }
    return { status: age > this.lifetimeMs ? 'stale' : 'valid', issuedAt };
  }

  private nonceMac(body: Buffer, context: DigestNonceContext): Buffer {
    return createHmac('sha256', this.key)
      .update('nestjs-portal digest nonce\0')
      .update(Buffer.from(`${context.realm}\0${context.algorithm}\0`, 'utf8'))
      .update(body)
      .digest()
      .subarray(0, MAC_BYTES);
  }

  // The opaque only has to come back unchanged: the nonce carries the MAC that
  // matters, and a client could copy any opaque from a challenge anyway. So it
  // is one value per realm and algorithm, computed once, which saved an HMAC
  // per challenge and per login (about 6% of a Digest login in the profile).
  private opaqueFor(context: DigestNonceContext): string {
    const cacheKey = `${context.realm}\0${context.algorithm}`;
    let opaque = this.opaques.get(cacheKey);
    if (opaque === undefined) {
      opaque = createHmac('sha256', this.key)
        .update('nestjs-portal digest opaque\0')
        .update(Buffer.from(`${context.realm}\0${context.algorithm}\0`, 'utf8'))
        .digest()
        .subarray(0, MAC_BYTES)
        .toString('base64url');
      // A factory has one realm and one algorithm, so this stays tiny; the cap
      // only guards against a caller inventing contexts.
      if (this.opaques.size < 64) {
        this.opaques.set(cacheKey, opaque);
      }
    }
    return opaque;
  }
}

/** Options of `NonceCountTable`. */
export interface NonceCountTableOptions {
  /** Most nonces remembered at once. Default 10,000. */
  readonly maxNonces?: number;
  /**
   * How many nonce counts below the highest one seen for a nonce are still
   * accepted once (for requests that arrive out of order). Default 128.
   */
  readonly window?: number;
}

interface NonceCounts {
  readonly issuedAt: number;
  highest: number;
  readonly seen: Set<number>;
}

/**
 * Remembers which nonce counts (`nc`) each nonce was used with, so that a
 * replayed request is refused (RFC 7616 §5.5). Gaps are allowed: a client may
 * skip counts, and requests may arrive out of order within `window`.
 *
 * Bounded: at most `maxNonces` nonces, and at most `window` counts per nonce.
 * When full, the nonce first recorded is forgotten. From then on, every nonce
 * issued no later than a forgotten one is refused as if replayed, so that
 * forgetting never lets a replay through. Its client gets `stale=true` and
 * retries with a fresh nonce.
 */
export class NonceCountTable {
  private readonly entries = new Map<string, NonceCounts>();
  private readonly maxNonces: number;
  private readonly window: number;
  // Nonces issued at or before this time and not in the table are refused.
  private forgottenUpTo = Number.NEGATIVE_INFINITY;

  constructor(options: NonceCountTableOptions = {}) {
    this.maxNonces = positiveInteger(options.maxNonces ?? 10_000, 'maxNonces');
    this.window = positiveInteger(options.window ?? 128, 'window');
  }

  /** The number of nonces in the table now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Records that `nonce` (issued at `issuedAt`, ms) was used with count `nc`.
   * Returns false when that count was used before, lies below the window, or
   * the nonce may have been forgotten; true when it is new.
   */
  record(nonce: string, issuedAt: number, nc: number): boolean {
    let counts = this.entries.get(nonce);
    if (!counts) {
      if (issuedAt <= this.forgottenUpTo) {
        return false;
      }
      counts = { issuedAt, highest: nc, seen: new Set([nc]) };
      this.entries.set(nonce, counts);
      this.evictOverflow();
      return true;
    }

    if (nc <= counts.highest - this.window || counts.seen.has(nc)) {
      return false;
    }
    counts.seen.add(nc);
    if (nc > counts.highest) {
      counts.highest = nc;
      if (counts.seen.size > this.window) {
        for (const old of counts.seen) {
          if (old <= counts.highest - this.window) {
            counts.seen.delete(old);
          }
        }
      }
    }
    return true;
  }

  /**
   * Forgets the nonces issued before `issuedBefore` (ms), which have expired,
   * so that their space is free. Expired nonces are refused by their age, so
   * forgetting them lets no replay through.
   */
  forgetIssuedBefore(issuedBefore: number): void {
    for (const [nonce, counts] of this.entries) {
      if (counts.issuedAt < issuedBefore) {
        this.entries.delete(nonce);
      }
    }
  }

  private evictOverflow(): void {
    while (this.entries.size > this.maxNonces) {
      const [oldestNonce, oldest] = this.entries.entries().next().value as [string, NonceCounts];
      this.entries.delete(oldestNonce);
      this.forgottenUpTo = Math.max(this.forgottenUpTo, oldest.issuedAt);
    }
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`NonceCountTable option ${name} must be a positive integer.`);
  }
  return value;
}
