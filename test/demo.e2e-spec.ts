/**
 * The demo app in-process, on Express and Fastify, with the real
 * data/users.htpasswd and data/users.htdigest: every route for anonymous,
 * user and admin requests with Basic, Digest SHA-256, Digest MD5 and demo
 * bearer tokens, and the demo's throttling and audit log.
 */
import { resolve } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import { type DigestAlgorithm } from 'nestjs-portal';
import request from 'supertest';

import { AppModule } from '../src/app.module.js';
import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import {
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  createTestApp,
  headerLines,
} from './support/nest-apps.js';

const DEMO_OPTIONS = {
  usersFile: resolve('data/users.htpasswd'),
  digestUsersFile: resolve('data/users.htdigest'),
  tokenKey: Buffer.from('a demo key of thirty-two bytes!!'),
};
// One challenge per scheme, in the demo's order; nonces differ per response.
const CHALLENGES = [
  expect.stringMatching(/^Digest realm="nestjs-portal demo", qop="auth", algorithm=SHA-256, /),
  expect.stringMatching(/^Digest realm="nestjs-portal demo", qop="auth", algorithm=MD5, /),
  'Basic realm="nestjs-portal demo", charset="UTF-8"',
  'Bearer realm="nestjs-portal demo"',
];

interface DemoCase {
  readonly path: string;
  readonly user?: readonly [string, string];
  readonly status: number;
  readonly body: unknown;
}

const ALICE = ['alice', 'wonderland'] as const;
const ADMIN = ['admin', 'admin-demo'] as const;
const ZOE = ['zoë', 'smörgåsbord'] as const;

const unauthorized = (message: string) => ({ statusCode: 401, error: 'Unauthorized', message });
const mailboxOf = (owner: string) => ({
  avatar: 'IMailbox',
  owner,
  messages: [
    { from: 'postmaster', subject: `Welcome, ${owner}` },
    { from: 'nestjs-portal', subject: 'Your avatar came from the DemoRealm' },
  ],
});

const CASES: readonly [string, DemoCase][] = [
  [
    'whoami anonymous',
    {
      path: '/whoami',
      status: 200,
      body: { avatar: 'IIdentity', name: 'anonymous', anonymous: true },
    },
  ],
  [
    'whoami alice',
    {
      path: '/whoami',
      user: ALICE,
      status: 200,
      body: { avatar: 'IIdentity', name: 'alice', anonymous: false },
    },
  ],
  [
    'mailbox anonymous',
    { path: '/mailbox', status: 401, body: unauthorized('Authentication required.') },
  ],
  ['mailbox alice', { path: '/mailbox', user: ALICE, status: 200, body: mailboxOf('alice') }],
  ['mailbox zoë', { path: '/mailbox', user: ZOE, status: 200, body: mailboxOf('zoë') }],
  [
    'mailbox wrong password',
    {
      path: '/mailbox',
      user: ['alice', 'Wonderland'],
      status: 401,
      body: unauthorized('Invalid credentials.'),
    },
  ],
  [
    'admin anonymous',
    { path: '/admin', status: 401, body: unauthorized('Authentication required.') },
  ],
  [
    'admin alice',
    {
      path: '/admin',
      user: ALICE,
      status: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'User alice may not have IAdmin.' },
    },
  ],
  [
    'admin admin',
    {
      path: '/admin',
      user: ADMIN,
      status: 200,
      body: { avatar: 'IAdmin', name: 'admin', knownUsers: expect.arrayContaining(['admin']) },
    },
  ],
  ['health without login', { path: '/health', status: 200, body: { status: 'ok' } }],
];

function startDemo(adapter: AdapterName, logger = new CapturingLogger()) {
  return createTestApp(adapter, AppModule.register(DEMO_OPTIONS), logger);
}

