/**
 * The challenge of a 403. When the realm denies a signed-in user, the guard
 * calls `getChallenge` of the factory that decoded the credentials and sends
 * the challenge only when there is one. Bearer returns `insufficient_scope`
 * (RFC 6750 §3.1), and Basic and Digest return none. Runs on Express and
 * Fastify.
 */
import { type INestApplication, Module } from '@nestjs/common';
import {
  BasicCredentialFactory,
  BearerCredentialFactory,
  type CredentialFactory,
  DigestCredentialFactory,
  type HttpRequestLike,
  InMemoryUsernamePasswordDatabase,
  LoginDenied,
  PortalModule,
  TokenLookupChecker,
  UsernamePassword,
} from 'nestjs-portal';
import request from 'supertest';

import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import { ADAPTERS, type AdapterName, createTestApp, headerLines } from './support/nest-apps.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const INSUFFICIENT_SCOPE =
  'Bearer realm="api", scope="mail admin", error="insufficient_scope", ' +
  'error_description="The access token does not grant access to this resource."';

/**
 * `Async <name>` logs in as that user with the password `async`. Its
 * challenge is a promise, which on a denial resolves to the value the test sets.
 */
class AsyncFactory implements CredentialFactory {
  readonly scheme = 'Async';
  deniedChallenge: unknown = 'Async realm="api", error="denied"';

  async getChallenge(_request: HttpRequestLike, error?: unknown): Promise<string | undefined> {
    return error instanceof LoginDenied
      ? (this.deniedChallenge as string | undefined)
      : 'Async realm="api"';
  }

  decode(response: string): UsernamePassword {
    return new UsernamePassword(response, 'async');
  }
}

const asyncFactory = new AsyncFactory();

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: [
        'anonymous',
        new InMemoryUsernamePasswordDatabase({ alice: 'wonderland', admin: 'root', bob: 'async' }),
        new TokenLookupChecker(
          (token) => ({ 'alice-token': 'alice', 'admin-token': 'admin' })[token],
        ),
      ],
      credentialFactories: [
        new BasicCredentialFactory('api'),
        new DigestCredentialFactory('MD5', 'api'),
        new BearerCredentialFactory('api', { scope: 'mail admin' }),
        asyncFactory,
      ],
    }),
  ],
  controllers: [TestAvatarController],
})
class DeniedModule {}

describe.each(ADAPTERS)('403 challenges on %s', (adapter: AdapterName) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, DeniedModule);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    asyncFactory.deniedChallenge = 'Async realm="api", error="denied"';
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);

  test('denied Bearer token gets insufficient_scope', async () => {
    const response = await get('/admin').set('Authorization', 'Bearer alice-token');

    expect(response.status).toBe(403);
    expect(response.body.message).toBe('alice may not have ITestAdmin.');
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([INSUFFICIENT_SCOPE]);
  });

  test('HEAD with a denied Bearer token gets insufficient_scope', async () => {
    const response = await request(app.getHttpServer())
      .head('/admin')
      .set('Authorization', 'Bearer alice-token');

    expect(response.status).toBe(403);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([INSUFFICIENT_SCOPE]);
  });

  test('allowed Bearer token gets no challenge', async () => {
    const response = await get('/admin').set('Authorization', 'Bearer admin-token');

    expect(response.status).toBe(200);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });

  test('denied Basic user gets no challenge', async () => {
    const response = await get('/admin').auth('alice', 'wonderland');

    expect(response.status).toBe(403);
    expect(response.body.message).toBe('alice may not have ITestAdmin.');
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });

  test('denied Digest user gets no challenge', async () => {
    const first = await get('/admin');
    const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), 'MD5');
    const authorization = digestAuthorization(challenge, {
      username: 'alice',
      password: 'wonderland',
      uri: '/admin',
    });

    const response = await get('/admin').set('Authorization', authorization);

    expect(response.status).toBe(403);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });

  test('anonymous denial still gets every challenge', async () => {
    const response = await get('/admin');

    expect(response.status).toBe(401);
    expect(headerLines(response, 'WWW-Authenticate').map((line) => line.split(' ')[0])).toEqual([
      'Basic',
      'Digest',
      'Bearer',
      'Async',
    ]);
    expect(headerLines(response, 'WWW-Authenticate')[2]).toBe(
      'Bearer realm="api", scope="mail admin"',
    );
  });

  test('async factory challenge is awaited on 403', async () => {
    const response = await get('/admin').set('Authorization', 'Async bob');

    expect(response.status).toBe(403);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([
      'Async realm="api", error="denied"',
    ]);
  });

  test('async factory without a challenge on 403 sends none', async () => {
    asyncFactory.deniedChallenge = undefined;

    const response = await get('/admin').set('Authorization', 'Async bob');

    expect(response.status).toBe(403);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });

  test('challenge that is not a string on 403 gives 500', async () => {
    asyncFactory.deniedChallenge = 42;

    const response = await get('/admin').set('Authorization', 'Async bob');

    expect(response.status).toBe(500);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
  });
});
