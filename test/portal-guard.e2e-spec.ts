/**
 * PortalGuard's behaviour beyond HTTP Basic: error mapping and logging,
 * challenges, header decoding, route metadata, APP_GUARD exemption, the
 * avatar decorator and AvatarContext. Each test runs on Express and Fastify.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  Controller,
  Get,
  Injectable,
  type INestApplication,
  Module,
  Query,
  UseGuards,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  ANONYMOUS,
  Avatar,
  AvatarContext,
  AvatarInterface,
  type AvatarId,
  BasicCredentialFactory,
  type CredentialFactory,
  type HttpRequestLike,
  InMemoryUsernamePasswordDatabase,
  type InterfaceToken,
  type IRealm,
  type LoginResult,
  PortalGuard,
  PortalModule,
  SkipPortal,
  UnauthorizedLogin,
  UsernamePassword,
} from 'nestjs-portal';
import request from 'supertest';

import { FakeBearerFactory } from './support/fake-bearer.credential-factory.js';
import { rawGet as rawRequest, rawHeaderValues } from './support/raw-http.js';
import {
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  createTestApp,
  headerLines,
  waitFor,
} from './support/nest-apps.js';
import {
  ITestAdmin,
  ITestIdentity,
  ITestMailbox,
  TestAvatarController,
  TestRealm,
} from './support/test-realm.js';

const BASIC = 'Basic realm="guard", charset="UTF-8"';
const ALADDIN = 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==';

/** Records what the guard hands a factory; `Echo <username>` logs in as that user. */
class EchoFactory implements CredentialFactory {
  readonly scheme = 'Echo';
  readonly seen: { response: string; request: HttpRequestLike }[] = [];

  getChallenge(): string {
    return 'Echo realm="guard"';
  }

  decode(response: string, request: HttpRequestLike): UsernamePassword {
    if (response === 'crash') {
      throw new TypeError('decoder bug');
    }
    this.seen.push({ response, request });
    return new UsernamePassword(response, 'echo');
  }
}

/** A realm that breaks on purpose for some avatar ids. */
@Injectable()
class BrokenRealm implements IRealm {
  readonly minds: unknown[] = [];
  private readonly inner = new TestRealm();

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: InterfaceToken[]) {
    this.minds.push(mind);
    if (avatarId === 'boom') {
      throw new Error('realm exploded');
    }
    if (avatarId === 'bad') {
      return ['not', 'a', 'triple', 'at all'] as unknown as LoginResult;
    }
    return this.inner.requestAvatar(avatarId, mind, ...interfaces);
  }
}

@Injectable()
class WhoService {
  constructor(private readonly avatars: AvatarContext) {}

  async names(): Promise<{ current?: string; admin?: string; mailbox?: string }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return {
      current: (this.avatars.current() as { name?: string } | undefined)?.name,
      admin: this.avatars.current(ITestAdmin)?.name,
      mailbox: this.avatars.current(ITestMailbox)?.name,
    };
  }
}

@UseGuards(PortalGuard)
@Controller('guard')
class GuardController {
  constructor(private readonly who: WhoService) {}

  @AvatarInterface(ITestMailbox)
  @Get('mailbox')
  mailbox(@Avatar() mailbox: ITestMailbox, @Query('x') x?: string) {
    return { name: mailbox.name, x };
  }

  // The realm gives the first interface it can: admins get ITestAdmin.
  @AvatarInterface(ITestAdmin, ITestMailbox)
  @Get('either')
  either(@Avatar(ITestAdmin) admin: ITestAdmin | undefined, @Avatar() avatar: { name: string }) {
    return { admin: admin?.name ?? null, name: avatar.name };
  }

  @AvatarInterface(ITestMailbox)
  @Get('context')
  context() {
    return this.who.names();
  }

  // No @AvatarInterface: the module's interfaces option applies.
  @Get('default')
  byDefault(@Avatar() avatar: { name: string }) {
    return { name: avatar.name };
  }
}

const echo = new EchoFactory();
const bearer = new FakeBearerFactory('guard', {
  good: ['Aladdin', 'open sesame'],
  revoked: ['Aladdin', 'old password'],
});

