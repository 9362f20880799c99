import type { PortalLogger } from '../logger.js';
import type { Secret } from '../secrets.js';
import type { WeakHashScheme } from './htpasswd-hashes.js';

/** The argument of `onWeakHash`, after a successful login against a weak stored hash. */
export interface WeakHashEvent {
  /** The username that logged in. */
  readonly username: string;
  /** The password that just matched, as the client sent it, for `hashPassword`. */
  readonly password: Secret;
  /** The stored hash's scheme: `plaintext`, `sha1`, `apr1`, `md5-crypt`, `des-crypt` or `bcrypt`. */
  readonly scheme: WeakHashScheme;
  /** The reason the stored hash is weak, as a phrase for a log line. */
  readonly reason: string;
  /**
   * The hash field as the file contains it, so that a rewrite can leave the
   * entry alone when it has changed since this login.
   */
  readonly storedHash: string;
}

/**
 * Receives the password of a user whose stored hash is weak, after a
 * successful login, so that the application can store a stronger hash. It
 * runs after the login has resolved. A hook that throws or rejects is logged
 * (by error name only) and does not affect the login.
 */
export type WeakHashHook = (event: WeakHashEvent) => void | Promise<void>;

/** The number of users whose reported hash is remembered; past it the oldest is dropped. */
export const MAX_TRACKED_WEAK_HASH_USERS = 10_000;

/**
 * Calls a `WeakHashHook` at most once per user and stored hash while the user
 * is tracked. `notify` only schedules the call (with `setImmediate`), so the
 * hook never runs inside the login that triggered it.
 */
export class WeakHashNotifier {
  // username -> the stored hash last reported for it, oldest first.
  private readonly reported = new Map<string, string>();

  constructor(
    private readonly hook: WeakHashHook,
    private readonly logger: PortalLogger,
    private readonly maxTracked = MAX_TRACKED_WEAK_HASH_USERS,
  ) {}

  /** The number of users tracked. */
  get size(): number {
    return this.reported.size;
  }

  /**
   * Schedules the hook for `event` unless this user's current stored hash was
   * reported already. Returns at once; the hook runs in a later event-loop turn.
   */
  notify(event: WeakHashEvent): void {
    if (this.reported.get(event.username) === event.storedHash) {
      return;
    }
    this.reported.delete(event.username);
    this.reported.set(event.username, event.storedHash);
    if (this.reported.size > this.maxTracked) {
      const oldest = this.reported.keys().next().value as string;
      this.reported.delete(oldest);
    }

    // A copy, because the caller may reuse or zero its buffer after the login.
    const password =
      typeof event.password === 'string' ? event.password : Uint8Array.from(event.password);
    setImmediate(() => void this.run({ ...event, password }));
  }

  /** Forgets what was reported for `username`, so that its next weak login is reported again. */
  forgetUser(username: string): void {
    this.reported.delete(username);
  }

  private async run(event: WeakHashEvent): Promise<void> {
    try {
      await this.hook(event);
    } catch (error) {
      // The name only: a message could quote the password the hook received.
      const kind = error instanceof Error ? error.name : typeof error;
      this.logger.error(
        `The onWeakHash hook failed with ${kind} for user ${JSON.stringify(event.username)}; ` +
          'the login succeeded, and the hook is called again for this user only after its ' +
          'stored hash changes or the process restarts.',
      );
    }
  }
}
