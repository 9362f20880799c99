import type { PortalLogger } from '../core/logger.js';

/**
 * Writes errors and warnings to a logger, at most `maxPerWindow` of both
 * together per window of `windowMs` milliseconds, so that a flood of failing
 * requests cannot flood the log. Messages over the limit are counted, and the
 * count is logged as an error before the first message of a later window.
 * Warnings go to `logger.error` when the logger has no `warn`.
 */
export class RateLimitedLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Pick<PortalLogger, 'error'> & Partial<Pick<PortalLogger, 'warn'>>,
    private readonly maxPerWindow = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  error(message: string): void {
    if (this.admit()) {
      this.logger.error(message);
    }
  }

  warn(message: string): void {
    if (this.admit()) {
      (this.logger.warn ?? this.logger.error).call(this.logger, message);
    }
  }

  // Starts a new window when the current one is over, and counts the message
  // against the limit: true when it may be written.
  private admit(): boolean {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) {
        this.logger.error(
          `${this.suppressed} more ${this.suppressed === 1 ? 'message was' : 'messages were'} ` +
            'not logged in an earlier ' +
            `${this.windowMs / 1000} s window (limit ${this.maxPerWindow} per window).`,
        );
      }
      this.windowStart = now;
      this.logged = 0;
      this.suppressed = 0;
    }

    if (this.logged < this.maxPerWindow) {
      this.logged++;
      return true;
    }
    this.suppressed++;
    return false;
  }
}
