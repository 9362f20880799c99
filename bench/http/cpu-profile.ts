/**
 * CPU profiles of the server under one route's load: the server runs under
 * `node --cpu-prof`, the load runner warms the route up and then loads it,
 * and only the samples taken during the loaded run are counted.
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import type { BenchFixtures } from './fixtures.js';
import { runLoad, startServer } from './processes.js';
import type { AdapterName, RouteSpec } from './routes.js';
import type { BenchSettings } from './settings.js';

/** One function's share of the server's busy samples. */
export interface ProfileEntry {
  readonly functionName: string;
  /** `file:line` relative to the repository, or the package path inside node_modules. */
  readonly location: string;
  readonly selfShare: number;
}

export interface ProfileSummary {
  readonly adapter: AdapterName;
  readonly routeId: string;
  readonly requestsPerSecond: number;
  /** Milliseconds of samples in the loaded run, idle ones included. */
  readonly sampledMs: number;
  /** Share of the loaded run that the server's main thread was idle. */
  readonly idleShare: number;
  /** The functions with the most self time, as shares of the busy samples. */
  readonly topFunctions: readonly ProfileEntry[];
  /** Self time by package (`nestjs-portal`, `@nestjs/core`, `node`, GC), as shares of busy samples. */
  readonly byPackage: readonly { readonly name: string; readonly selfShare: number }[];
  /**
   * The library's functions with the most total time (their own and their
   * callees'), as shares of busy samples: where the guard's time goes.
   */
  readonly portalTotals: readonly {
    readonly functionName: string;
    readonly location: string;
    readonly totalShare: number;
  }[];
  /** Problems of the profiled run, such as unexpected statuses; empty when there were none. */
  readonly problems: readonly string[];
  /** The raw profile, kept for Chrome DevTools, relative to the repository. */
  readonly file: string;
}

