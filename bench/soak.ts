/**
 * Soak: one million login and logout cycles through the core `Portal`, with
 * the heap measured after forced garbage collection before and after. Needs
 * `node --expose-gc`. Passes when the heap after is within 5% of the heap
 * before and every logout ran.
 */
import {
  alsoProvides,
  defineInterface,
  InMemoryUsernamePasswordDatabase,
  type IRealm,
  type LoginResult,
  Portal,
  UsernamePassword,
} from 'nestjs-portal';

interface ISession {
  readonly user: string;
}
const ISession = defineInterface<ISession>('ISession');

export interface SoakResult {
  readonly cycles: number;
  readonly logouts: number;
  readonly heapBeforeBytes: number;
  readonly heapAfterBytes: number;
  readonly heapGrowth: number;
  readonly seconds: number;
  readonly passed: boolean;
}

function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    throw new Error('The soak needs forced garbage collection: run node with --expose-gc.');
  }
  for (let i = 0; i < 5; i += 1) {
    gc();
  }
  return process.memoryUsage().heapUsed;
}

/** Runs `cycles` login and logout cycles and measures the heap around them. */
export async function runSoak(cycles = 1_000_000): Promise<SoakResult> {
  let logouts = 0;
  const realm: IRealm = {
    requestAvatar: (avatarId): LoginResult => [
      ISession,
      alsoProvides({ user: String(avatarId) }, ISession),
      () => {
        logouts += 1;
      },
    ],
  };
  const users = new InMemoryUsernamePasswordDatabase();
  const credentials: UsernamePassword[] = [];
  for (let i = 0; i < 50; i += 1) {
    users.addUser(`user${i}`, `password${i}`);
    credentials.push(new UsernamePassword(`user${i}`, `password${i}`));
  }
  const portal = new Portal(realm, [users]);

  const cycle = async (i: number): Promise<void> => {
    const [, , logout] = await portal.login(credentials[i % credentials.length], null, ISession);
    await logout();
  };

  // Warm up so that JIT code and lazily built caches count as "before".
  for (let i = 0; i < 20_000; i += 1) {
    await cycle(i);
  }
  logouts = 0;
  const heapBeforeBytes = settledHeap();
  const started = process.hrtime.bigint();

  // 100 logins in flight at a time, as a busy server would have.
  const batch = 100;
  for (let i = 0; i < cycles; i += batch) {
    const pending: Promise<void>[] = [];
    for (let j = i; j < Math.min(i + batch, cycles); j += 1) {
      pending.push(cycle(j));
    }
    await Promise.all(pending);
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const heapAfterBytes = settledHeap();
  const heapGrowth = (heapAfterBytes - heapBeforeBytes) / heapBeforeBytes;
  return {
    cycles,
    logouts,
    heapBeforeBytes,
    heapAfterBytes,
    heapGrowth,
    seconds,
    passed: heapGrowth <= 0.05 && logouts === cycles,
  };
}
