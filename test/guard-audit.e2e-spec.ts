/**
 * PortalGuard's audit events, on Express and Fastify. Covers the events of a
 * login and its logout, every failure reason, the request id, listeners that
 * fail, `PortalAudit.addListener` and the default log. Also checks that no
 * event or log line carries a password, token or header value.
 */
import { type INestApplication, Module } from '@nestjs/common';
import {
  ANONYMOUS,
  type AuditEvent,
  type AvatarId,
  BasicCredentialFactory,
  BearerCredentialFactory,
  DigestCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  type InterfaceToken,
  type LoginResult,
  Portal,
  PortalAudit,
  PortalModule,
  type PortalModuleOptions,
  TokenLookupChecker,
} from 'nestjs-portal';
import request from 'supertest';

import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import {
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  createTestApp,
  headerLines,
  waitFor,
} from './support/nest-apps.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const PASSWORD = 'wonderland-7Qx';
const WRONG_PASSWORD = 'not-the-password-9Zk';
const TOKEN = 'secret-bearer-token-4Hd';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The test realm, also recording the minds it receives. */
class MindRecordingRealm extends TestRealm {
  readonly minds: unknown[] = [];

  override requestAvatar(
    avatarId: AvatarId,
    mind: unknown,
    ...interfaces: InterfaceToken[]
  ): LoginResult {
    this.minds.push(mind);
    return super.requestAvatar(avatarId, mind, ...interfaces);
  }
}

interface AuditApp {
  readonly app: INestApplication;
  readonly events: AuditEvent[];
  readonly logger: CapturingLogger;
  readonly realm: MindRecordingRealm;
}

async function startApp(
  adapter: AdapterName,
  options: Partial<PortalModuleOptions> = {},
): Promise<AuditApp> {
  const events: AuditEvent[] = [];
  const realm = new MindRecordingRealm();

  @Module({
    imports: [
      PortalModule.forRoot({
        realm,
        checkers: [
          'anonymous',
          new InMemoryUsernamePasswordDatabase({ alice: PASSWORD, bob: PASSWORD }),
          new TokenLookupChecker((token) => (token === TOKEN ? 'alice' : undefined)),
        ],
        credentialFactories: [
          new DigestCredentialFactory('MD5', 'audit'),
          new BasicCredentialFactory('audit'),
          new BearerCredentialFactory('audit'),
        ],
        throttle: { perUsername: { limit: 2, windowMs: 60_000 }, perAddress: false },
        audit: { listeners: [(event) => void events.push(event)] },
        ...options,
      }),
    ],
    controllers: [TestAvatarController],
  })
  class AuditModule {}

  const logger = new CapturingLogger();
  const app = await createTestApp(adapter, AuditModule, logger);
  return { app, events, logger, realm };
}

