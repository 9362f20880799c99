/**
 * Equal work for unknown users: the time of a failed login for a user that
 * does not exist next to a wrong password for one that does, through
 * `Portal.login` and an `HtpasswdFile` of each scheme. The logins run one at
 * a time, alternating, so that neither side waits in a queue.
 */
import {
  type BenchScheme,
  htpasswdFixture,
  percentile,
  SCHEME_LABELS,
} from './support/htpasswd-fixture.js';

/** One row: both timings for one scheme. */
export interface UnknownUserRow {
  readonly scheme: string;
  /** Logins timed on each side. */
  readonly samples: number;
  /** Times in milliseconds. */
  readonly wrongPasswordMedianMs: number;
  readonly wrongPasswordP95Ms: number;
  readonly unknownUserMedianMs: number;
  readonly unknownUserP95Ms: number;
  /** The unknown user's median divided by the wrong password's median. */
  readonly ratio: number;
}

/** Options of `runUnknownUserBench`. */
export interface UnknownUserBenchOptions {
  /** Multiplies every case's sample count. Default 1. */
  sampleScale?: number;
}

const USERS_PER_FILE = 10;

// Sample counts keep each slow case to a few seconds on one core.
const CASES: readonly { readonly scheme: BenchScheme; readonly samples: number }[] = [
  { scheme: 'bcrypt', samples: 60 },
  { scheme: 'argon2id', samples: 20 },
  { scheme: 'apr1', samples: 500 },
  { scheme: 'des-crypt', samples: 1000 },
  { scheme: 'sha1', samples: 2000 },
];

/** Times unknown-user and wrong-password logins for each scheme. */
export async function runUnknownUserBench(
  options: UnknownUserBenchOptions = {},
): Promise<UnknownUserRow[]> {
  const scale = options.sampleScale ?? 1;
  const rows: UnknownUserRow[] = [];
  for (const { scheme, samples } of CASES) {
    rows.push(await measure(scheme, Math.max(5, Math.round(samples * scale))));
  }
  return rows;
}

async function measure(scheme: BenchScheme, samples: number): Promise<UnknownUserRow> {
  const fixture = await htpasswdFixture(scheme, USERS_PER_FILE);
  try {
    const known = fixture.users[0].username;
    const wrongPassword: number[] = [];
    const unknownUser: number[] = [];

    const timeFailure = async (username: string): Promise<number> => {
      const started = process.hrtime.bigint();
      const succeeded = await fixture.login(username, 'not-the-password');
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (succeeded) {
        throw new Error(`Login of ${username} with a wrong password succeeded.`);
      }
      return elapsed;
    };

    // Warm-up: loads the file, makes the decoy hash, and compiles the paths.
    for (let i = 0; i < 3; i += 1) {
      await timeFailure(known);
      await timeFailure('nobody');
    }
    for (let i = 0; i < samples; i += 1) {
      wrongPassword.push(await timeFailure(known));
      unknownUser.push(await timeFailure(`nobody${i}`));
    }

    wrongPassword.sort((a, b) => a - b);
    unknownUser.sort((a, b) => a - b);
    const wrongPasswordMedianMs = percentile(wrongPassword, 50);
    const unknownUserMedianMs = percentile(unknownUser, 50);
    return {
      scheme: SCHEME_LABELS[scheme],
      samples,
      wrongPasswordMedianMs,
      wrongPasswordP95Ms: percentile(wrongPassword, 95),
      unknownUserMedianMs,
      unknownUserP95Ms: percentile(unknownUser, 95),
      ratio: unknownUserMedianMs / wrongPasswordMedianMs,
    };
  } finally {
    await fixture.remove();
  }
}