@Module({
  imports: [
    PortalModule.forRoot({
      avatarContext: true,
      realm: BrokenRealm,
      checkers: [
        'anonymous',
        new InMemoryUsernamePasswordDatabase({
          Aladdin: 'open sesame',
          admin: 'secret',
          boom: 'secret',
          bad: 'secret',
          zoë: 'echo',
          'zo\u00eb\u00eb': 'echo',
        }),
      ],
      credentialFactories: [new BasicCredentialFactory('guard'), bearer, echo],
      interfaces: [ITestIdentity],
      mind: (request) => ({ mindOf: (request as { method: string }).method }),
    }),
  ],
  controllers: [GuardController],
  providers: [WhoService],
})
class GuardModule {}

const ALL_CHALLENGES = [BASIC, 'Bearer realm="guard"', 'Echo realm="guard"'];

describe.each(ADAPTERS)('PortalGuard on %s', (adapter: AdapterName) => {
  let app: INestApplication;
  let logger: CapturingLogger;

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, GuardModule, logger);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    logger.entries.length = 0;
    echo.seen.length = 0;
    bearer.challengeErrors.length = 0;
  });

  const server = () => app.getHttpServer();
  const errors = () => logger.messages('error');

  test('realm error gives 500, logged once', async () => {
    const response = await request(server())
      .get('/guard/mailbox?token=query-secret')
      .auth('boom', 'secret');

    expect(response.status).toBe(500);
    expect(response.body).toEqual({ statusCode: 500, message: 'Internal server error' });
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
    expect(errors()).toEqual(['GET /guard/mailbox failed in PortalGuard: Error: realm exploded']);
    const logged = JSON.stringify(logger.entries);
    expect(logged).not.toContain('query-secret');
    expect(logged).not.toContain(Buffer.from('boom:secret').toString('base64'));
    expect(logged).not.toContain('secret"');
  });

  test('invalid realm response is a 500', async () => {
    const response = await request(server()).get('/guard/mailbox').auth('bad', 'secret');

    expect(response.status).toBe(500);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatch(
      /^GET \/guard\/mailbox failed in PortalGuard: InvalidRealmResponse: /,
    );
  });

  test('decoder bug is a 500', async () => {
    const response = await request(server())
      .get('/guard/mailbox')
      .set('Authorization', 'Echo crash');

    expect(response.status).toBe(500);
    expect(errors()).toEqual(['GET /guard/mailbox failed in PortalGuard: TypeError: decoder bug']);
  });

  test('401 lists challenges in configured order', async () => {
    const response = await request(server()).get('/guard/mailbox');

    expect(response.status).toBe(401);
    expect(headerLines(response, 'WWW-Authenticate')).toEqual(ALL_CHALLENGES);
    expect(errors()).toEqual([]);
  });

  test('only the failing factory gets the error', async () => {
    const response = await request(server())
      .get('/guard/mailbox')
      .set('Authorization', 'Bearer nope');

    expect(response.status).toBe(401);
    expect(bearer.challengeErrors).toHaveLength(1);
    expect(bearer.challengeErrors[0]).toBeInstanceOf(Error);

    bearer.challengeErrors.length = 0;
    await request(server()).get('/guard/mailbox').auth('Aladdin', 'wrong');
    expect(bearer.challengeErrors).toEqual([undefined]);
  });

  test('checker error reaches its factory', async () => {
    // The token decodes, but the checker rejects the password it stands for.
    const response = await request(server())
      .get('/guard/mailbox')
      .set('Authorization', 'Bearer revoked');

    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid credentials.');
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([
      BASIC,
      'Bearer realm="guard", error="invalid_token"',
      'Echo realm="guard"',
    ]);
  });

  test('header bytes are re-read as UTF-8', async () => {
    const raw = Buffer.from('Echo zoë', 'utf8').toString('latin1');
    const status = await rawGet(app, '/guard/mailbox?x=1,2', raw);

    expect(status).toBe(200);
    expect(echo.seen.map((entry) => entry.response)).toEqual(['zoë']);
    expect(echo.seen[0]!.request.url).toBe('/guard/mailbox?x=1,2');
    expect(echo.seen[0]!.request.method).toBe('GET');
  });

  test('invalid UTF-8 keeps its Latin-1 reading', async () => {
    // "zoëë" in ISO-8859-1: 0xEB 0xEB is no valid UTF-8 sequence.
    const raw = Buffer.from('Echo zo\u00eb\u00eb', 'latin1').toString('latin1');
    const status = await rawGet(app, '/guard/mailbox', raw);

    expect(status).toBe(200);
    expect(echo.seen.map((entry) => entry.response)).toEqual(['zo\u00eb\u00eb']);
    expect(echo.seen[0]!.response).not.toContain('\ufffd');
  });

  test.each([
    ['empty', '', 'The Authorization header does not start with an authentication scheme.'],
    [
      'without a scheme token',
      '@@@ abc',
      'The Authorization header does not start with an authentication scheme.',
    ],
    [
      'with a tab after the scheme',
      'Basic\tQQ==',
      'The Authorization header does not start with an authentication scheme.',
    ],
    [
      'with an unknown scheme',
      'Negotiate abc',
      'Unsupported authentication scheme; this server accepts Basic, Bearer, Echo.',
    ],
  ])('Authorization header %s is a 401', async (_name, authorization, message) => {
    const response = await rawRequest(app, '/guard/default', [`Authorization: ${authorization}`]);

    expect(response.status).toBe(401);
    expect(rawHeaderValues(response, 'WWW-Authenticate')).toEqual(ALL_CHALLENGES);
    expect(JSON.parse(response.body)).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message,
    });
  });

  test('mind factory output reaches the realm', async () => {
    const realm = app.get(BrokenRealm, { strict: false });
    realm.minds.length = 0;
    await request(server()).get('/guard/mailbox').auth('Aladdin', 'open sesame').expect(200);
    expect(realm.minds).toEqual([{ mindOf: 'GET' }]);
  });

  test('Avatar with interface filters', async () => {
    const admin = await request(server()).get('/guard/either').auth('admin', 'secret');
    expect(admin.body).toEqual({ admin: 'admin', name: 'admin' });

    const user = await request(server()).get('/guard/either').set('Authorization', ALADDIN);
    expect(user.body).toEqual({ admin: null, name: 'Aladdin' });
  });

  test('module interfaces apply without AvatarInterface', async () => {
    const response = await request(server()).get('/guard/default');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ name: 'anonymous' });
  });

  test('AvatarContext sees the request avatar', async () => {
    const response = await request(server()).get('/guard/context').set('Authorization', ALADDIN);
    expect(response.body).toEqual({ current: 'Aladdin', mailbox: 'Aladdin' });
    expect(app.get(AvatarContext).current()).toBeUndefined();
  });
});

