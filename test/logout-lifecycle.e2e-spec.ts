/**
 * The realm's logout runs exactly once per successful login: after the
 * response, after a client abort, after a handler error, after a stream, on
 * HEAD, and under 1,000 concurrent requests from 50 users. Counted calls, on
 * Express and Fastify.
 */
import { Agent, get as httpGet, type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import {
  type CanActivate,
  Controller,
  Get,
  Injectable,
  type INestApplication,
  Module,
  Param,
  StreamableFile,
  UseGuards,
} from '@nestjs/common';
import {
  Avatar,
  AvatarContext,
  AvatarInterface,
  BasicCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  PortalGuard,
  PortalModule,
} from 'nestjs-portal';
import request from 'supertest';

import {
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  createTestApp,
  waitFor,
} from './support/nest-apps.js';
import { ITestMailbox, TestRealm } from './support/test-realm.js';

const USER_COUNT = 50;
const REQUEST_COUNT = 1000;
const USERS = Object.fromEntries(
  Array.from({ length: USER_COUNT }, (_, index) => [`user${index}`, `password${index}`]),
);

/** A promise that the test resolves, so a streamed body waits for it and not for a timer. */
class Gate {
  private openGate!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.openGate = resolve));

  open(): void {
    this.openGate();
  }
}

const gates: Gate[] = [];

@Injectable()
class DenyEverything implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

@UseGuards(PortalGuard)
@AvatarInterface(ITestMailbox)
@Controller('life')
class LifecycleController {
  constructor(private readonly avatars: AvatarContext) {}

  @Get('ok')
  ok(@Avatar() mailbox: ITestMailbox) {
    return { name: mailbox.name };
  }

  @Get('throws')
  throws(): never {
    throw new Error('handler failed');
  }

  @Get('stream')
  stream(): StreamableFile {
    const gate = new Gate();
    gates.push(gate);
    async function* body() {
      yield Buffer.from('first chunk\n');
      await gate.opened;
      yield Buffer.from('last chunk\n');
    }
    return new StreamableFile(Readable.from(body()), { type: 'text/plain' });
  }

  @UseGuards(DenyEverything)
  @Get('denied-later')
  deniedLater(): string {
    return 'unreachable';
  }

  @Get('echo/:user')
  async echo(@Param('user') user: string, @Avatar() mailbox: ITestMailbox) {
    // Interleave the requests, then read the avatar both ways.
    await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 3)));
    return {
      requested: user,
      decorator: mailbox.name,
      context: this.avatars.require(ITestMailbox).name,
    };
  }
}

@Module({
  imports: [
    PortalModule.forRoot({
      avatarContext: true,
      realm: TestRealm,
      checkers: [new InMemoryUsernamePasswordDatabase({ ...USERS, Aladdin: 'open sesame' })],
      credentialFactories: [new BasicCredentialFactory('life')],
    }),
  ],
  controllers: [LifecycleController],
})
class LifecycleModule {}

