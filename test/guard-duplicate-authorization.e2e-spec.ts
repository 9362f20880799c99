/**
 * A request with more than one `Authorization` header line gets 400 with the
 * challenges: the field is a singleton (RFC 9110 §5.3, §11.6.2), and Node
 * would otherwise keep the first line and drop the rest unseen. The requests
 * are written to a TCP socket, because HTTP clients merge or refuse repeated
 * headers. Runs on Express and Fastify.
 */
import { type INestApplication, Module } from '@nestjs/common';
import {
  type AuditEvent,
  BasicCredentialFactory,
  BearerCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  PortalModule,
  TokenLookupChecker,
} from 'nestjs-portal';

import { ADAPTERS, type AdapterName, createTestApp } from './support/nest-apps.js';
import { rawGet, rawHeaderValues } from './support/raw-http.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const ALICE = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;
const MALLORY = `Basic ${Buffer.from('mallory:wrong').toString('base64')}`;
const CHALLENGES = ['Basic realm="dup", charset="UTF-8"', 'Bearer realm="dup"'];
const events: AuditEvent[] = [];

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: [
        'anonymous',
        new InMemoryUsernamePasswordDatabase({ alice: 'wonderland' }),
        new TokenLookupChecker((token) => (token === 'alice-token' ? 'alice' : undefined)),
      ],
      credentialFactories: [new BasicCredentialFactory('dup'), new BearerCredentialFactory('dup')],
      audit: { listeners: [(event) => void events.push(event)], log: false },
    }),
  ],
  controllers: [TestAvatarController],
})
class DuplicateModule {}

describe.each(ADAPTERS)('repeated Authorization on %s', (adapter: AdapterName) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, DuplicateModule);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    events.length = 0;
  });

  test('single header logs in', async () => {
    const response = await rawGet(app, '/mailbox', [`Authorization: ${ALICE}`]);

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ interface: 'ITestMailbox', name: 'alice' });
  });

  test.each([
    ['valid then invalid', [`Authorization: ${ALICE}`, `Authorization: ${MALLORY}`]],
    ['invalid then valid', [`Authorization: ${MALLORY}`, `Authorization: ${ALICE}`]],
    ['the same value twice', [`Authorization: ${ALICE}`, `Authorization: ${ALICE}`]],
    ['Basic and Bearer', [`Authorization: ${ALICE}`, 'Authorization: Bearer alice-token']],
    ['names in other cases', [`authorization: ${ALICE}`, `AUTHORIZATION: ${MALLORY}`]],
    ['an empty second line', [`Authorization: ${ALICE}`, 'Authorization:']],
    [
      'three lines apart',
      [`Authorization: ${ALICE}`, 'Accept: */*', `Authorization: ${ALICE}`, 'Authorization: x'],
    ],
  ])('%s gets 400 with the challenges', async (_name, lines) => {
    const response = await rawGet(app, '/mailbox', lines);

    expect(response.status).toBe(400);
    expect(rawHeaderValues(response, 'WWW-Authenticate')).toEqual(CHALLENGES);
    expect(JSON.parse(response.body)).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request has more than one Authorization header.',
    });
  });

  test('repeat is a bad_credentials audit event', async () => {
    await rawGet(app, '/mailbox', [`Authorization: ${ALICE}`, `Authorization: ${ALICE}`]);

    expect(events).toEqual([
      expect.objectContaining({
        type: 'login.failed',
        reason: 'bad_credentials',
        scheme: '-',
        username: undefined,
      }),
    ]);
  });
});
