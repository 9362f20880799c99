/**
 * The HTTP benchmark: per adapter, one server process and one load runner
 * process, a warm-up of every route, then rounds that run every route once
 * in the same order. Each route's figure is compared with the bare route of
 * the same round.
 */
import type { BenchFixtures } from './fixtures.js';
import { runLoad, startServer } from './processes.js';
import type { AdapterName, LoadStep, RouteSpec, StepResult } from './routes.js';
import type { BenchSettings } from './settings.js';

export const BARE_ROUTE = 'bare';

/** The figures of one route on one adapter, over all rounds. */
export interface RouteRow {
  readonly route: RouteSpec;
  readonly rounds: number;
  /** Medians over the rounds. */
  readonly requestsPerSecond: number;
  readonly latencyP99Ms: number;
  /** Median of the per-round ratios to the bare route, and their range. */
  readonly ratioToBare: number;
  readonly ratioMin: number;
  readonly ratioMax: number;
  /** Medians of CPU time as a share of one core; null where /proc was not readable. */
  readonly serverCpu: number | null;
  readonly generatorCpu: number;
  /** Everything that was not as expected, in any step of the route; empty when valid. */
  readonly problems: readonly string[];
}

export interface AdapterResult {
  readonly adapter: AdapterName;
  readonly rows: readonly RouteRow[];
  /** Every step, for per-round comparisons between routes. */
  readonly steps: readonly StepResult[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Returns the measured steps of one route, by round. */
function measuredByRound(steps: readonly StepResult[], routeId: string): Map<number, StepResult> {
  return new Map(
    steps
      .filter((step) => step.phase === 'measure' && step.routeId === routeId)
      .map((step) => [step.round, step]),
  );
}

/**
 * Per-round ratios of route `numerator` to route `denominator` on the same
 * adapter: requests per second of one over the other, for each round both ran.
 */
export function perRoundRatios(
  steps: readonly StepResult[],
  numerator: string,
  denominator: string,
): number[] {
  const top = measuredByRound(steps, numerator);
  const bottom = measuredByRound(steps, denominator);
  const ratios: number[] = [];
  for (const [round, step] of top) {
    const other = bottom.get(round);
    if (other && other.requestsPerSecond > 0) {
      ratios.push(step.requestsPerSecond / other.requestsPerSecond);
    }
  }
  return ratios;
}

function summarise(route: RouteSpec, steps: readonly StepResult[]): RouteRow {
  const own = steps.filter((step) => step.routeId === route.id);
  const measured = own.filter((step) => step.phase === 'measure');
  const ratios = perRoundRatios(steps, route.id, BARE_ROUTE);
  const serverCpu = measured.map((step) => step.serverCpu).filter((cpu) => cpu !== null);
  const problems = own.flatMap((step) =>
    step.problems.map((problem) =>
      step.phase === 'measure' ? `round ${step.round}: ${problem}` : `${step.phase}: ${problem}`,
    ),
  );
  return {
    route,
    rounds: measured.length,
    requestsPerSecond: median(measured.map((step) => step.requestsPerSecond)),
    latencyP99Ms: median(measured.map((step) => step.latencyP99Ms)),
    ratioToBare: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    serverCpu: serverCpu.length > 0 ? median(serverCpu) : null,
    generatorCpu: median(measured.map((step) => step.generatorCpu)),
    problems,
  };
}

/** Returns the routes to run (all, or the selected ones and the bare route) in table order. */
export function selectRoutes(
  routes: readonly RouteSpec[],
  selected: readonly string[],
  variable = 'BENCH_ROUTES',
): RouteSpec[] {
  const unknown = selected.filter((id) => !routes.some((route) => route.id === id));
  if (unknown.length > 0) {
    throw new Error(
      `${variable} names unknown routes: ${unknown.join(', ')}; the routes are ` +
        `${routes.map((route) => route.id).join(', ')}.`,
    );
  }
  if (selected.length === 0) {
    return [...routes];
  }
  return routes.filter((route) => route.id === BARE_ROUTE || selected.includes(route.id));
}

function printStep(adapter: AdapterName, result: StepResult, rounds: number): void {
  const where = result.phase === 'measure' ? `round ${result.round}/${rounds}` : result.phase;
  const flag = result.problems.length > 0 ? `  INVALID: ${result.problems.join('; ')}` : '';
  console.log(
    `  ${adapter.padEnd(7)} ${where.padEnd(11)} ${result.routeId.padEnd(28)} ` +
      `${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  ` +
      `p99 ${result.latencyP99Ms.toFixed(1).padStart(6)} ms${flag}`,
  );
}

/** Runs the warm-up and the rounds on one adapter and summarises every route. */
export async function benchAdapter(
  adapter: AdapterName,
  routes: readonly RouteSpec[],
  fixtures: BenchFixtures,
  settings: BenchSettings,
): Promise<AdapterResult> {
  const steps: LoadStep[] = [];
  // The warm-up also sends each route's check request.
  for (const route of routes) {
    steps.push({ routeId: route.id, phase: 'warmup', round: 0, seconds: settings.warmupSeconds });
  }
  for (let round = 1; round <= settings.rounds; round += 1) {
    for (const route of routes) {
      steps.push({ routeId: route.id, phase: 'measure', round, seconds: settings.seconds });
    }
  }

  const server = await startServer(
    await fixtures.serverConfigPath(adapter, settings.avatarContext),
  );
  let results: StepResult[];
  try {
    results = await runLoad(
      {
        origin: server.origin,
        serverPid: server.pid,
        connections: settings.connections,
        routes,
        steps,
      },
      fixtures.directory,
      (result) => printStep(adapter, result, settings.rounds),
    );
  } finally {
    await server.stop();
  }

  return { adapter, rows: routes.map((route) => summarise(route, results)), steps: results };
}
