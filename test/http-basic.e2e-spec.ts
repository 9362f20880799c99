/**
 * HTTP Basic through PortalGuard: one table of cases, run against the same
 * app on Express and on Fastify. Each case names the input and the response.
 */
import { jest } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Module } from '@nestjs/common';
import {
  BasicCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  PortalModule,
  UsernamePassword,
} from 'nestjs-portal';
import request from 'supertest';

import { FakeBearerFactory } from './support/fake-bearer.credential-factory.js';
import { ADAPTERS, createTestApp, headerLines } from './support/nest-apps.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const BASIC = 'Basic realm="example.com", charset="UTF-8"';
const BEARER = 'Bearer realm="example.com"';
const EVERY_CHALLENGE = [BASIC, BEARER];

const USERS = {
  Aladdin: 'open sesame',
  user: 'pa:ss',
  admin: 'LN<=:.9oF`H,T)g=ALy/BowM3|z;0]',
  test: '123£',
  username: 'abc§abc',
  userid: '',
  'foo bar': 'bar baz',
  dreid: 'S3CuR1Ty',
  zoë: 'crème brûlée',
};

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: ['anonymous', new InMemoryUsernamePasswordDatabase(USERS)],
      credentialFactories: [
        new BasicCredentialFactory('example.com'),
        new FakeBearerFactory('example.com', { 'mF_9.B5f-4.1JqM': ['Aladdin', 'open sesame'] }),
      ],
    }),
  ],
  controllers: [TestAvatarController],
})
class BasicTableModule {}

type Path = '/whoami' | '/mailbox' | '/admin';

interface Case {
  readonly id: string;
  readonly description: string;
  readonly method?: 'GET' | 'HEAD';
  readonly path: Path;
  /** The Authorization header; none when undefined. */
  readonly authorization?: string;
  readonly status: 200 | 400 | 401 | 403;
  /** For 200: the name of the avatar in the response body. */
  readonly name?: string;
  /** For errors: the message of the JSON body. */
  readonly message?: string | RegExp;
  /** The WWW-Authenticate lines; by default every challenge for 400 and 401, none otherwise. */
  readonly challenges?: readonly string[];
}

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

