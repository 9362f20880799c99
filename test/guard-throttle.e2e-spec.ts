/**
 * PortalGuard with the `throttle` option, on Express and Fastify. Covers 429
 * with Retry-After past a limit, no checker call while throttled and the
 * reset on success. Also the failures that do not count: stale Digest
 * nonces, the anonymous first step of a handshake, a realm's denial.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { jest } from '@jest/globals';
import {
  BasicCredentialFactory,
  DigestCredentialFactory,
  InMemoryThrottleStore,
  InMemoryUsernamePasswordDatabase,
  LoginThrottle,
  PortalModule,
  type ThrottleCounter,
  type ThrottleStore,
} from 'nestjs-portal';
import request from 'supertest';

import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import { ADAPTERS, CapturingLogger, createTestApp, headerLines } from './support/nest-apps.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const PER_USERNAME = 3;
const PER_ADDRESS = 6;
const WINDOW_MS = 60_000;

/** A store whose counters tests can drop, and that can be made to fail. */
class ResettableStore implements ThrottleStore {
  private inner = new InMemoryThrottleStore();
  failing = false;

  clear(): void {
    this.inner = new InMemoryThrottleStore();
    this.failing = false;
  }

  increment(key: string, windowMs: number): ThrottleCounter {
    return this.inner.increment(key, windowMs);
  }

  get(key: string): ThrottleCounter | undefined {
    if (this.failing) {
      throw new Error('store unreachable');
    }
    return this.inner.get(key);
  }

  reset(key: string): void {
    this.inner.reset(key);
  }
}

const store = new ResettableStore();
const users = new InMemoryUsernamePasswordDatabase({ alice: 'wonderland', admin: 'admin-pw' });

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: ['anonymous', users],
      credentialFactories: [
        new DigestCredentialFactory('MD5', 'throttle'),
        new BasicCredentialFactory('throttle'),
      ],
      throttle: new LoginThrottle({
        store,
        perUsername: { limit: PER_USERNAME, windowMs: WINDOW_MS },
        perAddress: { limit: PER_ADDRESS, windowMs: WINDOW_MS },
      }),
      audit: false,
    }),
  ],
  controllers: [TestAvatarController],
})
class ThrottleModule {}

describe.each(ADAPTERS)('PortalGuard throttling on %s', (adapter) => {
  let app: INestApplication;
  let logger: CapturingLogger;
  const checkerCalls = jest.spyOn(users, 'requestAvatarId');

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, ThrottleModule, logger);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    store.clear();
    checkerCalls.mockClear();
    logger.entries.length = 0;
  });

  const basic = (path: string, username: string, password: string) =>
    request(app.getHttpServer()).get(path).auth(username, password);

  async function failTimes(count: number, username = 'alice'): Promise<void> {
    for (let attempt = 0; attempt < count; attempt++) {
      expect((await basic('/mailbox', username, 'wrong')).status).toBe(401);
    }
  }

  test('429 with Retry-After past the username limit', async () => {
    await failTimes(PER_USERNAME);

    const response = await basic('/mailbox', 'alice', 'wonderland');

    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(response.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: `Too many failed logins; try again in ${retryAfter} seconds.`,
    });
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });

  test('throttled attempt never reaches the checker', async () => {
    await failTimes(PER_USERNAME);
    expect(checkerCalls).toHaveBeenCalledTimes(PER_USERNAME);

    await basic('/mailbox', 'alice', 'wonderland');
    await basic('/mailbox', 'alice', 'wrong');

    expect(checkerCalls).toHaveBeenCalledTimes(PER_USERNAME);
  });

  test('HEAD while throttled has no body', async () => {
    await failTimes(PER_USERNAME);

    const response = await request(app.getHttpServer())
      .head('/mailbox')
      .auth('alice', 'wonderland');

    expect(response.status).toBe(429);
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(response.text ?? '').toBe('');
  });

  test('other usernames are not throttled by one', async () => {
    await failTimes(PER_USERNAME);

    expect((await basic('/mailbox', 'admin', 'admin-pw')).status).toBe(200);
  });

  test('success resets the username count', async () => {
    await failTimes(PER_USERNAME - 1);
    expect((await basic('/mailbox', 'alice', 'wonderland')).status).toBe(200);

    // Without the reset, the second of these would be the limit's 429.
    await failTimes(PER_USERNAME - 1);
    expect((await basic('/mailbox', 'alice', 'wonderland')).status).toBe(200);
  });

  test('address limit spans usernames', async () => {
    for (let index = 0; index < PER_ADDRESS; index++) {
      expect((await basic('/mailbox', `guess${index}`, 'wrong')).status).toBe(401);
    }

    expect((await basic('/mailbox', 'admin', 'admin-pw')).status).toBe(429);
  });

  test('malformed headers count for the address', async () => {
    for (let index = 0; index < PER_ADDRESS; index++) {
      const response = await request(app.getHttpServer())
        .get('/mailbox')
        .set('Authorization', 'Basic !!!');
      expect(response.status).toBe(401);
    }

    expect((await basic('/mailbox', 'admin', 'admin-pw')).status).toBe(429);
  });

  test('anonymous handshake steps are not counted', async () => {
    for (let index = 0; index < PER_ADDRESS + 2; index++) {
      expect((await request(app.getHttpServer()).get('/mailbox')).status).toBe(401);
    }

    expect((await basic('/mailbox', 'alice', 'wonderland')).status).toBe(200);
  });

  test('stale Digest nonces are not counted', async () => {
    const first = await request(app.getHttpServer()).get('/mailbox');
    const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), 'MD5');
    const authorization = digestAuthorization(challenge, {
      username: 'alice',
      password: 'wonderland',
      uri: '/mailbox',
    });
    const send = () =>
      request(app.getHttpServer()).get('/mailbox').set('Authorization', authorization);
    expect((await send()).status).toBe(200);

    // Each replay has the right password and a used nonce count: stale=true.
    for (let replay = 0; replay < PER_USERNAME + 1; replay++) {
      const response = await send();
      expect(response.status).toBe(401);
      expect(digestChallenge(headerLines(response, 'WWW-Authenticate'), 'MD5').stale).toBe(true);
    }

    expect((await basic('/mailbox', 'alice', 'wonderland')).status).toBe(200);
  });

  test('a realm denial is not counted', async () => {
    for (let index = 0; index < PER_USERNAME + 1; index++) {
      expect((await basic('/admin', 'alice', 'wonderland')).status).toBe(403);
    }

    expect((await basic('/mailbox', 'alice', 'wonderland')).status).toBe(200);
  });

  test('a failing store answers 500 and is logged', async () => {
    store.failing = true;

    const response = await basic('/mailbox', 'alice', 'wonderland');

    expect(response.status).toBe(500);
    expect(checkerCalls).not.toHaveBeenCalled();
    expect(logger.messages('error', 'PortalGuard')).toEqual([
      'GET /mailbox failed in PortalGuard: Error: store unreachable',
    ]);
  });
});
