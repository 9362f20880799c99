/**
 * The load generator process: runs autocannon on each step of a plan, one
 * after another, and prints one JSON line (`StepResult`) per step.
 *
 *   node dist/bench/http/load-runner.js <load-plan.json>
 *
 * Runs in its own process so that the server's event loop has a core to
 * itself. Before the warm-up of a route, one request checks the status, the
 * challenges and the body. During every run each status is counted, and a
 * step with an unexpected one lists it in `problems`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';

import autocannon from 'autocannon';

import { type DigestChallenge, DigestSigner, parseDigestChallenge } from './digest-client.js';
import {
  BENCH_REALM,
  type LoadPlan,
  type LoadStep,
  type RouteSpec,
  type StepResult,
} from './routes.js';

interface PlainResponse {
  readonly status: number;
  readonly challenges: readonly string[];
  readonly body: string;
}

function get(origin: string, path: string, authorization?: string): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const headers = authorization === undefined ? {} : { authorization };
    const request = httpRequest(new URL(path, origin), { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        // rawHeaders keeps each WWW-Authenticate line apart; headers would join them.
        const challenges: string[] = [];
        for (let i = 0; i < response.rawHeaders.length; i += 2) {
          if (response.rawHeaders[i]!.toLowerCase() === 'www-authenticate') {
            challenges.push(response.rawHeaders[i + 1]!);
          }
        }
        resolve({
          status: response.statusCode ?? 0,
          challenges,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

async function fetchDigestChallenge(origin: string, path: string): Promise<DigestChallenge> {
  const response = await get(origin, path);
  for (const value of response.challenges) {
    const challenge = parseDigestChallenge(value);
    if (challenge) {
      return challenge;
    }
  }
  throw new Error(
    `GET ${path} without credentials returned ${response.status} with no Digest challenge.`,
  );
}

/** Makes `count` signers, each with a nonce of its own. */
async function digestSigners(
  plan: LoadPlan,
  route: RouteSpec,
  count: number,
): Promise<DigestSigner[]> {
  const auth = route.authorization;
  if (auth.kind !== 'digest') {
    return [];
  }
  const challenges =
    auth.nonce === 'challenge'
      ? await Promise.all(
          Array.from({ length: count }, () => fetchDigestChallenge(plan.origin, route.path)),
        )
      : Array.from({ length: count }, () => ({
          realm: BENCH_REALM,
          nonce: randomBytes(16).toString('hex'),
        }));
  return challenges.map(
    (challenge) =>
      new DigestSigner({
        algorithm: auth.algorithm,
        username: auth.username,
        password: auth.password,
        method: 'GET',
        uri: route.path,
        challenge,
      }),
  );
}

/** Sends one request and lists what differs from the route's expectations. */
async function preflight(plan: LoadPlan, route: RouteSpec): Promise<string[]> {
  let authorization: string | undefined;
  if (route.authorization.kind === 'static') {
    authorization = route.authorization.value;
  } else if (route.authorization.kind === 'digest') {
    const [signer] = await digestSigners(plan, route, 1);
    authorization = signer!.nextAuthorization();
  }
  const response = await get(plan.origin, route.path, authorization);

  const problems: string[] = [];
  if (response.status !== route.expectedStatus) {
    problems.push(`check request: status ${response.status}, expected ${route.expectedStatus}`);
  }
  if (
    route.expectedChallenges !== undefined &&
    response.challenges.length !== route.expectedChallenges
  ) {
    problems.push(
      `check request: ${response.challenges.length} WWW-Authenticate lines, ` +
        `expected ${route.expectedChallenges}`,
    );
  }
  if (route.expectedName !== undefined) {
    let name: unknown;
    try {
      name = (JSON.parse(response.body) as { name?: unknown }).name;
    } catch {
      name = undefined;
    }
    if (name !== route.expectedName) {
      problems.push(
        `check request: body names ${JSON.stringify(name)}, expected ${route.expectedName}`,
      );
    }
  }
  return problems;
}

// Linux reports utime and stime in clock ticks of USER_HZ, which is 100.
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds of a process (all its threads) so far, from /proc; null where there is none. */
function processCpuSeconds(pid: number): number | null {
  if (pid <= 0) {
    return null;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in brackets and may contain spaces; fields follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 here.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

async function runStep(plan: LoadPlan, route: RouteSpec, step: LoadStep): Promise<StepResult> {
  const problems = step.phase === 'warmup' ? await preflight(plan, route) : [];
  const auth = route.authorization;
  const signers = await digestSigners(plan, route, plan.connections);
  let nextSigner = 0;

  const options: autocannon.Options = {
    url: new URL(route.path, plan.origin).href,
    connections: plan.connections,
    pipelining: 1,
    duration: step.seconds,
  };
  if (auth.kind === 'static') {
    options.headers = { authorization: auth.value };
  } else if (auth.kind === 'digest') {
    // Each connection signs with its own nonce, so counts rise in order per nonce.
    options.setupClient = (client) => {
      const signer = signers[nextSigner++ % signers.length]!;
      client.setRequests([
        {
          method: 'GET',
          path: route.path,
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, authorization: signer.nextAuthorization() },
          }),
        },
      ]);
    };
  }

  const serverCpuBefore = processCpuSeconds(plan.serverPid);
  const generatorCpuBefore = process.cpuUsage();
  const startMicros = monotonicMicros();
  const result = await autocannon(options);
  const endMicros = monotonicMicros();
  const generatorCpu = process.cpuUsage(generatorCpuBefore);
  const serverCpuAfter = processCpuSeconds(plan.serverPid);
  const seconds = (endMicros - startMicros) / 1e6;

  const statuses: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statuses[status] = count ?? 0;
  }
  const total = result.requests.total;
  const unexpected = total - (statuses[String(route.expectedStatus)] ?? 0);
  if (unexpected > 0) {
    problems.push(`${unexpected} of ${total} responses were not ${route.expectedStatus}`);
  }
  if (result.errors > 0) {
    problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  }
  if (total === 0) {
    problems.push('no response at all');
  }

  return {
    type: 'step',
    routeId: route.id,
    phase: step.phase,
    round: step.round,
    requests: total,
    seconds,
    requestsPerSecond: total / result.duration,
    latencyP99Ms: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    problems,
    serverCpu:
      serverCpuBefore === null || serverCpuAfter === null
        ? null
        : (serverCpuAfter - serverCpuBefore) / seconds,
    generatorCpu: (generatorCpu.user + generatorCpu.system) / 1e6 / seconds,
    startMicros,
    endMicros,
  };
}

async function main(): Promise<void> {
  const planPath = process.argv[2];
  if (!planPath) {
    throw new Error('Usage: node dist/bench/http/load-runner.js <load-plan.json>');
  }
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as LoadPlan;
  const routes = new Map(plan.routes.map((route) => [route.id, route]));
  for (const step of plan.steps) {
    const route = routes.get(step.routeId);
    if (!route) {
      throw new Error(`The load plan names an unknown route ${JSON.stringify(step.routeId)}.`);
    }
    const result = await runStep(plan, route, step);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

await main();
