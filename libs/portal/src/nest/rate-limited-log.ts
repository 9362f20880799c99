import type { PortalLogger } from '../core/logger.js';

/**
 * Writes errors to a logger, at most `maxPerWindow` per window of `windowMs`
 * milliseconds, so that a flood of failing requests cannot flood the log.
 * Errors over the limit are counted, and the count is logged with the first
 * error of a later window.
 */
export class RateLimitedLog {
  private windowStart = Number.NEGATIVE_INFINITY;
  private logged = 0;
  private suppressed = 0;

  constructor(
    private readonly logger: Pick<PortalLogger, 'error'>,
    private readonly maxPerWindow = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  error(message: string): void {
    const now = this.now();
    if (now - this.windowStart >= this.windowMs) {
      if (this.suppressed > 0) {
        this.logger.error(
          `${this.suppressed} more errors were not logged in an earlier ` +
            `${this.windowMs / 1000} s window (limit ${this.maxPerWindow} per window).`,
        );
      }
      this.windowStart = now;
      this.logged = 0;
      this.suppressed = 0;
    }

    if (this.logged < this.maxPerWindow) {
      this.logged++;
      this.logger.error(message);
    } else {
      this.suppressed++;
    }
  }
}
