/**
 * Runs the password-checking benchmarks and prints them as Markdown tables.
 *
 *   node dist/bench/security-main.js [event-loop] [unknown-user]
 *
 * With no argument both run. Build first: `npm run build:lib` and
 * `npx tsc -p tsconfig.bench.json`. `npm run bench` runs both as well and
 * writes them into docs/benchmarks.md.
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

import { type EventLoopDelayRow, runEventLoopBench } from './event-loop.bench.js';
import { runUnknownUserBench, type UnknownUserRow } from './unknown-user.bench.js';

const ms = (value: number) => value.toFixed(2);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Formats the event-loop rows as a Markdown table. */
export function eventLoopTable(rows: readonly EventLoopDelayRow[]): string {
  return table(
    ['case', 'logins', 'logins/s', 'delay p50', 'delay p99', 'delay max', 'loop busy'],
    rows.map((row) => [
      row.name,
      String(row.logins),
      row.loginsPerSecond.toFixed(0),
      ms(row.delayP50Ms),
      ms(row.delayP99Ms),
      ms(row.delayMaxMs),
      `${(row.loopUtilization * 100).toFixed(0)} %`,
    ]),
  );
}

/** Formats the unknown-user rows as a Markdown table. */
export function unknownUserTable(rows: readonly UnknownUserRow[]): string {
  return table(
    [
      'scheme',
      'samples',
      'wrong password median',
      'wrong password p95',
      'unknown user median',
      'unknown user p95',
      'ratio',
    ],
    rows.map((row) => [
      row.scheme,
      String(row.samples),
      ms(row.wrongPasswordMedianMs),
      ms(row.wrongPasswordP95Ms),
      ms(row.unknownUserMedianMs),
      ms(row.unknownUserP95Ms),
      row.ratio.toFixed(2),
    ]),
  );
}

async function main(): Promise<void> {
  const selected = process.argv.slice(2);
  const runs = (name: string) => selected.length === 0 || selected.includes(name);

  const cpu = cpus();
  console.log(
    `Node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ` +
      `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}\n`,
  );

  if (runs('event-loop')) {
    const started = performance.now();
    const rows = await runEventLoopBench();
    console.log('Event-loop delay, 200 logins in flight (ms beyond the 1 ms sampling interval)\n');
    console.log(eventLoopTable(rows));
    console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  }

  if (runs('unknown-user')) {
    const started = performance.now();
    const rows = await runUnknownUserBench();
    console.log('Failed login time, wrong password vs unknown user (ms)\n');
    console.log(unknownUserTable(rows));
    console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}

// Runs only as a script, so that bench/run.ts can import the tables.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