describe.each(ADAPTERS)('demo app on %s', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await startDemo(adapter);
  });

  afterAll(async () => {
    await app.close();
  });

  test.each(CASES)('%s', async (_name, entry) => {
    let pending = request(app.getHttpServer()).get(entry.path);
    if (entry.user) {
      pending = pending.auth(entry.user[0], entry.user[1]);
    }
    const response = await pending;

    expect(response.status).toBe(entry.status);
    expect(response.body).toEqual(entry.body);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual(
      entry.status === 401 ? CHALLENGES : [],
    );
  });

  async function digestGet(
    path: string,
    algorithm: DigestAlgorithm,
    [username, password]: readonly [string, string],
  ) {
    const first = await request(app.getHttpServer()).get(path);
    const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), algorithm);
    return request(app.getHttpServer())
      .get(path)
      .set('Authorization', digestAuthorization(challenge, { username, password, uri: path }));
  }

  describe.each(['SHA-256', 'MD5'] as const)('Digest %s', (algorithm) => {
    test.each([ALICE, ZOE])('mailbox of %s', async (...user) => {
      const response = await digestGet('/mailbox', algorithm, user);

      expect(response.status).toBe(200);
      expect(response.body).toEqual(mailboxOf(user[0]));
    });

    test('admin console of admin', async () => {
      const response = await digestGet('/admin', algorithm, ADMIN);

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ avatar: 'IAdmin', name: 'admin' });
    });

    test('wrong password gets 401 and the challenges', async () => {
      const response = await digestGet('/mailbox', algorithm, ['alice', 'Wonderland']);

      expect(response.status).toBe(401);
      expect(response.body).toEqual(unauthorized('Invalid credentials.'));
      expect(headerLines(response, 'WWW-Authenticate')).toEqual(CHALLENGES);
    });
  });

  describe('bearer tokens', () => {
    async function tokenFor(user: readonly [string, string]): Promise<string> {
      const response = await request(app.getHttpServer()).get('/token').auth(user[0], user[1]);
      expect(response.status).toBe(200);
      return (response.body as { access_token: string }).access_token;
    }

    const bearer = (path: string, token: string) =>
      request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);

    test('/token answers a token response', async () => {
      const response = await request(app.getHttpServer())
        .get('/token')
        .auth(...ALICE);

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        access_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
        token_type: 'Bearer',
        expires_in: 900,
      });
    });

    test('/token?format=text answers the token alone', async () => {
      const response = await request(app.getHttpServer())
        .get('/token?format=text')
        .auth(...ALICE);

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain/);
      expect(response.text).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
      expect((await bearer('/mailbox', response.text.trim())).status).toBe(200);
    });

    test('/token with Digest', async () => {
      const response = await digestGet('/token', 'SHA-256', ZOE);

      expect(response.status).toBe(200);
      expect((await bearer('/whoami', response.body.access_token)).body).toEqual({
        avatar: 'IIdentity',
        name: 'zoë',
        anonymous: false,
      });
    });

    test('token opens the mailbox and admin console of its user', async () => {
      const alice = await tokenFor(ALICE);
      const admin = await tokenFor(ADMIN);

      expect((await bearer('/mailbox', alice)).body).toEqual(mailboxOf('alice'));
      expect((await bearer('/admin', alice)).status).toBe(403);
      expect((await bearer('/admin', admin)).status).toBe(200);
    });

    test('token cannot buy another token', async () => {
      const response = await bearer('/token', await tokenFor(ALICE));

      expect(response.status).toBe(403);
      expect(response.body.message).toBe(
        'Tokens are issued to a login with a password (Basic or Digest).',
      );
    });

    test('anonymous /token gets 401 and the challenges', async () => {
      const response = await request(app.getHttpServer()).get('/token');

      expect(response.status).toBe(401);
      expect(headerLines(response, 'WWW-Authenticate')).toEqual(CHALLENGES);
    });

    test('tampered token gets invalid_token', async () => {
      const token = await tokenFor(ALICE);
      const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;

      const response = await bearer('/mailbox', tampered);

      expect(response.status).toBe(401);
      expect(headerLines(response, 'WWW-Authenticate').at(-1)).toMatch(
        /^Bearer realm="nestjs-portal demo", error="invalid_token"/,
      );
    });
  });
});

describe.each(ADAPTERS)('demo throttling and audit log on %s', (adapter) => {
  let app: INestApplication;
  let logger: CapturingLogger;

  beforeEach(async () => {
    logger = new CapturingLogger();
    app = await startDemo(adapter, logger);
  });

  afterEach(async () => {
    await app.close();
  });

  test('11th wrong password gets 429', async () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await request(app.getHttpServer()).get('/mailbox').auth('alice', 'guess');
      expect(response.status).toBe(401);
    }

    const response = await request(app.getHttpServer())
      .get('/mailbox')
      .auth(...ALICE);

    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  });

  test('audit log shows logins and failures', async () => {
    await request(app.getHttpServer())
      .get('/mailbox')
      .auth(...ALICE);
    await request(app.getHttpServer()).get('/mailbox').auth('alice', 'guess');

    expect(logger.messages('debug', 'PortalAudit')).toContainEqual(
      expect.stringMatching(/^Login succeeded: avatar "alice" as IMailbox, scheme basic, /),
    );
    expect(logger.messages('warn', 'PortalAudit')).toEqual([
      expect.stringMatching(/^Login failed \(bad_credentials\), username "alice", scheme basic, /),
    ]);
  });
});
