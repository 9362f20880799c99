/** Writes the Markdown page of a benchmark run. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';

import type { CoreLoginResult } from '../core-login.bench.js';
import type { SoakResult } from '../soak.js';
import type { ProfileSummary } from './cpu-profile.js';
import { BENCH_BCRYPT_COST, PORTAL_CHALLENGES } from './fixtures.js';
import {
  type AdapterResult,
  BARE_ROUTE,
  median,
  perRoundRatios,
  type RouteRow,
} from './http-bench.js';
import { type BenchSettings, SETTING_VARIABLES } from './settings.js';
import type { TargetResult } from './targets.js';

const REPOSITORY_ROOT = new URL('../../../', import.meta.url).pathname;

/** The packages whose versions the page lists, read from their package.json. */
const MEASURED_PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/platform-fastify',
  'express',
  'fastify',
  '@nestjs/passport',
  'passport',
  'passport-http',
  'autocannon',
  'tinybench',
  'bcrypt',
];

/** PortalGuard routes next to the passport route doing the same job. */
const PASSPORT_PAIRS: readonly (readonly [string, string, string])[] = [
  ['Basic, in-memory users', 'portal-basic', 'passport-basic'],
  [`Basic, bcrypt cost ${BENCH_BCRYPT_COST}`, 'portal-basic-bcrypt', 'passport-basic-bcrypt'],
  ['Digest (SHA-256 against MD5)', 'portal-digest', 'passport-digest'],
  ['401, Basic, wrong password', 'portal-basic-wrong', 'passport-basic-wrong'],
  ['401, bcrypt, wrong password', 'portal-basic-bcrypt-wrong', 'passport-basic-bcrypt-wrong'],
  ['401, Digest, wrong password', 'portal-digest-wrong', 'passport-digest-wrong'],
];

export interface MachineInfo {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** One-minute load average when the run started. */
  readonly loadBefore: number;
  readonly packages: readonly { readonly name: string; readonly version: string }[];
}

export interface BenchReport {
  readonly startedAt: Date;
  readonly seconds: number;
  readonly command: string;
  readonly settings: BenchSettings;
  readonly machine: MachineInfo;
  readonly core?: readonly CoreLoginResult[];
  readonly soak?: SoakResult;
  readonly adapters: readonly AdapterResult[];
  readonly targets: readonly TargetResult[];
  readonly profiles: readonly ProfileSummary[];
  /** Profiles that could not be taken, with the reason. */
  readonly profileErrors: readonly string[];
}