interface CpuProfileNode {
  readonly id: number;
  readonly children?: readonly number[];
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const REPOSITORY_ROOT = new URL('../../../', import.meta.url).pathname;
const TOP_FUNCTIONS = 12;
// Under dist/, so that a build removes old profiles and git ignores them.
const KEPT_PROFILES_DIRECTORY = 'dist/bench/profiles';

function pathOfUrl(url: string): string {
  return url.startsWith('file://') ? new URL(url).pathname : url;
}

/** Returns the package a script belongs to, for the per-package summary. */
function packageOf(url: string, functionName: string): string {
  if (url === '') {
    // (garbage collector), (program) and V8 builtins have no script.
    return functionName.startsWith('(') ? functionName : 'V8 builtins';
  }
  if (url.startsWith('node:')) {
    return 'node';
  }
  const path = pathOfUrl(url);
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (inModules && inModules[1] !== 'nestjs-portal') {
    return inModules[1]!;
  }
  if (path.includes('/libs/portal/') || path.includes('node_modules/nestjs-portal/')) {
    return 'nestjs-portal';
  }
  if (path.includes('/dist/bench/')) {
    return 'bench app';
  }
  return 'other';
}

function locationOf(url: string, lineNumber: number): string {
  if (url === '') {
    return '';
  }
  const path = pathOfUrl(url);
  const inModules = path.lastIndexOf('node_modules/');
  const displayed =
    inModules !== -1
      ? path.slice(inModules + 'node_modules/'.length)
      : path.startsWith('/')
        ? relative(REPOSITORY_ROOT, path)
        : path;
  return `${displayed}:${lineNumber + 1}`;
}

/** Summarises the samples of `profile` taken between `fromMicros` and `toMicros`. */
export function summariseProfile(
  profile: CpuProfile,
  fromMicros: number,
  toMicros: number,
): Omit<ProfileSummary, 'adapter' | 'routeId' | 'requestsPerSecond' | 'problems' | 'file'> {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) {
      parents.set(child, node.id);
    }
  }
  const portalTotals = new Map<
    string,
    { functionName: string; location: string; micros: number }
  >();
  const byFunction = new Map<string, { entry: Omit<ProfileEntry, 'selfShare'>; micros: number }>();
  const byPackage = new Map<string, number>();
  let idleMicros = 0;
  let busyMicros = 0;

  let time = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    // Each delta is the time since the previous sample, and it counts for this one.
    const delta = profile.timeDeltas[i] ?? 0;
    time += delta;
    if (time < fromMicros || time > toMicros) {
      continue;
    }
    const frame = nodes.get(profile.samples[i]!)?.callFrame;
    if (!frame) {
      continue;
    }
    if (frame.functionName === '(idle)') {
      idleMicros += delta;
      continue;
    }
    busyMicros += delta;
    const location = locationOf(frame.url, frame.lineNumber);
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${location}`;
    const current = byFunction.get(key) ?? { entry: { functionName: name, location }, micros: 0 };
    current.micros += delta;
    byFunction.set(key, current);
    const owner = packageOf(frame.url, frame.functionName);
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + delta);

    // Total time: every library function on the sample's stack, once each
    // even when it recurses.
    const seen = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parents.get(id)) {
      const caller = nodes.get(id)?.callFrame;
      if (!caller || packageOf(caller.url, caller.functionName) !== 'nestjs-portal') {
        continue;
      }
      const callerLocation = locationOf(caller.url, caller.lineNumber);
      const callerName = caller.functionName || '(anonymous)';
      const callerKey = `${callerName}@${callerLocation}`;
      if (seen.has(callerKey)) {
        continue;
      }
      seen.add(callerKey);
      const total = portalTotals.get(callerKey) ?? {
        functionName: callerName,
        location: callerLocation,
        micros: 0,
      };
      total.micros += delta;
      portalTotals.set(callerKey, total);
    }
  }

  const share = (micros: number) => (busyMicros > 0 ? micros / busyMicros : 0);
  return {
    sampledMs: (idleMicros + busyMicros) / 1000,
    idleShare: idleMicros + busyMicros > 0 ? idleMicros / (idleMicros + busyMicros) : 0,
    topFunctions: [...byFunction.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, TOP_FUNCTIONS)
      .map(({ entry, micros }) => ({ ...entry, selfShare: share(micros) })),
    byPackage: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, micros]) => ({ name, selfShare: share(micros) })),
    portalTotals: [...portalTotals.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, TOP_FUNCTIONS)
      .map(({ functionName, location, micros }) => ({
        functionName,
        location,
        totalShare: share(micros),
      })),
  };
}

/** Loads `route` on a server under `--cpu-prof` and summarises where its time went. */
export async function profileRoute(
  adapter: AdapterName,
  route: RouteSpec,
  fixtures: BenchFixtures,
  settings: BenchSettings,
): Promise<ProfileSummary> {
  const directory = join(fixtures.directory, 'profiles', `${adapter}-${route.id}`);
  await mkdir(directory, { recursive: true });
  const server = await startServer(
    await fixtures.serverConfigPath(adapter, settings.avatarContext),
    ['--cpu-prof', `--cpu-prof-dir=${directory}`],
  );
  let results;
  try {
    results = await runLoad(
      {
        origin: server.origin,
        serverPid: server.pid,
        connections: settings.connections,
        routes: [route],
        steps: [
          { routeId: route.id, phase: 'warmup', round: 0, seconds: settings.warmupSeconds },
          { routeId: route.id, phase: 'profile', round: 0, seconds: settings.profileSeconds },
        ],
      },
      fixtures.directory,
      (result) =>
        console.log(
          `  ${adapter.padEnd(7)} ${result.phase.padEnd(11)} ${route.id.padEnd(28)} ` +
            `${result.requestsPerSecond.toFixed(0).padStart(7)} req/s (under --cpu-prof)`,
        ),
    );
  } finally {
    // The profile is written when the server exits.
    await server.stop();
  }

  const loaded = results.find((result) => result.phase === 'profile')!;
  const files = (await readdir(directory)).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length !== 1) {
    throw new Error(`Expected one .cpuprofile in ${directory}, found ${files.length}.`);
  }
  const written = join(directory, files[0]!);
  const kept = join(KEPT_PROFILES_DIRECTORY, `${adapter}-${route.id}.cpuprofile`);
  await mkdir(join(REPOSITORY_ROOT, KEPT_PROFILES_DIRECTORY), { recursive: true });
  await copyFile(written, join(REPOSITORY_ROOT, kept));

  const profile = JSON.parse(await readFile(written, 'utf8')) as CpuProfile;
  return {
    file: kept,
    adapter,
    routeId: route.id,
    requestsPerSecond: loaded.requestsPerSecond,
    problems: results.flatMap((result) =>
      result.problems.map((problem) => `${result.phase}: ${problem}`),
    ),
    ...summariseProfile(profile, loaded.startMicros, loaded.endMicros),
  };
}
