/** Starting the server and load runner processes of the HTTP benchmark. */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import type { LoadPlan, StepResult } from './routes.js';

const SERVER_SCRIPT = new URL('./server.js', import.meta.url).pathname;
const RUNNER_SCRIPT = new URL('./load-runner.js', import.meta.url).pathname;

// Bootstrap takes about a second; this only catches a server that hangs.
const SERVER_START_TIMEOUT_MS = 60_000;
const SERVER_STOP_TIMEOUT_MS = 15_000;

export interface ServerProcess {
  readonly pid: number;
  readonly origin: string;
  /** Asks the server to close and waits until it has exited (killing it after 15 s). */
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the bench server on `configPath`, with extra Node options such as `--cpu-prof`. */
export async function startServer(
  configPath: string,
  nodeOptions: readonly string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, SERVER_SCRIPT, configPath], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The bench server did not listen within ${SERVER_START_TIMEOUT_MS} ms.`));
    }, SERVER_START_TIMEOUT_MS);
    child.once('message', (message: { port?: unknown }) => {
      clearTimeout(timer);
      if (typeof message.port === 'number') {
        resolve(message.port);
      } else {
        reject(new Error(`The bench server sent ${JSON.stringify(message)} instead of its port.`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`The bench server exited before listening (code ${code}, signal ${signal}).`),
      );
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });

  return {
    pid: child.pid ?? 0,
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), SERVER_STOP_TIMEOUT_MS);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/**
 * Runs a load plan in a new load runner process and resolves to its step
 * results, calling `onStep` as each arrives. Rejects when the runner fails.
 */
export async function runLoad(
  plan: LoadPlan,
  directory: string,
  onStep: (result: StepResult) => void,
): Promise<StepResult[]> {
  const planPath = join(directory, `load-plan-${process.hrtime.bigint()}.json`);
  await writeFile(planPath, JSON.stringify(plan), { mode: 0o600 });
  const child = spawn(process.execPath, [RUNNER_SCRIPT, planPath], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });

  const results: StepResult[] = [];
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const result = JSON.parse(line) as StepResult;
    results.push(result);
    onStep(result);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
  if (code !== 0) {
    throw new Error(`The load runner exited with code ${code}; its error is printed above.`);
  }
  return results;
}
