import type { PortalLogger } from '../logger.js';
import { ANONYMOUS, type AvatarId } from '../realm.js';

/** The reason a login failed, as audit events report it. */
export type LoginFailureReason =
  /** The `Authorization` scheme has no credential factory. */
  | 'unknown_scheme'
  /** Malformed or wrong credentials, or credentials no checker handles. */
  | 'bad_credentials'
  /** A throttling limit was passed, so the credentials were not checked. */
  | 'throttled'
  /** The realm refused this user the requested avatar interfaces. */
  | 'denied';

/** Fields that every audit event has. None of them is ever a secret. */
interface AuditEventBase {
  /** When it happened. */
  readonly time: Date;
  /**
   * The authentication scheme in lower case (`basic`, `digest`), `anonymous`
   * for no `Authorization` header, or `-` for a scheme that no credential
   * factory has. The text of an unknown scheme is not kept, because a client
   * may put a token where the scheme belongs.
   */
  readonly scheme: string;
  /** The client's address, as the HTTP adapter reports it. */
  readonly address?: string;
  /**
   * The request's id: its `X-Request-Id` header when that is a short token of
   * safe characters, otherwise a random UUID that the guard made.
   */
  readonly requestId?: string;
}

/** An audit event: a login that succeeded, one that failed, or a logout. */
export type AuditEvent =
  | (AuditEventBase & {
      readonly type: 'login.succeeded';
      readonly avatarId: AvatarId;
      /** The avatar interface the realm chose. */
      readonly avatarInterface: string;
    })
  | (AuditEventBase & {
      readonly type: 'login.failed';
      readonly reason: LoginFailureReason;
      /** The username the client tried, when the credentials carry one. */
      readonly username?: string;
      /** The avatar id, when the checker accepted the credentials and the realm denied them. */
      readonly avatarId?: AvatarId;
      /**
       * True when the failure is an ordinary step of a challenge-response
       * login rather than a wrong guess: an anonymous request refused where a
       * login is needed (the client then responds to the challenge), or a Digest
       * response with the right password and a stale nonce.
       */
      readonly handshake?: boolean;
    })
  | (AuditEventBase & {
      readonly type: 'logout';
      readonly avatarId: AvatarId;
      /** How long the session lasted, in milliseconds. */
      readonly durationMs: number;
    });

/** Receives audit events. A listener that throws or rejects is logged and ignored. */
export type AuditListener = (event: AuditEvent) => void | Promise<void>;

/** Options of `createAuditLogListener`. */
export interface AuditLogListenerOptions {
  /** Lines per reason and address in one interval before repeats are counted instead. Default 5. */
  maxLinesPerInterval?: number;
  /** The interval of `maxLinesPerInterval`, in milliseconds. Default 60000. */
  intervalMs?: number;
  /** The maximum number of reason-and-address pairs tracked at once. Default 10000. */
  maxTrackedSources?: number;
  /** The clock, in epoch milliseconds; tests replace it. Default `Date.now`. */
  now?: () => number;
}

interface RepeatWindow {
  startedAt: number;
  lines: number;
  suppressed: number;
}

/**
 * Returns the level at which `createAuditLogListener` writes an event:
 * `warn` for a failed login, `debug` for everything else, handshake steps
 * included.
 */
export function auditEventLevel(event: AuditEvent): 'debug' | 'warn' {
  return event.type === 'login.failed' && event.handshake !== true ? 'warn' : 'debug';
}

/**
 * Returns an audit listener that writes events to `logger`: successful logins,
 * logouts and handshake steps at debug level (or log, when the logger has no
 * `debug`), other failed logins as warnings.
 *
 * Failed logins are rate-limited per reason and client address, because a
 * password-guessing flood must not flood the log too. Past
 * `maxLinesPerInterval` lines in an interval, further failures are counted,
 * and the next line after the interval reports how many were suppressed.
 */
export function createAuditLogListener(
  logger: PortalLogger,
  options: AuditLogListenerOptions = {},
): AuditListener {
  const maxLines = options.maxLinesPerInterval ?? 5;
  const intervalMs = options.intervalMs ?? 60_000;
  const maxSources = options.maxTrackedSources ?? 10_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, RepeatWindow>();

  const debug = (message: string): void =>
    logger.debug ? logger.debug(message) : logger.log(message);

  return (event) => {
    if (event.type !== 'login.failed' || auditEventLevel(event) === 'debug') {
      debug(formatAuditEvent(event));
      return;
    }

    const source = `${event.reason} ${event.address ?? '-'}`;
    const time = now();
    let window = windows.get(source);
    if (!window || time - window.startedAt >= intervalMs) {
      const suppressed = window?.suppressed ?? 0;
      windows.delete(source);
      window = { startedAt: time, lines: 0, suppressed: 0 };
      windows.set(source, window);
      if (windows.size > maxSources) {
        windows.delete(windows.keys().next().value as string);
      }
      if (suppressed > 0) {
        logger.warn(
          `${suppressed} more failed logins (${event.reason}) from ${event.address ?? 'an unknown address'} were not logged in the last interval.`,
        );
      }
    }
    if (window.lines < maxLines) {
      window.lines += 1;
      logger.warn(formatAuditEvent(event));
    } else {
      window.suppressed += 1;
    }
  };
}

/** Formats an audit event as one log line, without any secret. */
export function formatAuditEvent(event: AuditEvent): string {
  const parts: string[] = [];
  switch (event.type) {
    case 'login.succeeded':
      parts.push(
        `Login succeeded: avatar ${describeAvatarId(event.avatarId)} as ${event.avatarInterface}`,
      );
      break;
    case 'login.failed':
      parts.push(`Login failed (${event.reason}${event.handshake === true ? ', handshake' : ''})`);
      if (event.username !== undefined) {
        parts.push(`username ${JSON.stringify(truncate(event.username, 64))}`);
      }
      if (event.avatarId !== undefined) {
        parts.push(`avatar ${describeAvatarId(event.avatarId)}`);
      }
      break;
    case 'logout':
      parts.push(
        `Logged out: avatar ${describeAvatarId(event.avatarId)} after ${event.durationMs} ms`,
      );
      break;
  }
  parts.push(`scheme ${event.scheme}`);
  parts.push(`address ${event.address ?? '-'}`);
  parts.push(`request ${event.requestId ?? '-'}`);
  return parts.join(', ');
}

function describeAvatarId(avatarId: AvatarId): string {
  return avatarId === ANONYMOUS ? '(anonymous)' : JSON.stringify(truncate(avatarId, 64));
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength)}…`;
}