// Sends a GET with an Authorization value written byte for byte (Latin-1),
// which supertest cannot do for bytes above 0x7F.
async function rawGet(app: INestApplication, path: string, authorization: string): Promise<number> {
  const server = app.getHttpServer();
  if (!server.listening) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, path, method: 'GET', headers: { Authorization: authorization } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe.each(ADAPTERS)('APP_GUARD on %s', (adapter) => {
  @SkipPortal()
  @Controller('health')
  class HealthController {
    @Get()
    health() {
      return { status: 'ok' };
    }

    @SkipPortal(false)
    @AvatarInterface(ITestMailbox)
    @Get('private')
    private(@Avatar() mailbox: ITestMailbox) {
      return { name: mailbox.name };
    }
  }

  @Module({
    imports: [
      PortalModule.forRoot({
        realm: TestRealm,
        checkers: ['anonymous', 'memory:Aladdin:open sesame'],
        credentialFactories: [new BasicCredentialFactory('guard')],
        interfaces: [ITestIdentity],
      }),
    ],
    controllers: [HealthController, TestAvatarController],
    providers: [{ provide: APP_GUARD, useClass: PortalGuard }],
  })
  class AppGuardModule {}

  let app: INestApplication;
  let realm: TestRealm;

  beforeAll(async () => {
    app = await createTestApp(adapter, AppGuardModule);
    realm = app.get(TestRealm, { strict: false });
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => realm.counters.reset());

  test('exempt controller skips the login', async () => {
    const response = await request(app.getHttpServer()).get('/health');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
    expect(realm.counters.logins).toBe(0);
  });

  test('SkipPortal(false) guards a handler again', async () => {
    const anonymous = await request(app.getHttpServer()).get('/health/private');
    expect(anonymous.status).toBe(401);

    const signedIn = await request(app.getHttpServer())
      .get('/health/private')
      .set('Authorization', ALADDIN);
    expect(signedIn.body).toEqual({ name: 'Aladdin' });
  });

  test('guard installed twice logs in once', async () => {
    // TestAvatarController also has @UseGuards(PortalGuard).
    const response = await request(app.getHttpServer())
      .get('/mailbox')
      .set('Authorization', ALADDIN);

    expect(response.status).toBe(200);
    expect(realm.counters.logins).toBe(1);
    await waitFor(() => realm.counters.logouts === 1, 'the logout');
    expect(realm.counters.logouts).toBe(1);
  });
});

describe('AvatarContext without the interceptor', () => {
  // Off by default: the AsyncLocalStorage behind it slows every request on Node 20.
  test.each([false, undefined])('current() stays undefined with %p', async (avatarContext) => {
    @Injectable()
    class Reader {
      constructor(readonly avatars: AvatarContext) {}
    }

    @UseGuards(PortalGuard)
    @Controller()
    class ReaderController {
      constructor(private readonly reader: Reader) {}

      @AvatarInterface(ITestIdentity)
      @Get('read')
      read() {
        return { current: this.reader.avatars.current() ?? null };
      }
    }

    @Module({
      imports: [
        PortalModule.forRoot({
          realm: TestRealm,
          checkers: ['anonymous'],
          credentialFactories: [new BasicCredentialFactory('guard')],
          avatarContext,
        }),
      ],
      controllers: [ReaderController],
      providers: [Reader],
    })
    class NoContextModule {}

    const app = await createTestApp('express', NoContextModule);
    try {
      const response = await request(app.getHttpServer()).get('/read');
      expect(response.body).toEqual({ current: null });
    } finally {
      await app.close();
    }
  });
});

describe.each(ADAPTERS)('broken challenges on %s', (adapter) => {
  /** A factory whose challenge is chosen by the test. */
  class BrokenChallengeFactory implements CredentialFactory {
    readonly scheme = 'Broken';
    challenge: unknown = 'Broken realm="x"';

    getChallenge(): string {
      return this.challenge as string;
    }

    decode(): never {
      throw new UnauthorizedLogin();
    }
  }

  const broken = new BrokenChallengeFactory();

  @Module({
    imports: [
      PortalModule.forRoot({
        realm: TestRealm,
        checkers: ['anonymous'],
        credentialFactories: [new BasicCredentialFactory('guard'), broken],
      }),
    ],
    controllers: [TestAvatarController],
  })
  class BrokenChallengeModule {}

  let app: INestApplication;
  let logger: CapturingLogger;

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, BrokenChallengeModule, logger);
  });

  afterAll(async () => {
    await app.close();
  });

  test.each([
    [
      'undefined',
      undefined,
      /TypeError: The Broken credential factory returned no challenge for a 400 or 401 response, which must carry one; only a 403 may go without\./,
    ],
    [
      'a number',
      42,
      /TypeError: The Broken credential factory returned a challenge that is not a string, but number\./,
    ],
    [
      'a line break',
      'Broken realm="x"\r\nX-Injected: 1',
      /TypeError: Invalid character in header content/,
    ],
  ])('challenge of %s gives 500', async (_name, challenge, logged) => {
    broken.challenge = challenge;
    logger.entries.length = 0;
    const response = await request(app.getHttpServer()).get('/mailbox');

    expect(response.status).toBe(500);
    expect(response.headers['x-injected']).toBeUndefined();
    expect(headerLines(response, 'WWW-Authenticate')).toEqual([]);
    expect(logger.messages('error', 'PortalGuard')).toEqual([expect.stringMatching(logged)]);
  });
});

test('PortalGuard denies non-HTTP contexts', async () => {
  const guard = new PortalGuard({} as never, {} as never, {
    credentialFactories: [],
    factoriesByScheme: new Map(),
    interfaces: [],
  });
  const context = { getType: () => 'rpc' } as never;
  await expect(guard.canActivate(context)).resolves.toBe(false);
});

// ANONYMOUS is re-exported for realms; keep the import checked.
void ANONYMOUS;