describe.each(ADAPTERS)('logout lifecycle on %s', (adapter: AdapterName) => {
  let app: INestApplication;
  let realm: TestRealm;
  let logger: CapturingLogger;
  let port: number;

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, LifecycleModule, logger);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
    realm = app.get(TestRealm, { strict: false });
  });

  afterAll(async () => {
    for (const gate of gates) {
      gate.open();
    }
    await app.close();
  });

  beforeEach(() => {
    realm.counters.reset();
    realm.onLogout = () => {};
    logger.entries.length = 0;
  });

  const logoutsSettle = async (expected: number) => {
    await waitFor(() => realm.counters.logouts >= expected, `${expected} logout(s)`);
    // Let any duplicate call show up before counting.
    await new Promise((resolve) => setImmediate(resolve));
    expect(realm.counters.logouts).toBe(expected);
  };

  test('once after a normal response', async () => {
    const response = await request(app.getHttpServer())
      .get('/life/ok')
      .auth('Aladdin', 'open sesame');

    expect(response.status).toBe(200);
    await logoutsSettle(1);
    expect(realm.counters.logins).toBe(1);
  });

  test('once after HEAD', async () => {
    const response = await request(app.getHttpServer())
      .head('/life/ok')
      .auth('Aladdin', 'open sesame');

    expect(response.status).toBe(200);
    await logoutsSettle(1);
  });

  test('once after the handler throws', async () => {
    const response = await request(app.getHttpServer())
      .get('/life/throws')
      .auth('Aladdin', 'open sesame');

    expect(response.status).toBe(500);
    await logoutsSettle(1);
  });

  test('once when a later guard denies', async () => {
    const response = await request(app.getHttpServer())
      .get('/life/denied-later')
      .auth('Aladdin', 'open sesame');

    expect(response.status).toBe(403);
    await logoutsSettle(1);
  });

  test('never without a login', async () => {
    const response = await request(app.getHttpServer()).get('/life/ok').auth('Aladdin', 'wrong');

    expect(response.status).toBe(401);
    await new Promise((resolve) => setImmediate(resolve));
    expect(realm.counters.logins).toBe(0);
    expect(realm.counters.logouts).toBe(0);
  });

  test('after a streamed response ends', async () => {
    const gateCount = gates.length;
    const { response, firstChunk } = await startStream(port);

    expect(firstChunk).toBe('first chunk\n');
    expect(realm.counters.logouts).toBe(0);

    const rest = collect(response);
    gates[gateCount]!.open();
    expect(await rest).toBe('last chunk\n');
    await logoutsSettle(1);
  });

  test('once when the client aborts mid-response', async () => {
    const { request: outgoing, firstChunk } = await startStream(port);

    expect(firstChunk).toBe('first chunk\n');
    expect(realm.counters.logouts).toBe(0);

    outgoing.destroy();
    await logoutsSettle(1);
  });

  test('failing logout is logged only', async () => {
    realm.onLogout = () => {
      throw new Error('logout exploded');
    };
    const thrown = await request(app.getHttpServer())
      .get('/life/ok')
      .auth('Aladdin', 'open sesame');
    expect(thrown.status).toBe(200);
    expect(thrown.body).toEqual({ name: 'Aladdin' });
    await logoutsSettle(1);

    realm.onLogout = () => Promise.reject(new RangeError('logout rejected'));
    const rejected = await request(app.getHttpServer())
      .get('/life/ok')
      .auth('Aladdin', 'open sesame');
    expect(rejected.status).toBe(200);
    await logoutsSettle(2);

    await waitFor(() => logger.messages('error').length === 2, 'two logged logout errors');
    expect(logger.messages('error', 'PortalGuard')).toEqual([
      'Logout of the ITestMailbox avatar after GET /life/ok failed: Error: logout exploded',
      'Logout of the ITestMailbox avatar after GET /life/ok failed: RangeError: logout rejected',
    ]);
  });

  test('1,000 concurrent requests from 50 users', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: USER_COUNT });
    try {
      const results = await Promise.all(
        Array.from({ length: REQUEST_COUNT }, (_, index) => {
          const user = `user${index % USER_COUNT}`;
          return getJson(port, agent, `/life/echo/${user}`, `${user}:${USERS[user]}`);
        }),
      );

      const wrong = results.filter(
        ({ status, body }) =>
          status !== 200 || body.decorator !== body.requested || body.context !== body.requested,
      );
      expect(wrong).toEqual([]);
      expect(results).toHaveLength(REQUEST_COUNT);

      await logoutsSettle(REQUEST_COUNT);
      expect(realm.counters.logins).toBe(REQUEST_COUNT);
      for (let index = 0; index < USER_COUNT; index++) {
        expect(realm.counters.logoutsByUser.get(`user${index}`)).toBe(REQUEST_COUNT / USER_COUNT);
      }
    } finally {
      agent.destroy();
    }
  });
});

interface EchoBody {
  requested?: string;
  decorator?: string;
  context?: string;
}

function getJson(
  port: number,
  agent: Agent,
  path: string,
  userPassword: string,
): Promise<{ status: number; body: EchoBody }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpGet(
      {
        host: '127.0.0.1',
        port,
        path,
        agent,
        headers: { Authorization: `Basic ${Buffer.from(userPassword).toString('base64')}` },
      },
      (response) => {
        collect(response).then(
          (text) =>
            resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as EchoBody }),
          reject,
        );
      },
    );
    outgoing.on('error', reject);
  });
}

// Starts GET /life/stream as Aladdin and resolves once the first chunk arrived.
function startStream(port: number): Promise<{
  request: ReturnType<typeof httpRequest>;
  response: IncomingMessage;
  firstChunk: string;
}> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/life/stream',
        agent: false,
        headers: {
          Authorization: `Basic ${Buffer.from('Aladdin:open sesame').toString('base64')}`,
        },
      },
      (response) => {
        response.once('data', (chunk: Buffer) => {
          response.pause();
          resolve({ request: outgoing, response, firstChunk: chunk.toString('utf8') });
        });
      },
    );
    // Destroying the request on purpose ends in ECONNRESET-like errors; ignore them.
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed) {
        reject(error);
      }
    });
    outgoing.end();
  });
}

function collect(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
    response.resume();
  });
}