describe.each(ADAPTERS)('PortalGuard audit events on %s', (adapter) => {
  let subject: AuditApp;
  let events: AuditEvent[];

  beforeAll(async () => {
    subject = await startApp(adapter);
    events = subject.events;
  });

  afterAll(async () => {
    await subject.app.close();
  });

  beforeEach(() => {
    events.length = 0;
    subject.logger.entries.length = 0;
  });

  const get = (path: string) => request(subject.app.getHttpServer()).get(path);

  test('login and logout in order', async () => {
    const response = await get('/mailbox').auth('alice', PASSWORD);
    await waitFor(() => events.length === 2, 'the logout event');

    expect(response.status).toBe(200);
    const [login, logout] = events;
    expect(login).toEqual({
      type: 'login.succeeded',
      avatarId: 'alice',
      avatarInterface: 'ITestMailbox',
      scheme: 'basic',
      address: expect.stringMatching(/127\.0\.0\.1|::1/),
      requestId: expect.stringMatching(UUID),
      time: expect.any(Date),
    });
    expect(logout).toEqual({
      type: 'logout',
      avatarId: 'alice',
      durationMs: expect.any(Number),
      scheme: 'basic',
      address: login!.address,
      requestId: login!.requestId,
      time: expect.any(Date),
    });
    expect(Object.isFrozen(login)).toBe(true);
  });

  test('anonymous login names the anonymous avatar id', async () => {
    await get('/whoami');
    await waitFor(() => events.length === 2, 'the logout event');

    expect(events.map((event) => event.type)).toEqual(['login.succeeded', 'logout']);
    expect(events[0]).toMatchObject({ avatarId: ANONYMOUS, scheme: 'anonymous' });
  });

  test('portal keeps the realm instance', () => {
    expect(subject.app.get(Portal, { strict: false }).realm).toBe(subject.realm);
  });

  test('realm gets the request as mind', async () => {
    subject.realm.minds.length = 0;

    await get('/whoami').auth('alice', PASSWORD);

    expect(subject.realm.minds).toHaveLength(1);
    const mind = subject.realm.minds[0] as {
      headers?: { authorization?: unknown };
      mind?: unknown;
    };
    expect(mind.mind).toBeUndefined();
    expect(mind.headers?.authorization).toMatch(/^Basic /);
  });

  test.each([
    [
      'unknown scheme',
      { authorization: 'Negotiate abc' },
      { reason: 'unknown_scheme', scheme: '-', username: undefined },
      401,
    ],
    [
      'header without a scheme token',
      { authorization: '@@@' },
      { reason: 'unknown_scheme', scheme: '-', username: undefined },
      401,
    ],
    [
      'wrong password',
      { user: ['alice', WRONG_PASSWORD] },
      { reason: 'bad_credentials', scheme: 'basic', username: 'alice' },
      401,
    ],
    [
      'malformed Basic',
      { authorization: 'Basic !!!' },
      { reason: 'bad_credentials', scheme: 'basic', username: undefined },
      401,
    ],
    [
      'unknown bearer token',
      { authorization: 'Bearer unknown-token' },
      { reason: 'bad_credentials', scheme: 'bearer', username: undefined },
      401,
    ],
    [
      'denied signed-in user',
      { user: ['alice', PASSWORD], path: '/admin' },
      { reason: 'denied', scheme: 'basic', username: 'alice', avatarId: 'alice' },
      403,
    ],
    [
      'anonymous handshake',
      {},
      { reason: 'denied', scheme: 'anonymous', avatarId: ANONYMOUS, handshake: true },
      401,
    ],
  ] as const)('%s is login.failed', async (_name, input, expected, status) => {
    let pending = get('path' in input ? input.path : '/mailbox');
    if ('user' in input) {
      pending = pending.auth(input.user[0], input.user[1]);
    }
    if ('authorization' in input) {
      pending = pending.set('Authorization', input.authorization);
    }

    const response = await pending;

    expect(response.status).toBe(status);
    expect(events).toEqual([
      {
        type: 'login.failed',
        username: undefined,
        avatarId: undefined,
        handshake: undefined,
        ...expected,
        address: expect.any(String),
        requestId: expect.stringMatching(UUID),
        time: expect.any(Date),
      },
    ]);
  });

  test('throttled attempt is login.failed', async () => {
    await get('/mailbox').auth('bob', WRONG_PASSWORD);
    await get('/mailbox').auth('bob', WRONG_PASSWORD);
    events.length = 0;

    const response = await get('/mailbox').auth('bob', PASSWORD);

    expect(response.status).toBe(429);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        reason: 'throttled',
        username: 'bob',
        scheme: 'basic',
      }),
    ]);
  });

  test('stale Digest nonce is a handshake step', async () => {
    const first = await get('/mailbox');
    const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), 'MD5');
    const authorization = digestAuthorization(challenge, {
      username: 'alice',
      password: PASSWORD,
      uri: '/mailbox',
    });
    await get('/mailbox').set('Authorization', authorization);
    events.length = 0;

    const replay = await get('/mailbox').set('Authorization', authorization);

    expect(replay.status).toBe(401);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        reason: 'bad_credentials',
        handshake: true,
        scheme: 'digest',
        username: 'alice',
      }),
    ]);
  });

  test.each([
    ['a safe token', 'req-42:a.b_c', 'req-42:a.b_c'],
    ['128 characters', 'r'.repeat(128), 'r'.repeat(128)],
    ['129 characters', 'r'.repeat(129), UUID],
    ['a space', 'req 42', UUID],
    ['a line feed escape', 'req%0aX', UUID],
    ['non-ASCII', 'req-é', UUID],
  ])('request id from X-Request-Id with %s', async (_name, header, expected) => {
    await get('/whoami').set('X-Request-Id', Buffer.from(header, 'utf8').toString('latin1'));

    const { requestId } = events[0]!;
    if (expected instanceof RegExp) {
      expect(requestId).toMatch(expected);
    } else {
      expect(requestId).toBe(expected);
    }
  });
});

