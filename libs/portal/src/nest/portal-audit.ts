/** The audit events of `PortalGuard`: who listens, and how listeners are called. */
import { Logger } from '@nestjs/common';

import type { PortalLogger } from '../core/logger.js';
import {
  type AuditEvent,
  type AuditListener,
  type AuditLogListenerOptions,
  auditEventLevel,
  createAuditLogListener,
} from '../core/security/audit.js';
import { describeError } from './describe-error.js';
import type { PortalAuditOptions } from './portal-module-options.js';
import { RateLimitedLog } from './rate-limited-log.js';

/** The logger context of the default audit log and of listener failures. */
export const PORTAL_AUDIT_LOGGER_CONTEXT = 'PortalAudit';

// Marks the default log listener, which drops success and logout events
// while Nest's debug level is off, so the guard need not build them then.
const LOGS_SUCCESS_AT_DEBUG = Symbol('nestjs-portal.logsSuccessAtDebug');

type MarkedListener = AuditListener & { [LOGS_SUCCESS_AT_DEBUG]?: true };

/**
 * Sends the audit events of `PortalGuard` (`login.succeeded`, `login.failed`
 * and `logout`) to its listeners. One per application, made by
 * `PortalModule`; inject it to subscribe:
 *
 * ```ts
 * @Injectable()
 * export class LoginMetrics implements OnModuleInit, OnModuleDestroy {
 *   private removeListener = () => {};
 *   constructor(private readonly audit: PortalAudit) {}
 *   onModuleInit() {
 *     this.removeListener = this.audit.addListener((event) => this.count(event));
 *   }
 *   onModuleDestroy() {
 *     this.removeListener();
 *   }
 * }
 * ```
 *
 * Listeners run synchronously while the guard handles the request, in the
 * order they were added, and the guard never waits for a promise one returns,
 * so hand slow work (a network call, a database write) to a queue. A listener
 * that throws or rejects is logged under `PortalAudit` (at most 10 errors a
 * minute) and changes nothing for the client or for the other listeners.
 * Events are frozen, so no listener can change what the next one sees.
 */
export class PortalAudit {
  // Replaced, never mutated, so an emit in progress keeps its own list.
  private listeners: readonly AuditListener[];
  private readonly errorLog: RateLimitedLog;

  constructor(
    listeners: Iterable<AuditListener> = [],
    logger: Pick<PortalLogger, 'error'> = new Logger(PORTAL_AUDIT_LOGGER_CONTEXT),
  ) {
    this.listeners = Object.freeze([...listeners]);
    this.errorLog = new RateLimitedLog(logger);
  }

  /** Whether any listener is registered; the guard builds events only then. */
  get enabled(): boolean {
    return this.listeners.length > 0;
  }

  /**
   * Whether any listener would use a `login.succeeded` or `logout` event: a
   * listener of the application's, or the default log with Nest's debug level
   * on. The guard skips building those events otherwise, since they come with
   * every successful request.
   */
  get wantsSuccessEvents(): boolean {
    for (const listener of this.listeners) {
      if (!(listener as MarkedListener)[LOGS_SUCCESS_AT_DEBUG]) {
        return true;
      }
    }
    return this.listeners.length > 0 && Logger.isLevelEnabled('debug');
  }

  /**
   * Adds a listener after those already registered. Returns a function that
   * removes it again (calling it twice does nothing). Throws `TypeError` when
   * `listener` is not a function.
   */
  addListener(listener: AuditListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('PortalAudit.addListener() needs a function of the audit event.');
    }
    this.listeners = Object.freeze([...this.listeners, listener]);
    let removed = false;
    return () => {
      if (removed) {
        return;
      }
      removed = true;
      const index = this.listeners.indexOf(listener);
      if (index !== -1) {
        this.listeners = Object.freeze(this.listeners.filter((_, position) => position !== index));
      }
    };
  }

  /** Calls every listener with `event`, frozen. Never throws. */
  emit(event: AuditEvent): void {
    const frozen = Object.freeze(event);
    for (const listener of this.listeners) {
      try {
        const result = listener(frozen) as unknown;
        if (typeof (result as PromiseLike<void> | undefined)?.then === 'function') {
          (result as PromiseLike<void>).then(undefined, (error: unknown) =>
            this.reportFailure(frozen, error),
          );
        }
      } catch (error) {
        this.reportFailure(frozen, error);
      }
    }
  }

  private reportFailure(event: AuditEvent, error: unknown): void {
    this.errorLog.error(
      `An audit listener failed on a ${event.type} event: ${describeError(error)}`,
    );
  }
}

/**
 * Makes the application's `PortalAudit` from the module's `audit` option:
 * the configured listeners, then the default log listener unless `log` is
 * false. `false` gives a `PortalAudit` without listeners, to which providers
 * can still add their own.
 */
export function createPortalAudit(options: PortalAuditOptions | false | undefined): PortalAudit {
  if (options === false) {
    return new PortalAudit();
  }
  const listeners = [...(options?.listeners ?? [])];
  const log = options?.log ?? true;
  if (log !== false) {
    listeners.push(nestAuditLogListener(log === true ? {} : log));
  }
  return new PortalAudit(listeners);
}

/**
 * Returns `createAuditLogListener` writing through Nest's `Logger` under
 * `PortalAudit`. Events logged at debug are not even formatted while Nest's
 * debug level is off (an app's `logger` levels without `debug`).
 */
function nestAuditLogListener(options: AuditLogListenerOptions): AuditListener {
  const write = createAuditLogListener(new Logger(PORTAL_AUDIT_LOGGER_CONTEXT), options);
  const listener: MarkedListener = (event) => {
    if (auditEventLevel(event) === 'debug' && !Logger.isLevelEnabled('debug')) {
      return;
    }
    write(event);
  };
  listener[LOGS_SUCCESS_AT_DEBUG] = true;
  return listener;
}
