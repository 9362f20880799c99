import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

import { logoutOnResponseEnd } from './logout-on-response-end.js';

class FakeResponse extends EventEmitter {
  writableFinished = false;
  destroyed = false;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(logout: () => void | Promise<void> = () => {}) {
  const response = new FakeResponse();
  const failures: unknown[] = [];
  let calls = 0;
  logoutOnResponseEnd(
    response as unknown as ServerResponse,
    () => {
      calls++;
      return logout();
    },
    (error) => failures.push(error),
  );
  return { response, failures, calls: () => calls };
}

describe('logoutOnResponseEnd', () => {
  test('runs once after finish then close', async () => {
    const { response, calls } = setup();
    expect(calls()).toBe(0);

    response.emit('finish');
    response.emit('close');
    await flush();
    expect(calls()).toBe(1);
    expect(response.listenerCount('finish')).toBe(0);
    expect(response.listenerCount('close')).toBe(0);
  });

  test('runs on close without finish', async () => {
    const { response, calls } = setup();
    response.emit('close');
    await flush();
    expect(calls()).toBe(1);
  });

  test('runs at once for an ended response', () => {
    const response = new FakeResponse();
    response.writableFinished = true;
    let calls = 0;
    logoutOnResponseEnd(
      response as unknown as ServerResponse,
      () => void calls++,
      () => {},
    );
    expect(calls).toBe(1);
    expect(response.listenerCount('close')).toBe(0);
  });

  test('reports a thrown error', async () => {
    const failure = new Error('thrown');
    const { response, failures } = setup(() => {
      throw failure;
    });
    response.emit('finish');
    await flush();
    expect(failures).toEqual([failure]);
  });

  test('reports a rejection', async () => {
    const failure = new Error('rejected');
    const { response, failures } = setup(() => Promise.reject(failure));
    response.emit('close');
    await flush();
    expect(failures).toEqual([failure]);
  });
});
