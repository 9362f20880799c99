/**
 * `npm run bench`: the core `Portal.login` benchmark, the soak, the password
 * checks under load (event-loop delay, unknown-user timing), and the HTTP
 * benchmark of PortalGuard next to a bare route and @nestjs/passport on
 * Express and Fastify. Writes docs/benchmarks.md at the end.
 *
 * Needs `node --expose-gc`, for the soak. The environment variables are
 * listed in bench/http/settings.ts and on the page. Exits with 1 when a row
 * was invalid or the soak failed. A missed target is reported on the page
 * and does not change the exit code.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

import * as prettier from 'prettier';

import { runCoreLoginBench } from './core-login.bench.js';
import { runEventLoopBench } from './event-loop.bench.js';
import { profileRoute, type ProfileSummary } from './http/cpu-profile.js';
import { createFixtures } from './http/fixtures.js';
import { type AdapterResult, benchAdapter, selectRoutes } from './http/http-bench.js';
import { type BenchReport, describeMachine, renderReport } from './http/report.js';
import { readSettings, setVariables } from './http/settings.js';
import { evaluateTargets, type TargetResult } from './http/targets.js';
import { eventLoopTable, unknownUserTable } from './security-main.js';
import { runSoak } from './soak.js';
import { runUnknownUserBench } from './unknown-user.bench.js';

const REPOSITORY_ROOT = new URL('../../', import.meta.url).pathname;

async function main(): Promise<void> {
  const settings = readSettings();
  const startedAt = new Date();
  const machine = describeMachine();
  const command = [...setVariables(), 'npm run bench'].join(' ');
  console.log(`${command}\n${machine.cores} × ${machine.cpuModel}, Node ${machine.node}\n`);

  console.log('Portal.login (tinybench)…');
  const core = await runCoreLoginBench(settings.coreTimeMs);
  for (const row of core) {
    console.log(`  ${row.name}: ${Math.round(row.loginsPerSecond)} logins/s`);
  }

  console.log(`Soak, ${settings.soakCycles} cycles…`);
  const soak = await runSoak(settings.soakCycles);
  console.log(
    `  heap ${(soak.heapGrowth * 100).toFixed(2)}% after, ${soak.logouts} logouts: ` +
      `${soak.passed ? 'passed' : 'FAILED'}`,
  );

  console.log('Event-loop delay under 200 concurrent logins…');
  const eventLoop = await runEventLoopBench();
  console.log('Failed-login time, wrong password vs unknown user…');
  const unknownUser = await runUnknownUserBench();

  const fixtures = await createFixtures();
  const adapters: AdapterResult[] = [];
  const profiles: ProfileSummary[] = [];
  const profileErrors: string[] = [];
  let targets: TargetResult[] = [];
  try {
    const routes = selectRoutes(fixtures.routes, settings.routes);
    // Checked now rather than after the long HTTP runs.
    selectRoutes(fixtures.routes, settings.profileRoutes, 'BENCH_PROFILE_ROUTES');
    for (const adapter of settings.adapters) {
      console.log(`HTTP, ${adapter}: ${routes.length} routes…`);
      adapters.push(await benchAdapter(adapter, routes, fixtures, settings));
    }
    targets = evaluateTargets(adapters);

    const toProfile = new Set(
      targets
        .filter((target) => target.met === false)
        .map((target) => `${target.adapter} ${target.profileRoute}`),
    );
    for (const adapter of settings.adapters) {
      for (const routeId of settings.profileRoutes) {
        toProfile.add(`${adapter} ${routeId}`);
      }
    }
    if (settings.profileSeconds > 0) {
      for (const key of toProfile) {
        const [adapter, routeId] = key.split(' ') as [AdapterResult['adapter'], string];
        const route = fixtures.routes.find((candidate) => candidate.id === routeId)!;
        console.log(`CPU profile, ${adapter} ${routeId}…`);
        try {
          profiles.push(await profileRoute(adapter, route, fixtures, settings));
        } catch (error) {
          profileErrors.push(`The profile of ${adapter} \`${routeId}\` failed: ${String(error)}`);
        }
      }
    }
  } finally {
    await fixtures.remove();
  }

  const report: BenchReport = {
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    command,
    settings,
    machine,
    core,
    soak,
    adapters,
    targets,
    profiles,
    profileErrors,
  };
  const outputPath = resolve(REPOSITORY_ROOT, settings.output);
  const securitySection = [
    '## Password checking under load',
    '',
    'Logins through `Portal.login` and an `HtpasswdFile` in a temporary directory, ' +
      'in this process (see docs/security.md for how to read them). Event-loop delay ' +
      'while 200 logins are in flight, sampled every 1 ms with ' +
      '`perf_hooks.monitorEventLoopDelay`, in ms beyond the interval; "loop busy" is ' +
      '`performance.eventLoopUtilization()`:',
    '',
    eventLoopTable(eventLoop),
    '',
    'Time of a failed login, in ms: a wrong password for a known user next to an ' +
      'unknown user, who is verified against a decoy hash of the same scheme and cost:',
    '',
    unknownUserTable(unknownUser),
    '',
  ].join('\n');
  const page = await prettier.format(`${renderReport(report)}\n${securitySection}`, {
    ...(await prettier.resolveConfig(outputPath)),
    parser: 'markdown',
  });
  await writeFile(outputPath, page);

  // The targets and the route tables, as the page shows them.
  const start = page.indexOf('## Targets');
  const end = page.indexOf('## Noise');
  console.log(`\n${page.slice(start, end === -1 ? undefined : end).trim()}\n`);
  console.log(`Wrote ${settings.output}.`);

  const invalid = adapters.flatMap((result) =>
    result.rows
      .filter((row) => row.problems.length > 0)
      .map((row) => `${result.adapter} ${row.route.id}`),
  );
  if (invalid.length > 0 || !soak.passed) {
    console.error(
      `Invalid rows: ${invalid.join(', ') || 'none'}; soak ${soak.passed ? 'passed' : 'failed'}.`,
    );
    process.exitCode = 1;
  }
}

await main();
