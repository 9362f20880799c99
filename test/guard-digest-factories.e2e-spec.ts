/**
 * Several credential factories of one scheme behind PortalGuard, on Express
 * and Fastify. Digest SHA-256 and Digest MD5 each decode the responses to
 * their own challenge. The factory that decoded gets the error, so
 * `stale=true` lands on its challenge. Usernames are decoded from UTF-8 once.
 */
import { Controller, Get, type INestApplication, Module, Req, UseGuards } from '@nestjs/common';
import { jest } from '@jest/globals';
import {
  Avatar,
  AvatarInterface,
  BasicCredentialFactory,
  type DigestAlgorithm,
  DigestCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  PortalGuard,
  PortalModule,
} from 'nestjs-portal';
import request from 'supertest';

import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import { ADAPTERS, createTestApp, headerLines } from './support/nest-apps.js';
import { ITestMailbox, type ITestMailbox as Mailbox, TestRealm } from './support/test-realm.js';

const REALM = 'factories';
const sha256 = new DigestCredentialFactory('SHA-256', REALM);
const md5 = new DigestCredentialFactory('MD5', REALM);

@UseGuards(PortalGuard)
@Controller('mailbox')
class AlgorithmController {
  @AvatarInterface(ITestMailbox)
  @Get()
  mailbox(@Avatar() mailbox: Mailbox, @Req() request: { headers: Record<string, unknown> }) {
    const algorithm = /algorithm=([\w-]+)/.exec(String(request.headers.authorization))?.[1];
    return { name: mailbox.name, algorithm };
  }
}

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: [
        new InMemoryUsernamePasswordDatabase({
          alice: 'wonderland',
          zoë: 'smörgåsbord',
          'Ã©': 'mojibake',
        }),
      ],
      credentialFactories: [sha256, md5, new BasicCredentialFactory(REALM)],
      audit: false,
    }),
  ],
  controllers: [AlgorithmController],
})
class FactoriesModule {}

describe.each(ADAPTERS)('several Digest factories on %s', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, FactoriesModule);
  });

  afterAll(async () => {
    await app.close();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  async function challenges(): Promise<string[]> {
    const response = await request(app.getHttpServer()).get('/mailbox');
    expect(response.status).toBe(401);
    return headerLines(response, 'WWW-Authenticate');
  }

  function send(authorization: string) {
    return request(app.getHttpServer()).get('/mailbox').set('Authorization', authorization);
  }

  test('401 offers SHA-256, MD5 and Basic in order', async () => {
    const lines = await challenges();

    expect(lines).toEqual([
      expect.stringMatching(/^Digest realm="factories", qop="auth", algorithm=SHA-256, /),
      expect.stringMatching(/^Digest realm="factories", qop="auth", algorithm=MD5, /),
      'Basic realm="factories", charset="UTF-8"',
    ]);
  });

  test.each(['SHA-256', 'MD5'] as const)('%s response is decoded by its factory', async (name) => {
    const decodeSha256 = jest.spyOn(sha256, 'decode');
    const decodeMd5 = jest.spyOn(md5, 'decode');
    const challenge = digestChallenge(await challenges(), name);

    const response = await send(
      digestAuthorization(challenge, {
        username: 'alice',
        password: 'wonderland',
        uri: '/mailbox',
      }),
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ name: 'alice', algorithm: name });
    expect(decodeSha256).toHaveBeenCalledTimes(name === 'SHA-256' ? 1 : 0);
    expect(decodeMd5).toHaveBeenCalledTimes(name === 'MD5' ? 1 : 0);
  });

  test.each(['SHA-256', 'MD5'] as const)(
    '%s wrong password gets 401 with fresh challenges',
    async (name) => {
      const challenge = digestChallenge(await challenges(), name);

      const response = await send(
        digestAuthorization(challenge, { username: 'alice', password: 'wrong', uri: '/mailbox' }),
      );

      expect(response.status).toBe(401);
      const lines = headerLines(response, 'WWW-Authenticate');
      expect(lines).toHaveLength(3);
      expect(lines.some((line) => line.includes('stale'))).toBe(false);
    },
  );

  test.each([
    ['SHA-256', 'MD5'],
    ['MD5', 'SHA-256'],
  ] as const)('stale %s nonce marks only its own challenge', async (name, other) => {
    const challenge = digestChallenge(await challenges(), name);
    const authorization = digestAuthorization(challenge, {
      username: 'alice',
      password: 'wonderland',
      uri: '/mailbox',
    });
    expect((await send(authorization)).status).toBe(200);

    const replay = await send(authorization);

    expect(replay.status).toBe(401);
    const lines = headerLines(replay, 'WWW-Authenticate');
    expect(digestChallenge(lines, name).stale).toBe(true);
    expect(digestChallenge(lines, other as DigestAlgorithm).stale).toBe(false);
  });

  test('response without algorithm goes to the MD5 factory', async () => {
    const decodeMd5 = jest.spyOn(md5, 'decode');
    const challenge = digestChallenge(await challenges(), 'MD5');
    const authorization = digestAuthorization(challenge, {
      username: 'alice',
      password: 'wonderland',
      uri: '/mailbox',
    }).replace(', algorithm=MD5', '');

    const response = await send(authorization);

    expect(response.status).toBe(200);
    expect(decodeMd5).toHaveBeenCalledTimes(1);
  });

  test.each([
    ['zoë', 'smörgåsbord'],
    ['Ã©', 'mojibake'],
  ])('UTF-8 username %s is decoded once', async (username, password) => {
    const challenge = digestChallenge(await challenges(), 'SHA-256');

    const response = await send(
      digestAuthorization(challenge, { username, password, uri: '/mailbox' }),
    );

    expect(response.status).toBe(200);
    expect(response.body.name).toBe(username);
  });
});
