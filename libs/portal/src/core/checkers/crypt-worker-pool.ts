/**
 * Worker threads for the htpasswd hashes whose libraries are plain JavaScript:
 * `$apr1$`/`$1$` (apache-md5) and DES crypt (unix-crypt-td-js). One `$apr1$`
 * verification takes about 0.7 ms of CPU, so 200 concurrent logins would hold
 * the event loop for over 100 ms. In a worker they cost the loop only a message.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** The schemes the workers compute. */
export type CryptScheme = 'apr1' | 'md5-crypt' | 'des-crypt';

interface Pending {
  resolve(hash: string): void;
  reject(error: Error): void;
}

interface PooledWorker {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

// The worker runs as CommonJS source, so it loads the two packages by the
// absolute paths that the main thread resolved.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const apacheMd5 = require(workerData.apacheMd5Path);
const unixCrypt = require(workerData.unixCryptPath);
parentPort.on('message', ({ id, scheme, hash, password }) => {
  try {
    const bytes = Buffer.from(password.buffer, password.byteOffset, password.byteLength);
    const computed = scheme === 'des-crypt'
      ? unixCrypt(Array.from(bytes), hash.slice(0, 2))
      : apacheMd5(bytes.toString('latin1'), hash);
    parentPort.postMessage({ id, computed });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.name : 'Error' });
  }
});
`;

/** Tasks waiting in one worker before new ones are rejected, so memory stays bounded. */
const MAX_PENDING_PER_WORKER = 10_000;

const require = createRequire(import.meta.url);
const workerData = {
  apacheMd5Path: require.resolve('apache-md5'),
  unixCryptPath: require.resolve('unix-crypt-td-js'),
};

// One core stays with the event loop, and there are at most two workers,
// because these hashes are fast and a flood should be throttled long before.
const POOL_SIZE = Math.max(1, Math.min(2, availableParallelism() - 1));
const pool: Array<PooledWorker | undefined> = [];
let nextTaskId = 0;

function startWorker(slot: number): PooledWorker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  const pooled: PooledWorker = { worker, pending: new Map() };

  worker.on('message', (message: { id: number; computed?: string; error?: string }) => {
    const task = pooled.pending.get(message.id);
    pooled.pending.delete(message.id);
    if (pooled.pending.size === 0) {
      worker.unref();
    }
    if (message.computed !== undefined) {
      task?.resolve(message.computed);
    } else {
      task?.reject(new Error(`The htpasswd hash worker failed with ${message.error}.`));
    }
  });

  const fail = (error: Error): void => {
    if (pool[slot] === pooled) {
      pool[slot] = undefined;
    }
    for (const task of pooled.pending.values()) {
      task.reject(error);
    }
    pooled.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) =>
    fail(new Error(`The htpasswd hash worker exited with code ${code}.`)),
  );

  worker.unref();
  pool[slot] = pooled;
  return pooled;
}

function leastBusyWorker(): PooledWorker {
  let chosen: PooledWorker | undefined;
  for (let slot = 0; slot < POOL_SIZE; slot += 1) {
    const pooled = pool[slot] ?? startWorker(slot);
    if (!chosen || pooled.pending.size < chosen.pending.size) {
      chosen = pooled;
    }
  }
  return chosen as PooledWorker;
}

/**
 * Computes the crypt string of `password` with the salt of `storedHash`, in a
 * worker thread. The caller compares it with the stored hash in constant time.
 * Rejects when the worker fails or has too many tasks waiting.
 */
export function computeCryptInWorker(
  scheme: CryptScheme,
  storedHash: string,
  password: Uint8Array,
): Promise<string> {
  const pooled = leastBusyWorker();
  if (pooled.pending.size >= MAX_PENDING_PER_WORKER) {
    return Promise.reject(
      new Error(`The htpasswd hash worker has ${MAX_PENDING_PER_WORKER} tasks waiting.`),
    );
  }

  const id = nextTaskId++;
  return new Promise<string>((resolve, reject) => {
    pooled.pending.set(id, { resolve, reject });
    pooled.worker.ref();
    // A copy of the bytes, so the caller's buffer is neither shared nor detached.
    pooled.worker.postMessage({
      id,
      scheme,
      hash: storedHash,
      password: Uint8Array.from(password),
    });
  });
}