const CASES: readonly Case[] = [
  // A01: split at the first colon only
  {
    id: 'A01',
    description: 'password with a colon',
    path: '/mailbox',
    authorization: 'Basic dXNlcjpwYTpzcw==',
    status: 200,
    name: 'user',
  },
  {
    id: 'A01',
    description: 'wud password with : = , | ; <',
    path: '/admin',
    authorization: 'Basic YWRtaW46TE48PTouOW9GYEgsVClnPUFMeS9Cb3dNM3x6OzBd',
    status: 200,
    name: 'admin',
  },
  // A02: the scheme is the first token, matched case-insensitively
  {
    id: 'A02',
    description: 'lower-case basic',
    path: '/mailbox',
    authorization: 'basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    status: 200,
    name: 'Aladdin',
  },
  {
    id: 'A02',
    description: 'upper-case BEARER',
    path: '/mailbox',
    authorization: 'BEARER mF_9.B5f-4.1JqM',
    status: 200,
    name: 'Aladdin',
  },
  {
    id: 'A02',
    description: 'fooBearer is an unknown scheme',
    path: '/mailbox',
    authorization: 'fooBearer bar',
    status: 401,
    message: /Unsupported authentication scheme/,
  },
  {
    id: 'A02',
    description: 'Bearer after another scheme',
    path: '/mailbox',
    authorization: 'foo Bearer bar',
    status: 401,
    message: /Unsupported authentication scheme/,
  },
  // A05: UTF-8, never U+FFFD
  {
    id: 'A05',
    description: 'UTF-8 password abc§abc',
    path: '/mailbox',
    authorization: 'Basic dXNlcm5hbWU6YWJjwqdhYmM=',
    status: 200,
    name: 'username',
  },
  {
    id: 'A05',
    description: 'Latin-1 password abc§abc',
    path: '/mailbox',
    authorization: 'Basic dXNlcm5hbWU6YWJjp2FiYw==',
    status: 401,
    message: 'The Basic password is not valid UTF-8.',
  },
  // A06: empty parts reach the checker, which rejects them with 401
  {
    id: 'A06',
    description: 'empty user and password',
    path: '/mailbox',
    authorization: 'Basic Og==',
    status: 401,
    message: 'Invalid credentials.',
  },
  {
    id: 'A06',
    description: 'empty password stored empty',
    path: '/mailbox',
    authorization: 'Basic dXNlcmlkOg==',
    status: 200,
    name: 'userid',
  },
  {
    id: 'A06',
    description: 'empty password stored non-empty',
    path: '/mailbox',
    authorization: 'Basic QWxhZGRpbjo=',
    status: 401,
    message: 'Invalid credentials.',
  },
  // A07: no colon
  {
    id: 'A07',
    description: 'user without colon',
    path: '/mailbox',
    authorization: 'Basic dXNlcg==',
    status: 401,
    message: /no colon/,
  },
  {
    id: 'A07',
    description: 'Twisted 123abc+/',
    path: '/mailbox',
    authorization: 'Basic MTIzYWJjKy8=',
    status: 401,
    message: /no colon/,
  },
  // A08: malformed values are never a 500
  {
    id: 'A08',
    description: 'bare word invalid',
    path: '/mailbox',
    authorization: 'invalid',
    status: 401,
    message: /Unsupported authentication scheme/,
  },
  {
    id: 'A08',
    description: 'unconfigured Digest',
    path: '/mailbox',
    authorization: 'Digest gasdga',
    status: 401,
    message: /Unsupported authentication scheme/,
  },
  {
    id: 'A08',
    description: 'raw user:password',
    path: '/mailbox',
    authorization: 'Basic username:password',
    status: 401,
    message: /token68/,
  },
  {
    id: 'A08',
    description: 'Twisted Quux foo bar baz',
    path: '/mailbox',
    authorization: 'Quux foo bar baz',
    status: 401,
    message: /Unsupported authentication scheme/,
  },
  // A10, S4, C2, C8: no header on a route that needs a user
  {
    id: 'A10',
    description: 'no header gets every challenge',
    path: '/mailbox',
    status: 401,
    message: 'Authentication required.',
  },
  { id: 'S4', description: 'HEAD without header', method: 'HEAD', path: '/mailbox', status: 401 },
  {
    id: 'S4',
    description: 'user and password with spaces',
    path: '/mailbox',
    authorization: 'Basic Zm9vIGJhcjpiYXIgYmF6',
    status: 200,
    name: 'foo bar',
  },
  // S3: Twisted's leniencies
  {
    id: 'S3',
    description: 'unpadded base64',
    path: '/mailbox',
    authorization: 'Basic ZHJlaWQ6UzNDdVIxVHk',
    status: 200,
    name: 'dreid',
  },
  {
    id: 'S3',
    description: 'Basic x',
    path: '/mailbox',
    authorization: 'Basic x',
    status: 401,
    message: /length or padding/,
  },
  {
    id: 'S3',
    description: 'two spaces after the scheme',
    path: '/mailbox',
    authorization: 'Basic  ZHJlaWQ6UzNDdVIxVHk=',
    status: 200,
    name: 'dreid',
  },
  // S6: token68 syntax before decoding
  {
    id: 'S6',
    description: 'space and !! inside base64',
    path: '/mailbox',
    authorization: 'Basic QWxh ZGRp!!bjpvcGVuIHNlc2FtZQ==',
    status: 401,
    message: /token68/,
  },
  // B01, B02: the RFC 7617 examples
  {
    id: 'B01',
    description: 'Aladdin:open sesame',
    path: '/mailbox',
    authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    status: 200,
    name: 'Aladdin',
  },
  {
    id: 'B02',
    description: 'UTF-8 123£',
    path: '/mailbox',
    authorization: 'Basic dGVzdDoxMjPCow==',
    status: 200,
    name: 'test',
  },
  {
    id: 'B02',
    description: 'Latin-1 123£',
    path: '/mailbox',
    authorization: 'Basic dGVzdDoxMjOj',
    status: 401,
    message: 'The Basic password is not valid UTF-8.',
  },
  // B18: ready-made values
  {
    id: 'B18',
    description: 'NUL in the user-id',
    path: '/mailbox',
    authorization: 'Basic dXNlcgA6cGFzcw==',
    status: 401,
    message: 'The Basic user-id contains a control character.',
  },
  {
    id: 'B18',
    description: 'LF in the password',
    path: '/mailbox',
    authorization: 'Basic dXNlcjpwYQpzcw==',
    status: 401,
    message: 'The Basic password contains a control character.',
  },
  {
    id: 'B18',
    description: 'C1 NEL in the user-id',
    path: '/mailbox',
    authorization: basic('Alad\u0085din:open sesame'),
    status: 401,
    message: 'The Basic user-id contains a control character.',
  },
  {
    id: 'B18',
    description: 'C1 CSI in the password',
    path: '/mailbox',
    authorization: basic('Aladdin:open\u009b31m sesame'),
    status: 401,
    message: 'The Basic password contains a control character.',
  },
  {
    id: 'B18',
    description: 'U+2028 in the user-id',
    path: '/mailbox',
    authorization: basic('Alad\u2028din:open sesame'),
    status: 401,
    message: 'The Basic user-id contains a control character.',
  },
  {
    id: 'B18',
    description: 'U+2029 in the password',
    path: '/mailbox',
    authorization: basic('Aladdin:open\u2029sesame'),
    status: 401,
    message: 'The Basic password contains a control character.',
  },
  {
    id: 'B18',
    description: 'UTF-8 pässwörd is checked',
    path: '/mailbox',
    authorization: 'Basic dXNlcjpww6Rzc3fDtnJk',
    status: 401,
    message: 'Invalid credentials.',
  },
  {
    id: 'B18',
    description: 'unpadded Aladdin',
    path: '/mailbox',
    authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ',
    status: 200,
    name: 'Aladdin',
  },
  // C1: a UTF-8 username, as curl and browsers send it
  {
    id: 'C1',
    description: 'UTF-8 user zoë',
    path: '/mailbox',
    authorization: basic('zoë:crème brûlée'),
    status: 200,
    name: 'zoë',
  },
  // Anonymous access, 403 and 400
  {
    id: 'anon',
    description: 'anonymous identity',
    path: '/whoami',
    status: 200,
    name: 'anonymous',
  },
  {
    id: 'anon',
    description: 'anonymous admin gets 401',
    path: '/admin',
    status: 401,
    message: 'Authentication required.',
  },
  {
    id: '403',
    description: 'signed-in non-admin',
    path: '/admin',
    authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    status: 403,
    message: 'Aladdin may not have ITestAdmin.',
  },
  {
    id: 'HEAD',
    description: 'signed-in HEAD',
    method: 'HEAD',
    path: '/mailbox',
    authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    status: 200,
  },
  {
    id: '401',
    description: 'wrong password',
    path: '/mailbox',
    authorization: basic('Aladdin:open sesame!'),
    status: 401,
    message: 'Invalid credentials.',
  },
  {
    id: '401',
    description: 'unknown user',
    path: '/mailbox',
    authorization: basic('nosuchuser:open sesame'),
    status: 401,
    message: 'Invalid credentials.',
  },
  {
    id: '401',
    description: 'scheme without credentials',
    path: '/mailbox',
    authorization: 'Basic',
    status: 401,
    message: /token68/,
  },
  {
    id: '401',
    description: 'unknown Bearer token',
    path: '/mailbox',
    authorization: 'Bearer unknown',
    status: 401,
    message: 'Unknown token.',
    challenges: [BASIC, 'Bearer realm="example.com", error="invalid_token"'],
  },
  {
    id: '400',
    description: 'malformed Bearer value',
    path: '/mailbox',
    authorization: 'Bearer a b',
    status: 400,
    message: 'The Bearer token is not a token68 value.',
    challenges: [BASIC, 'Bearer realm="example.com", error="invalid_request"'],
  },
];

