import { EventEmitter } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

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

  test('runs for pipelined responses when the client closes', async () => {
    let logins = 0;
    let logouts = 0;
    // The first request answers late, so the second one's response waits in
    // Node's queue when the client destroys the connection.
    const server = createServer((request, response) => {
      logins += 1;
      logoutOnResponseEnd(
        response,
        () => void logouts++,
        () => {},
      );
      const delay = request.url === '/slow' ? 200 : 0;
      setTimeout(() => response.end('ok'), delay);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    while (logins < 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => server.close(resolve));

    expect(logins).toBe(2);
    expect(logouts).toBe(2);
  });

  test('leaves no listener on a keep-alive socket', async () => {
    const socket = new EventEmitter();
    const response = Object.assign(new FakeResponse(), { req: { socket } });
    for (let i = 0; i < 20; i += 1) {
      logoutOnResponseEnd(
        response as unknown as ServerResponse,
        () => {},
        () => {},
      );
      response.emit('finish');
    }
    expect(socket.listenerCount('close')).toBe(0);
  });
});
