/**
 * Event-loop delay while many logins run at once: `Portal.login` against an
 * `HtpasswdFile` of each scheme, with 200 logins in flight, next to the same
 * measurement with no logins. bcrypt and argon2id hash in libuv's thread pool,
 * so the loop stays free; $apr1$, DES crypt and {SHA} hash on the loop itself.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { type BenchScheme, htpasswdFixture, SCHEME_LABELS } from './support/htpasswd-fixture.js';

/** One row: the event-loop delay during one case. */
export interface EventLoopDelayRow {
  readonly name: string;
  /** Logins completed during the measurement (0 for the idle case). */
  readonly logins: number;
  readonly seconds: number;
  readonly loginsPerSecond: number;
  /** Event-loop delay percentiles and maximum, in milliseconds, beyond the sampling interval. */
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  /**
   * The share of the time the event loop spent running callbacks, 0 to 1
   * (`performance.eventLoopUtilization`). A delay with low utilization comes
   * from waiting for a CPU, not from JavaScript blocking the loop.
   */
  readonly loopUtilization: number;
}

/** Options of `runEventLoopBench`. */
export interface EventLoopBenchOptions {
  /** Logins in flight at once. Default 200. */
  concurrency?: number;
  /** Each case runs at least this long, in milliseconds. Default 3000. */
  minDurationMs?: number;
  /** The names of the cases to run, from `EVENT_LOOP_CASES`. Default: all. */
  cases?: readonly string[];
}

// The histogram samples every millisecond. Each sample is the time between two
// timer callbacks, which includes this interval, so it is subtracted.
const RESOLUTION_MS = 1;
const USERS_PER_FILE = 10;

interface Case {
  readonly name: string;
  readonly scheme?: BenchScheme;
  readonly verificationCache?: boolean;
}

// argon2id uses the smaller parameters, because 200 logins with
// hashPassword's defaults take over 30 s on two cores; both run off the loop.
const CASES: readonly Case[] = [
  { name: 'no logins' },
  { name: SCHEME_LABELS.bcrypt, scheme: 'bcrypt' },
  {
    name: `${SCHEME_LABELS.bcrypt}, verificationCache on`,
    scheme: 'bcrypt',
    verificationCache: true,
  },
  { name: SCHEME_LABELS['argon2id-small'], scheme: 'argon2id-small' },
  { name: SCHEME_LABELS.apr1, scheme: 'apr1' },
  { name: SCHEME_LABELS['des-crypt'], scheme: 'des-crypt' },
  { name: SCHEME_LABELS.sha1, scheme: 'sha1' },
];

/** The names of the cases, in the order they run. */
export const EVENT_LOOP_CASES: readonly string[] = CASES.map((benchCase) => benchCase.name);

/**
 * Measures the event-loop delay (`perf_hooks.monitorEventLoopDelay`) for each
 * case. A login case keeps `concurrency` successful logins in flight until at
 * least `concurrency` logins have started and `minDurationMs` has passed,
 * then waits for the last ones to finish.
 */
export async function runEventLoopBench(
  options: EventLoopBenchOptions = {},
): Promise<EventLoopDelayRow[]> {
  const concurrency = options.concurrency ?? 200;
  const minDurationMs = options.minDurationMs ?? 3000;
  const rows: EventLoopDelayRow[] = [];

  for (const benchCase of CASES) {
    if (options.cases && !options.cases.includes(benchCase.name)) {
      continue;
    }
    rows.push(await measure(benchCase, concurrency, minDurationMs));
  }
  return rows;
}

async function measure(
  benchCase: Case,
  concurrency: number,
  minDurationMs: number,
): Promise<EventLoopDelayRow> {
  const fixture = benchCase.scheme
    ? await htpasswdFixture(benchCase.scheme, USERS_PER_FILE, {
        verificationCache: benchCase.verificationCache ? {} : false,
      })
    : undefined;

  try {
    // Loads the file, and fills the cache in the cached case.
    for (const user of fixture?.users ?? []) {
      await fixture?.login(user.username, user.password);
    }

    const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    histogram.enable();
    const utilizationBefore = performance.eventLoopUtilization();
    const started = performance.now();
    let logins = 0;

    if (fixture) {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < concurrency || performance.now() - started < minDurationMs) {
          const user = fixture.users[next % fixture.users.length];
          next += 1;
          if (!(await fixture.login(user.username, user.password))) {
            throw new Error(`Login of ${user.username} failed during the benchmark.`);
          }
          logins += 1;
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
    } else {
      await new Promise((resolve) => setTimeout(resolve, minDurationMs));
    }

    const seconds = (performance.now() - started) / 1000;
    const loopUtilization = performance.eventLoopUtilization(utilizationBefore).utilization;
    histogram.disable();
    const beyondInterval = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
    return {
      name: benchCase.name,
      logins,
      seconds,
      loginsPerSecond: logins / seconds,
      delayP50Ms: beyondInterval(histogram.percentile(50)),
      delayP99Ms: beyondInterval(histogram.percentile(99)),
      delayMaxMs: beyondInterval(histogram.max),
      loopUtilization,
    };
  } finally {
    await fixture?.remove();
  }
}