describe.each(ADAPTERS)('PortalAudit default log on %s', (adapter) => {
  // A new app per test, because the log rate-limits failures per address.
  let subject: AuditApp;

  afterEach(async () => {
    await subject?.app.close();
  });

  const get = (path: string) => request(subject.app.getHttpServer()).get(path);

  test('default log writes successes at debug and failures as warnings', async () => {
    subject = await startApp(adapter);
    await get('/mailbox').auth('alice', PASSWORD);
    await get('/mailbox').auth('alice', WRONG_PASSWORD);
    await get('/mailbox');
    await waitFor(
      () => subject.logger.messages('debug', 'PortalAudit').length === 3,
      'three debug lines',
    );

    expect(subject.logger.messages('debug', 'PortalAudit')).toEqual([
      expect.stringMatching(/^Login succeeded: avatar "alice" as ITestMailbox, scheme basic, /),
      expect.stringMatching(/^Logged out: avatar "alice" after \d+ ms, scheme basic, /),
      expect.stringMatching(
        /^Login failed \(denied, handshake\), avatar \(anonymous\), scheme anonymous, /,
      ),
    ]);
    expect(subject.logger.messages('warn', 'PortalAudit')).toEqual([
      expect.stringMatching(/^Login failed \(bad_credentials\), username "alice", scheme basic, /),
    ]);
  });

  test('no secret reaches an event or a log line', async () => {
    subject = await startApp(adapter);
    const { events } = subject;
    const first = await get('/mailbox');
    const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), 'MD5');
    const digestRight = digestAuthorization(challenge, {
      username: 'alice',
      password: PASSWORD,
      uri: '/mailbox',
    });
    const digestWrong = digestAuthorization(challenge, {
      username: 'alice',
      password: WRONG_PASSWORD,
      uri: '/mailbox',
      nc: 2,
    });
    const basicRight = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
    const basicWrong = `Basic ${Buffer.from(`alice:${WRONG_PASSWORD}`).toString('base64')}`;
    const headers = [
      digestRight,
      digestWrong,
      basicRight,
      basicWrong,
      `Bearer ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `${TOKEN}`,
      `Negotiate ${TOKEN}`,
    ];
    for (const authorization of headers) {
      await get('/admin').set('Authorization', authorization);
      await get('/mailbox').set('Authorization', authorization);
    }
    await waitFor(() => events.some((event) => event.type === 'logout'), 'a logout');

    const logged = subject.logger.entries.map((entry) => entry.message).join('\n');
    const recorded = JSON.stringify(events);
    const secrets = [
      PASSWORD,
      WRONG_PASSWORD,
      TOKEN,
      ...headers,
      ...headers.map((header) => header.split(' ').at(-1)!),
      /response="([0-9a-f]+)"/.exec(digestRight)![1]!,
      /response="([0-9a-f]+)"/.exec(digestWrong)![1]!,
    ];
    for (const secret of secrets) {
      expect(logged).not.toContain(secret);
      expect(recorded).not.toContain(secret);
    }
    expect(events.filter((event) => event.type === 'login.succeeded').length).toBeGreaterThan(0);
    expect(subject.logger.messages('warn', 'PortalAudit').length).toBeGreaterThan(0);
  });
});

describe.each(ADAPTERS)('PortalAudit listeners on %s', (adapter) => {
  test('throwing and rejecting listeners leave the response alone', async () => {
    const received: string[] = [];
    const { app, logger } = await startApp(adapter, {
      audit: {
        listeners: [
          () => {
            throw new Error('listener exploded');
          },
          () => Promise.reject(new TypeError('listener rejected')),
          (event) => void received.push(event.type),
        ],
        log: false,
      },
    });
    try {
      const response = await request(app.getHttpServer()).get('/mailbox').auth('alice', PASSWORD);
      await waitFor(() => received.length === 2, 'both events');
      await waitFor(() => logger.messages('error', 'PortalAudit').length === 4, 'four errors');

      expect(response.status).toBe(200);
      expect(response.body).toEqual({ interface: 'ITestMailbox', name: 'alice' });
      expect(received).toEqual(['login.succeeded', 'logout']);
      expect(logger.messages('error', 'PortalAudit').sort()).toEqual([
        'An audit listener failed on a login.succeeded event: Error: listener exploded',
        'An audit listener failed on a login.succeeded event: TypeError: listener rejected',
        'An audit listener failed on a logout event: Error: listener exploded',
        'An audit listener failed on a logout event: TypeError: listener rejected',
      ]);
    } finally {
      await app.close();
    }
  });

  test('addListener subscribes and its return unsubscribes', async () => {
    const { app } = await startApp(adapter, { audit: false });
    try {
      const audit = app.get(PortalAudit);
      const received: AuditEvent[] = [];
      const remove = audit.addListener((event) => void received.push(event));

      await request(app.getHttpServer()).get('/mailbox').auth('alice', WRONG_PASSWORD);
      remove();
      remove();
      await request(app.getHttpServer()).get('/mailbox').auth('alice', WRONG_PASSWORD);

      expect(received).toEqual([expect.objectContaining({ reason: 'bad_credentials' })]);
      expect(audit.enabled).toBe(false);
    } finally {
      await app.close();
    }
  });

  test('audit false emits and logs nothing and passes the mind as is', async () => {
    const { app, logger, realm } = await startApp(adapter, { audit: false, throttle: false });
    try {
      await request(app.getHttpServer()).get('/mailbox').auth('alice', PASSWORD);
      await request(app.getHttpServer()).get('/mailbox').auth('alice', WRONG_PASSWORD);

      expect(logger.entries.filter((entry) => entry.context === 'PortalAudit')).toEqual([]);
      expect(realm.minds).toHaveLength(1);
      expect(realm.minds[0]).toHaveProperty('headers');
    } finally {
      await app.close();
    }
  });
});