function packageVersion(name: string): string {
  try {
    const path = join(REPOSITORY_ROOT, 'node_modules', name, 'package.json');
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** Describes this machine, for the page. */
export function describeMachine(): MachineInfo {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 2 ** 30,
    os: `${process.platform} ${process.arch}, kernel ${release()}`,
    node: process.version,
    loadBefore: loadavg()[0] ?? 0,
    packages: MEASURED_PACKAGES.map((name) => ({ name, version: packageVersion(name) })),
  };
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const fixed = (value: number, digits: number) =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
const percent = (share: number) => `${(share * 100).toFixed(1)}%`;
const rate = (value: number) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';

const rounds = (count: number) => (count === 1 ? '1 round' : `${count} rounds`);

// autocannon's histogram records whole milliseconds, so 0 means under 1 ms.
function latency(milliseconds: number): string {
  if (!Number.isFinite(milliseconds)) {
    return 'n/a';
  }
  return milliseconds < 1 ? '< 1' : milliseconds.toFixed(0);
}

function validity(row: RouteRow): string {
  if (row.problems.length === 0) {
    return 'yes';
  }
  const shown = row.problems.slice(0, 2).join('; ');
  const more = row.problems.length > 2 ? `; and ${row.problems.length - 2} more` : '';
  return `**no**: ${shown}${more}`;
}

function routeTable(result: AdapterResult): string {
  const rows = result.rows.map((row) => [
    `\`${row.route.id}\``,
    row.route.guard,
    row.route.description,
    String(row.route.expectedStatus),
    rate(row.requestsPerSecond),
    latency(row.latencyP99Ms),
    row.route.id === BARE_ROUTE ? '1' : fixed(row.ratioToBare, 2),
    row.route.id === BARE_ROUTE ? '' : `${fixed(row.ratioMin, 2)}–${fixed(row.ratioMax, 2)}`,
    `${row.serverCpu === null ? 'n/a' : fixed(row.serverCpu * 100, 0)} / ${fixed(row.generatorCpu * 100, 0)}`,
    validity(row),
  ]);
  return table(
    [
      'route',
      'guard',
      'what',
      'status',
      'req/s',
      'p99 ms',
      'ratio to bare',
      'ratio range',
      'CPU % server / load',
      'valid',
    ],
    rows,
  );
}

function pairTable(result: AdapterResult): string {
  const rows: string[][] = [];
  for (const [label, portal, passport] of PASSPORT_PAIRS) {
    const ratios = perRoundRatios(result.steps, portal, passport);
    if (ratios.length === 0) {
      continue;
    }
    rows.push([
      label,
      `\`${portal}\` / \`${passport}\``,
      fixed(median(ratios), 2),
      `${fixed(Math.min(...ratios), 2)}–${fixed(Math.max(...ratios), 2)}`,
    ]);
  }
  if (rows.length === 0) {
    return 'No pair of PortalGuard and passport routes ran.';
  }
  return table(['job', 'routes', 'PortalGuard / passport req/s', 'per-round range'], rows);
}

function noiseLines(result: AdapterResult): string[] {
  const bare = result.steps
    .filter((step) => step.phase === 'measure' && step.routeId === BARE_ROUTE)
    .map((step) => step.requestsPerSecond);
  const spreads = result.rows
    .filter((row) => row.route.id !== BARE_ROUTE && Number.isFinite(row.ratioToBare))
    .map((row) => (row.ratioMax - row.ratioMin) / row.ratioToBare);
  const lines = [
    `the bare route ran at ${rate(Math.min(...bare))} to ${rate(Math.max(...bare))} req/s ` +
      `over the rounds (${percent((Math.max(...bare) - Math.min(...bare)) / median(bare))} of its median)`,
  ];
  const bareRow = result.rows.find((row) => row.route.id === BARE_ROUTE);
  if (bareRow && bareRow.generatorCpu >= 0.9) {
    lines.push(
      `the load generator used ${percent(bareRow.generatorCpu)} of a core on the bare route, ` +
        'so the bare figure may be limited by the generator and the ratios to bare are then too high',
    );
  }
  if (bareRow?.serverCpu != null && bareRow.serverCpu < 0.9) {
    lines.push(
      `the server used only ${percent(bareRow.serverCpu)} of a core on the bare route, so ` +
        'something other than the server (other processes, or the load generator) limited it',
    );
  }
  if (spreads.length > 0) {
    lines.push(
      `the per-round ratio to bare spread by ${percent(median(spreads))} of its median for ` +
        `the median route, and by ${percent(Math.max(...spreads))} at most`,
    );
  }
  return lines;
}

function targetOutcome(met: boolean | null): string {
  if (met === null) {
    return 'not measured';
  }
  return met ? 'met' : '**missed**';
}

function targetTable(targets: readonly TargetResult[]): string {
  const rows = targets.map((target) => [
    target.adapter,
    target.description,
    `\`${target.route}\` / \`${target.baseline}\``,
    `${target.strict ? '>' : '≥'} ${target.threshold}`,
    target.value === null ? 'n/a' : fixed(target.value, 2),
    target.min === null || target.max === null
      ? ''
      : `${fixed(target.min, 2)}–${fixed(target.max, 2)}`,
    targetOutcome(target.met),
  ]);
  return table(
    ['adapter', 'target', 'routes (req/s ratio)', 'needs', 'median', 'per-round range', 'result'],
    rows,
  );
}

function profileSection(profile: ProfileSummary): string {
  const packages = profile.byPackage
    .slice(0, 8)
    .map(({ name, selfShare }) => `${name} ${percent(selfShare)}`)
    .join(', ');
  const functions = table(
    ['function', 'where', 'self time'],
    profile.topFunctions.map((entry) => [
      `\`${entry.functionName}\``,
      entry.location === '' ? '(native)' : `\`${entry.location}\``,
      percent(entry.selfShare),
    ]),
  );
  const totals = table(
    ['nestjs-portal function', 'where', 'total time'],
    profile.portalTotals.map((entry) => [
      `\`${entry.functionName}\``,
      `\`${entry.location}\``,
      percent(entry.totalShare),
    ]),
  );
  const problems =
    profile.problems.length === 0
      ? []
      : [`**The profiled run was not valid**: ${profile.problems.join('; ')}.`, ''];
  return [
    `### ${profile.adapter}: \`${profile.routeId}\``,
    '',
    ...problems,
    `${rate(profile.requestsPerSecond)} req/s under \`--cpu-prof\`; ` +
      `${fixed(profile.sampledMs / 1000, 1)} s of samples, main thread idle ` +
      `${percent(profile.idleShare)}. Self time of the busy samples by package: ${packages}. ` +
      `The raw profile is \`${profile.file}\` until the next build.`,
    '',
    'Functions with the most self time (V8 samples wall-clock time, so time in which the ' +
      'process waited for a core counts for the function that was running, often `writev`):',
    '',
    functions,
    '',
    "Library functions by total time (their own and their callees'):",
    '',
    totals,
  ].join('\n');
}

function coreSection(core: readonly CoreLoginResult[] | undefined): string {
  if (!core) {
    return 'Not run.';
  }
  return table(
    ['case', 'logins/s', '± (relative margin of error)', 'samples'],
    core.map((row) => [
      row.name,
      rate(row.loginsPerSecond),
      `${fixed(row.relativeMarginOfError, 2)}%`,
      String(row.samples),
    ]),
  );
}

function soakSection(soak: SoakResult | undefined): string {
  if (!soak) {
    return 'Not run.';
  }
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  return [
    table(
      ['cycles', 'logouts', 'heap before', 'heap after', 'growth', 'seconds', 'result'],
      [
        [
          soak.cycles.toLocaleString('en-US'),
          soak.logouts.toLocaleString('en-US'),
          mib(soak.heapBeforeBytes),
          mib(soak.heapAfterBytes),
          percent(soak.heapGrowth),
          fixed(soak.seconds, 1),
          soak.passed ? 'passed' : '**failed**',
        ],
      ],
    ),
    '',
    'It passes when the heap after forced garbage collection is within 5% of the heap before ' +
      'and every logout ran.',
  ].join('\n');
}

function methodSection(report: BenchReport): string {
  const { settings } = report;
  return [
    `- Per adapter, one Nest app serves every route from one server process (plain \`node\`), ` +
      `and autocannon runs in a second process with ${settings.connections} connections, ` +
      'pipelining 1, so that each has a core of its own on a 2-core machine.',
    `- First every route runs once for ${settings.warmupSeconds} s as a warm-up, after one ` +
      'check request that verifies its status, its `WWW-Authenticate` lines and the user in ' +
      `its body. Then ${rounds(settings.rounds)} run every route for ${settings.seconds} s in ` +
      'the order of the table. req/s is responses over the run time; p99 is the 99th ' +
      'percentile latency of all responses.',
    '- "ratio to bare" is the median over the rounds of the route\'s req/s divided by the ' +
      'bare route\'s req/s in the same round; "ratio range" is the lowest and highest of ' +
      'those per-round ratios.',
    '- A row is valid when every response had the expected status (200 for successes, 401 ' +
      'for failures) and there was no connection error; an invalid row counts for no target.',
    '- "CPU % server / load" is the CPU time of the server process (all threads, from ' +
      '`/proc`) and of the load generator, in % of one core. A server near 100% is the ' +
      'bottleneck, as intended; a load generator near 100% means the figure is a lower bound.',
    '- PortalGuard routes: one `PortalModule` with a Basic, a Digest (SHA-256) and a Bearer ' +
      `factory, so every PortalGuard 401 carries ${PORTAL_CHALLENGES} challenges, one of them ` +
      'with a fresh HMAC-signed Digest nonce. Each portal controller has `@UseGuards(PortalGuard)`, ' +
      (settings.avatarContext
        ? 'the `AvatarContextInterceptor` (`BENCH_AVATAR_CONTEXT=on`, as `avatarContext: true`) '
        : 'no `AvatarContextInterceptor` (off by default in `PortalModule`) ') +
      'and a handler reading `@Avatar()`.',
    ...(settings.avatarContext
      ? [
          '- The interceptor runs each handler in `AsyncLocalStorage.run()`. On Node 20 the ' +
            'first such call turns on promise hooks for the whole process, so every route of ' +
            'the server, the bare one included, pays for them from then on, and the ratios to ' +
            'bare hide that part of the cost. `BENCH_AVATAR_CONTEXT=off` measures without it.',
        ]
      : []),
    '- Checkers: the in-memory checker (`alice`) and an `HtpasswdFile` (`bob`, bcrypt cost ' +
      `${BENCH_BCRYPT_COST}, written at start with \`hashPassword\`, no verification cache) sit ` +
      'behind a small checker that picks the store by username, because a portal has one checker ' +
      'per credential interface; `JwtBearerChecker` with HS256 and its key as a `Uint8Array`; ' +
      '`AllowAnonymousAccess`.',
    '- Digest SHA-256: before each run every connection fetches its own challenge (so fresh ' +
      'nonces per run), then sends requests on that nonce with `nc` counted up from 1 ' +
      '(8 hex digits) and a fresh `cnonce` each time, computed by the load generator. The ' +
      'server checks the nonce signature, age and replay table on every request.',
    '- @nestjs/passport routes: `AuthGuard` with passport-http strategies written as the Nest ' +
      'documentation shows (`validate` throws `UnauthorizedException`), reading the same users: ' +
      'the same plain passwords compared with `secretsEqual`, the same bcrypt hash with ' +
      '`bcrypt.compare`. passport-http Digest supports MD5 only and checks no nonce, and ' +
      "@nestjs/passport's 401 carries no challenge, so its clients make up one nonce per connection.",
    '- The bare route is the same kind of handler with no guard and no interceptor.',
  ].join('\n');
}

function headerSection(report: BenchReport): string {
  const { settings } = report;
  const scope = [
    `${rounds(settings.rounds)} of ${settings.seconds} s per route`,
    `${settings.warmupSeconds} s warm-up`,
    `${settings.connections} connections`,
    `adapters ${settings.adapters.join(', ')}`,
  ];
  if (settings.routes.length > 0) {
    scope.push(`routes ${settings.routes.join(', ')} only`);
  }
  if (!settings.avatarContext) {
    scope.push('**without** the AvatarContextInterceptor on PortalGuard routes');
  }
  return [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (bench/run.ts). Do not edit by hand: change bench/ and run it again. -->',
    '',
    'This page is regenerated by `npm run bench` and is not edited by hand.',
    '',
    `Run started ${report.startedAt.toISOString()} and took ${fixed(report.seconds / 60, 1)} minutes:`,
    '',
    '```sh',
    report.command,
    '```',
    '',
    `Settings: ${scope.join(', ')}.`,
  ].join('\n');
}

function machineSection(machine: MachineInfo): string {
  return table(
    ['', ''],
    [
      ['CPU', `${machine.cores} × ${machine.cpuModel}`],
      ['memory', `${fixed(machine.memoryGiB, 1)} GiB`],
      ['OS', machine.os],
      ['Node', machine.node],
      ['load average at start (1 min)', fixed(machine.loadBefore, 2)],
      ...machine.packages.map(({ name, version }) => [name, version]),
    ],
  );
}

function targetsSection(targets: readonly TargetResult[]): string {
  if (targets.length === 0) {
    return 'No adapter with targets ran.';
  }
  const missed = targets.filter((target) => target.met === false);
  const summary =
    missed.length === 0
      ? 'No target was missed.'
      : `Missed: ${missed.map((target) => `${target.adapter} "${target.description}"`).join('; ')}. ` +
        'The profiles below show where the server spent its time on those routes.';
  return `${targetTable(targets)}\n\n${summary}`;
}

function noiseSection(adapters: readonly AdapterResult[]): string {
  const lines = adapters.map((result) => `- ${result.adapter}: ${noiseLines(result).join('; ')}.`);
  lines.push(
    '',
    'Both processes share the machine with whatever else runs on it; the load average above ' +
      'shows how busy it was before the run.',
  );
  return lines.join('\n');
}

function adapterSection(result: AdapterResult): string {
  return [
    `## ${result.adapter === 'fastify' ? 'Fastify' : 'Express'}`,
    '',
    routeTable(result),
    '',
    '### PortalGuard against @nestjs/passport (same round)',
    '',
    pairTable(result),
  ].join('\n');
}

function profilesSection(report: BenchReport): string {
  const parts: string[] = [
    'Each profile is a short extra run of one route on a server started with `node --cpu-prof`, ' +
      'taken for every route of a missed target and for the routes in `BENCH_PROFILE_ROUTES`. ' +
      'Only the samples of the loaded run count; idle samples are left out of the shares.',
  ];
  if (report.profiles.length === 0 && report.profileErrors.length === 0) {
    const anyMissed = report.targets.some((target) => target.met === false);
    parts.push(
      anyMissed
        ? 'Profiles were skipped (`BENCH_PROFILE_SECONDS=0`).'
        : 'No target was missed, so no profile was taken.',
    );
  }
  parts.push(...report.profiles.map(profileSection));
  parts.push(...report.profileErrors.map((error) => `- ${error}`));
  return parts.join('\n\n');
}

function runningSection(): string {
  return [
    '`npm run bench` builds the library, the demo and `bench/`, then runs ' +
      '`node --expose-gc dist/bench/run.js`. These environment variables change a run:',
    '',
    table(
      ['variable', 'default', 'meaning'],
      SETTING_VARIABLES.map(({ name, defaultValue, meaning }) => [
        `\`${name}\``,
        defaultValue === '' ? '(empty)' : `\`${defaultValue}\``,
        meaning,
      ]),
    ),
  ].join('\n');
}

/** Builds the page. */
export function renderReport(report: BenchReport): string {
  const sections = [
    headerSection(report),
    `## Machine\n\n${machineSection(report.machine)}`,
    `## Targets\n\n${targetsSection(report.targets)}`,
    ...report.adapters.map(adapterSection),
    `## Noise\n\n${noiseSection(report.adapters)}`,
    `## CPU profiles\n\n${profilesSection(report)}`,
    '## Portal.login without HTTP\n\n' +
      'tinybench, in the main process: `Portal.login` and `logout` with the in-memory checker.\n\n' +
      coreSection(report.core),
    '## Soak\n\n' +
      'Login and logout cycles through the core `Portal`, 100 in flight at a time.\n\n' +
      soakSection(report.soak),
    `## Method\n\n${methodSection(report)}`,
    `## Running it\n\n${runningSection()}`,
  ];
  return `${sections.join('\n\n')}\n`;
}
