/** The benchmark's settings, read from environment variables. */
import type { AdapterName } from './routes.js';

export interface BenchSettings {
  /** Seconds of each measured autocannon run. */
  readonly seconds: number;
  /** Rounds over all routes; each round runs every route once. */
  readonly rounds: number;
  /** Seconds of the warm-up run of each route, before the first round. */
  readonly warmupSeconds: number;
  /** Concurrent connections of autocannon. */
  readonly connections: number;
  readonly adapters: readonly AdapterName[];
  /** Seconds of the extra run of a route under `--cpu-prof`; 0 takes no profile. */
  readonly profileSeconds: number;
  /** Login and logout cycles of the soak. */
  readonly soakCycles: number;
  /** Milliseconds that tinybench spends on each case of the core benchmark. */
  readonly coreTimeMs: number;
  /** Route ids to run; empty runs all. The bare route always runs. */
  readonly routes: readonly string[];
  /** Route ids to profile on every adapter, besides the routes of missed targets. */
  readonly profileRoutes: readonly string[];
  /** Whether the PortalGuard routes run the `AvatarContextInterceptor` (`avatarContext: true`). */
  readonly avatarContext: boolean;
  /** The Markdown page written at the end, relative to the repository root. */
  readonly output: string;
}

/** One environment variable that the benchmark reads, for help text and the report. */
export interface SettingVariable {
  readonly name: string;
  readonly meaning: string;
  readonly defaultValue: string;
}

export const SETTING_VARIABLES: readonly SettingVariable[] = [
  { name: 'BENCH_SECONDS', meaning: 'seconds of each measured run', defaultValue: '3' },
  { name: 'BENCH_ROUNDS', meaning: 'rounds over all routes', defaultValue: '3' },
  {
    name: 'BENCH_WARMUP_SECONDS',
    meaning: 'seconds of the warm-up run of each route',
    defaultValue: '1',
  },
  { name: 'BENCH_CONNECTIONS', meaning: 'autocannon connections', defaultValue: '10' },
  {
    name: 'BENCH_ADAPTERS',
    meaning: 'comma-separated adapters: express, fastify',
    defaultValue: 'express,fastify',
  },
  {
    name: 'BENCH_PROFILE_SECONDS',
    meaning: 'seconds of the profiled run of a route that misses a target; 0 skips profiles',
    defaultValue: '5',
  },
  {
    name: 'BENCH_SOAK_CYCLES',
    meaning: 'login and logout cycles of the soak',
    defaultValue: '1000000',
  },
  {
    name: 'BENCH_CORE_MS',
    meaning: 'milliseconds per case of the Portal.login benchmark',
    defaultValue: '1000',
  },
  {
    name: 'BENCH_ROUTES',
    meaning: 'comma-separated route ids to run (the bare route always runs); empty runs all',
    defaultValue: '',
  },
  {
    name: 'BENCH_PROFILE_ROUTES',
    meaning:
      'comma-separated route ids to profile on every adapter, besides those of missed targets',
    defaultValue: '',
  },
  {
    name: 'BENCH_AVATAR_CONTEXT',
    meaning:
      'on adds the AvatarContextInterceptor (AsyncLocalStorage) to the PortalGuard routes, as avatarContext: true does',
    defaultValue: 'off',
  },
  { name: 'BENCH_OUTPUT', meaning: 'the page to write', defaultValue: 'docs/benchmarks.md' },
];

function numberVariable(name: string, fallback: number, minimum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value < minimum) {
    throw new Error(
      `${name} must be a number of at least ${minimum}, but is ${JSON.stringify(raw)}.`,
    );
  }
  return value;
}

function listVariable(name: string, fallback: readonly string[]): string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') {
    return [...fallback];
  }
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Reads the settings; throws an error naming the variable when one is invalid. */
export function readSettings(): BenchSettings {
  const adapters = listVariable('BENCH_ADAPTERS', ['express', 'fastify']);
  for (const adapter of adapters) {
    if (adapter !== 'express' && adapter !== 'fastify') {
      throw new Error(
        `BENCH_ADAPTERS lists ${JSON.stringify(adapter)}; the adapters are express and fastify.`,
      );
    }
  }
  const avatarContext = process.env.BENCH_AVATAR_CONTEXT?.trim() || 'off';
  if (avatarContext !== 'on' && avatarContext !== 'off') {
    throw new Error(
      `BENCH_AVATAR_CONTEXT must be on or off, but is ${JSON.stringify(avatarContext)}.`,
    );
  }
  return {
    seconds: numberVariable('BENCH_SECONDS', 3, 1),
    rounds: Math.round(numberVariable('BENCH_ROUNDS', 3, 1)),
    warmupSeconds: numberVariable('BENCH_WARMUP_SECONDS', 1, 0.5),
    connections: Math.round(numberVariable('BENCH_CONNECTIONS', 10, 1)),
    adapters: adapters as AdapterName[],
    profileSeconds: numberVariable('BENCH_PROFILE_SECONDS', 5, 0),
    soakCycles: Math.round(numberVariable('BENCH_SOAK_CYCLES', 1_000_000, 1)),
    coreTimeMs: numberVariable('BENCH_CORE_MS', 1000, 10),
    routes: listVariable('BENCH_ROUTES', []),
    profileRoutes: listVariable('BENCH_PROFILE_ROUTES', []),
    avatarContext: avatarContext === 'on',
    output: process.env.BENCH_OUTPUT?.trim() || 'docs/benchmarks.md',
  };
}

/** Returns `NAME=value` for each benchmark variable that is set, for the exact command. */
export function setVariables(): string[] {
  return SETTING_VARIABLES.filter(({ name }) => process.env[name] !== undefined).map(
    ({ name }) => `${name}=${process.env[name]}`,
  );
}
