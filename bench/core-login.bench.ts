/**
 * Times `Portal.login` alone, without HTTP or Nest: logins per second with the
 * in-memory checker, with a realm that answers synchronously and one that
 * returns a promise, and an anonymous login for reference.
 */
import { Bench } from 'tinybench';
import {
  AllowAnonymousAccess,
  Anonymous,
  alsoProvides,
  defineInterface,
  InMemoryUsernamePasswordDatabase,
  type IRealm,
  type LoginResult,
  Portal,
  UsernamePassword,
} from 'nestjs-portal';

interface IAccount {
  readonly name: string;
}
const IAccount = defineInterface<IAccount>('IAccount');

const syncRealm: IRealm = {
  requestAvatar: (avatarId): LoginResult => [
    IAccount,
    alsoProvides({ name: String(avatarId) }, IAccount),
    () => {},
  ],
};

const asyncRealm: IRealm = {
  requestAvatar: async (avatarId): Promise<LoginResult> => [
    IAccount,
    alsoProvides({ name: String(avatarId) }, IAccount),
    () => {},
  ],
};

export interface CoreLoginResult {
  readonly name: string;
  readonly loginsPerSecond: number;
  readonly relativeMarginOfError: number;
  readonly samples: number;
}

/** Runs the core benchmarks and returns one row per case. */
export async function runCoreLoginBench(timeMs = 1000): Promise<CoreLoginResult[]> {
  const users = new InMemoryUsernamePasswordDatabase({ alice: 'wonderland' });
  const syncPortal = new Portal(syncRealm, [users, new AllowAnonymousAccess()]);
  const asyncPortal = new Portal(asyncRealm, [users, new AllowAnonymousAccess()]);
  const credentials = new UsernamePassword('alice', 'wonderland');
  const anonymous = new Anonymous();

  const bench = new Bench({ time: timeMs, warmupTime: 200 });
  bench
    .add('in-memory checker, synchronous realm', async () => {
      const [, , logout] = await syncPortal.login(credentials, null, IAccount);
      await logout();
    })
    .add('in-memory checker, realm returning a promise', async () => {
      const [, , logout] = await asyncPortal.login(credentials, null, IAccount);
      await logout();
    })
    .add('anonymous, synchronous realm', async () => {
      const [, , logout] = await syncPortal.login(anonymous, null, IAccount);
      await logout();
    });
  await bench.run();

  return bench.tasks.map((task) => {
    const result = task.result as unknown as {
      throughput: { mean: number; rme: number };
      latency: { samplesCount?: number };
    };
    return {
      name: task.name,
      loginsPerSecond: result.throughput.mean,
      relativeMarginOfError: result.throughput.rme,
      samples: result.latency.samplesCount ?? 0,
    };
  });
}