const INTERFACE_OF: Record<Path, string> = {
  '/whoami': 'ITestIdentity',
  '/mailbox': 'ITestMailbox',
  '/admin': 'ITestAdmin',
};

const ERROR_OF: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
};

describe.each(ADAPTERS)('HTTP Basic on %s', (adapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, BasicTableModule);
  });

  afterAll(async () => {
    await app.close();
  });

  test.each(CASES.map((entry) => [`${entry.id} ${entry.description}`, entry] as const))(
    '%s',
    async (_name, entry) => {
      const method = entry.method ?? 'GET';
      let pending =
        method === 'HEAD'
          ? request(app.getHttpServer()).head(entry.path)
          : request(app.getHttpServer()).get(entry.path);
      if (entry.authorization !== undefined) {
        pending = pending.set('Authorization', entry.authorization);
      }
      const response = await pending;

      expect(response.status).toBe(entry.status);
      const defaultChallenges = entry.status === 400 || entry.status === 401 ? EVERY_CHALLENGE : [];
      expect(headerLines(response, 'WWW-Authenticate')).toEqual(
        entry.challenges ?? defaultChallenges,
      );

      if (method === 'HEAD') {
        expect(response.text ?? '').toBe('');
      } else if (entry.status === 200) {
        expect(response.body).toEqual({ interface: INTERFACE_OF[entry.path], name: entry.name });
      } else {
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body).toEqual({
          statusCode: entry.status,
          error: ERROR_OF[entry.status],
          message:
            typeof entry.message === 'string'
              ? entry.message
              : expect.stringMatching(entry.message!),
        });
      }
    },
  );

  test('C2 challenge then credentials', async () => {
    const server = app.getHttpServer();
    const first = await request(server).get('/mailbox');
    expect(first.status).toBe(401);
    expect(headerLines(first, 'WWW-Authenticate')).toEqual(EVERY_CHALLENGE);

    const second = await request(server).get('/mailbox').auth('Aladdin', 'open sesame');
    expect(second.status).toBe(200);
    expect(second.body).toEqual({ interface: 'ITestMailbox', name: 'Aladdin' });
  });

  test('A12 same work for unknown user', async () => {
    const spy = jest.spyOn(UsernamePassword.prototype, 'checkPassword');
    try {
      const server = app.getHttpServer();
      const known = await request(server).get('/mailbox').auth('admin', 'wrong');
      const knownCalls = spy.mock.calls.length;
      const unknown = await request(server).get('/mailbox').auth('nosuchuser', 'wrong');

      expect(known.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(known.body);
      expect(headerLines(unknown, 'WWW-Authenticate')).toEqual(
        headerLines(known, 'WWW-Authenticate'),
      );
      // One constant-time comparison each: the unknown user is compared with a decoy.
      expect(knownCalls).toBe(1);
      expect(spy.mock.calls.length).toBe(2);
      expect(spy.mock.results.map((result) => result.value)).toEqual([false, false]);
    } finally {
      spy.mockRestore();
    }
  });
});
