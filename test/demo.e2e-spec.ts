/**
 * The demo app in-process, on Express and Fastify, with the real
 * data/users.htpasswd: every route for anonymous, user and admin requests.
 */
import { resolve } from 'node:path';

import type { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { AppModule } from '../src/app.module.js';
import { ADAPTERS, createTestApp, headerLines } from './support/nest-apps.js';

const USERS_FILE = resolve('data/users.htpasswd');
const CHALLENGE = 'Basic realm="nestjs-portal demo", charset="UTF-8"';

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

describe.each(ADAPTERS)('demo app on %s', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, AppModule.register({ usersFile: USERS_FILE }));
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
      entry.status === 401 ? [CHALLENGE] : [],
    );
  });
});
