/**
 * PortalModule: forRoot and forRootAsync, realms and checkers as instances,
 * classes and strings, @CredentialsChecker discovery and its warnings,
 * isGlobal, and the errors that stop bootstrap.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  Controller,
  Get,
  Inject,
  Injectable,
  type INestApplication,
  Module,
  Scope,
  UseGuards,
} from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  ANONYMOUS,
  Anonymous,
  Avatar,
  AvatarInterface,
  type AvatarId,
  BasicCredentialFactory,
  CredentialsChecker,
  type ICredentialsChecker,
  IUsernamePassword,
  InvalidCheckerString,
  Portal,
  PortalGuard,
  PortalModule,
  type PortalModuleOptions,
  type PortalOptions,
  type PortalOptionsFactory,
  UnauthorizedLogin,
  UsernamePassword,
} from 'nestjs-portal';
import request from 'supertest';

import { ADAPTERS, CapturingLogger, createTestApp } from './support/nest-apps.js';
import { requireTool } from './support/require-tool.js';
import { ITestIdentity, ITestMailbox, TestRealm } from './support/test-realm.js';

const SETTINGS = Symbol('settings');

/** A provider that realm and checker classes inject, to prove Nest made them. */
@Injectable()
class Settings {
  readonly greeting = 'injected';
  readonly users: Record<string, string> = { carol: 'c-password' };
}

@Module({
  providers: [Settings, { provide: SETTINGS, useExisting: Settings }],
  exports: [Settings, SETTINGS],
})
class SettingsModule {}

@Injectable()
class InjectedRealm extends TestRealm {
  constructor(readonly settings: Settings) {
    super();
  }
}

/** A checker class whose users come from an injected provider. */
@Injectable()
class SettingsChecker implements ICredentialsChecker<UsernamePassword> {
  readonly credentialInterfaces = [IUsernamePassword];

  constructor(private readonly settings: Settings) {}

  requestAvatarId(credentials: UsernamePassword): AvatarId {
    if (this.settings.users[credentials.username] !== credentials.password) {
      throw new UnauthorizedLogin();
    }
    return credentials.username;
  }
}

/** Logs in any user who sends the password `discovered`, under a prefixed id. */
function discoveredChecker(prefix: string) {
  @Injectable()
  class Discovered implements ICredentialsChecker<UsernamePassword> {
    readonly credentialInterfaces = [IUsernamePassword];

    requestAvatarId(credentials: UsernamePassword): AvatarId {
      if (credentials.password !== 'discovered') {
        throw new UnauthorizedLogin();
      }
      return `${prefix}:${credentials.username}`;
    }
  }
  return Discovered;
}

@CredentialsChecker(IUsernamePassword)
@Injectable()
class FirstDiscoveredChecker extends discoveredChecker('first') {}

@CredentialsChecker()
@Injectable()
class SecondDiscoveredChecker extends discoveredChecker('second') {}

async function compile(
  imports: unknown[],
  logger = new CapturingLogger(),
  providers: unknown[] = [],
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never,
    providers: providers as never,
  })
    .setLogger(logger)
    .compile();
  await moduleRef.init();
  return moduleRef;
}

async function loginName(portal: Portal, username: string, password: string): Promise<string> {
  const [, avatar, logout] = await portal.login(
    new UsernamePassword(username, password),
    undefined,
    ITestMailbox,
  );
  await logout();
  return (avatar as { name: string }).name;
}

const basicOptions = (overrides: Partial<PortalModuleOptions> = {}): PortalModuleOptions => ({
  realm: new TestRealm(),
  credentialFactories: [new BasicCredentialFactory('module')],
  ...overrides,
});

describe('PortalModule.forRoot', () => {
  test('realm and checker instances', async () => {
    const realm = new TestRealm();
    const moduleRef = await compile([
      PortalModule.forRoot(basicOptions({ realm, checkers: ['memory:alice:secret'] })),
    ]);
    const portal = moduleRef.get(Portal);

    expect(portal.realm).toBe(realm);
    expect(await loginName(portal, 'alice', 'secret')).toBe('alice');
    await expect(loginName(portal, 'alice', 'wrong')).rejects.toBeInstanceOf(UnauthorizedLogin);
    await moduleRef.close();
  });

  test('realm and checker classes get injected', async () => {
    const moduleRef = await compile([
      PortalModule.forRoot(
        basicOptions({
          realm: InjectedRealm,
          checkers: [SettingsChecker],
          imports: [SettingsModule],
        }),
      ),
    ]);
    const portal = moduleRef.get(Portal);

    expect(portal.realm).toBeInstanceOf(InjectedRealm);
    expect((portal.realm as InjectedRealm).settings.greeting).toBe('injected');
    expect(await loginName(portal, 'carol', 'c-password')).toBe('carol');
    await moduleRef.close();
  });

  test('checker strings', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'portal-module-'));
    try {
      const htpasswd = requireTool('htpasswd', 'apache2-utils');
      const htpasswdFile = join(directory, 'users.htpasswd');
      execFileSync(htpasswd, ['-B', '-c', '-b', htpasswdFile, 'hana', 'h-secret'], {
        stdio: 'ignore',
      });
      const plainFile = join(directory, 'users.txt');
      writeFileSync(plainFile, 'pat:p-secret\n');

      const moduleRef = await compile([
        PortalModule.forRoot(
          basicOptions({
            checkers: [
              'anonymous',
              'memory:alice:secret',
              `file:${plainFile}`,
              `htpasswd:${htpasswdFile}`,
            ],
          }),
        ),
      ]);
      const portal = moduleRef.get(Portal);

      // Each of file: and htpasswd: replaces the one before for IUsernamePassword.
      expect(await loginName(portal, 'hana', 'h-secret')).toBe('hana');
      await expect(loginName(portal, 'pat', 'p-secret')).rejects.toBeInstanceOf(UnauthorizedLogin);
      const [, anonymous] = await portal.login(new Anonymous(), undefined, ITestIdentity);
      expect(anonymous).toEqual({ name: 'anonymous' });
      await moduleRef.close();

      const filePortal = await compile([
        PortalModule.forRoot(basicOptions({ checkers: [`file:${plainFile}`] })),
      ]);
      expect(await loginName(filePortal.get(Portal), 'pat', 'p-secret')).toBe('pat');
      await filePortal.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('missing password file is a warning', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [PortalModule.forRoot(basicOptions({ checkers: ['htpasswd:/nonexistent/users.htpasswd'] }))],
      logger,
    );

    expect(logger.messages('warn', 'HtpasswdFile')).toEqual([
      'Password file /nonexistent/users.htpasswd (checker string "htpasswd:") does not exist; ' +
        'every login checked against it is rejected until it does.',
    ]);
    await moduleRef.close();
  });

  test.each([
    ['ldap:cn=admin', /Unknown checker string kind "ldap"/],
    ['memory:alice', /needs USER:PASSWORD pairs, and has 1 field/],
    ['memory:', /needs USER:PASSWORD pairs, and has 0 field/],
    ['memory::secret', /empty username in pair 1/],
    ['memory:alice:a:alice:b', /lists user "alice" twice/],
    ['file:', /"file:" needs a file path/],
    ['htpasswd:', /"htpasswd:" needs a file path/],
    ['anonymous:yes', /"anonymous" takes no argument/],
    ['', /Unknown checker string kind ""/],
  ])('checker string %j fails bootstrap', async (spec, message) => {
    const failure = compile([PortalModule.forRoot(basicOptions({ checkers: [spec] }))]);

    await expect(failure).rejects.toBeInstanceOf(InvalidCheckerString);
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toThrow(
      /Accepted forms: anonymous .*; memory:USER:PASSWORD\[:USER:PASSWORD\.\.\.\] .*; file:PATH .*; htpasswd:PATH .*; htdigest:PATH/,
    );
  });

  test('bad checker string hides passwords', async () => {
    const failure = compile([
      PortalModule.forRoot(basicOptions({ checkers: ['memory:alice:s3cr3t:bob'] })),
    ]);
    await expect(failure).rejects.toThrow(InvalidCheckerString);
    await failure.catch((error: Error) => expect(error.message).not.toContain('s3cr3t'));
  });

  test.each([
    ['missing realm', { realm: undefined }, /option "realm" must be a realm/],
    [
      'realm without requestAvatar',
      { realm: { requestAvatar: 'no' } },
      /option "realm" must be a realm/,
    ],
    ['number as checker', { checkers: [42] }, /option "checkers\[0\]" must be a checker/],
    ['checkers not an array', { checkers: 'memory:a:b' }, /option "checkers" must be an array/],
    [
      'string as interface',
      { interfaces: ['IMailbox'] },
      /option "interfaces\[0\]" must be an interface token/,
    ],
    ['mind not a function', { mind: 'request' }, /option "mind" must be a function/],
    [
      'throttle as a number',
      { throttle: 10 },
      /option "throttle" must be a LoginThrottle, LoginThrottleOptions/,
    ],
    [
      'throttle with only check',
      { throttle: { check: () => ({ allowed: true }) } },
      /has some but not all of the methods check\(\), recordFailure\(\) and recordSuccess\(\)/,
    ],
    ['audit as true', { audit: true }, /option "audit" must be an object/],
    [
      'audit listener not a function',
      { audit: { listeners: ['log'] } },
      /option "audit.listeners\[0\]" must be a function/,
    ],
    ['audit log as a string', { audit: { log: 'debug' } }, /option "audit.log" must be true/],
    [
      'factory with accepts not a method',
      { credentialFactories: [{ scheme: 'X', getChallenge() {}, decode() {}, accepts: true }] },
      /has an accepts property that is not a function/,
    ],
    [
      'scheme with a space',
      { credentialFactories: [{ scheme: 'Bad Scheme', getChallenge() {}, decode() {} }] },
      /HTTP token/,
    ],
    [
      'factory without methods',
      { credentialFactories: [{ scheme: 'X' }] },
      /needs getChallenge\(\) and decode\(\)/,
    ],
  ])('%s fails bootstrap', async (_name, overrides, message) => {
    const failure = compile([PortalModule.forRoot(basicOptions(overrides as never))]);
    await expect(failure).rejects.toThrow(TypeError);
    await expect(failure).rejects.toThrow(message);
  });

  test('throttle limits are checked at bootstrap', async () => {
    const failure = compile([
      PortalModule.forRoot(basicOptions({ throttle: { perUsername: { limit: 0, windowMs: 1 } } })),
    ]);
    await expect(failure).rejects.toThrow(RangeError);
    await expect(failure).rejects.toThrow(/perUsername.limit must be a whole number/);
  });

  test('second factory of a scheme without accepts is a warning', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [
        PortalModule.forRoot(
          basicOptions({
            checkers: ['memory:alice:secret'],
            credentialFactories: [new BasicCredentialFactory('a'), new BasicCredentialFactory('b')],
          }),
        ),
      ],
      logger,
    );
    expect(logger.messages('warn', 'PortalModule')).toEqual([
      'credentialFactories[1] (Basic) shares its scheme with an earlier factory and has no ' +
        'accepts() method, so it only adds a challenge: the first Basic factory decodes every ' +
        'Basic header it does not take.',
    ]);
    await moduleRef.close();
  });

  test('no credential factories is a warning', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [PortalModule.forRoot({ realm: new TestRealm(), checkers: ['anonymous'] })],
      logger,
    );
    expect(logger.messages('warn', 'PortalModule')).toEqual([
      expect.stringMatching(/^No credential factories are configured/),
    ]);
    await moduleRef.close();
  });

  test('later forRoot checker replaces earlier with warning', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [PortalModule.forRoot(basicOptions({ checkers: ['memory:alice:one', 'memory:alice:two'] }))],
      logger,
    );

    expect(await loginName(moduleRef.get(Portal), 'alice', 'two')).toBe('alice');
    expect(logger.messages('warn', 'PortalModule')).toEqual([
      'Checker InMemoryUsernamePasswordDatabase (checkers[1], "memory") replaces checker ' +
        'InMemoryUsernamePasswordDatabase (checkers[0], "memory") for credential interface IUsernamePassword.',
      'Checker InMemoryUsernamePasswordDatabase (checkers[1], "memory") replaces checker ' +
        'InMemoryUsernamePasswordDatabase (checkers[0], "memory") for credential interface ' +
        'IUsernameHashedPassword.',
    ]);
    await moduleRef.close();
  });
});

describe('PortalModule.forRootAsync', () => {
  const asyncOptions = (settings: Settings): PortalOptions => ({
    realm: InjectedRealm,
    checkers: [SettingsChecker, `memory:dave:${settings.greeting}`],
    credentialFactories: [new BasicCredentialFactory('async')],
  });

  test('useFactory with inject', async () => {
    const moduleRef = await compile([
      PortalModule.forRootAsync({
        imports: [SettingsModule],
        inject: [SETTINGS],
        useFactory: async (settings: Settings) => asyncOptions(settings),
      }),
    ]);
    const portal = moduleRef.get(Portal);

    expect((portal.realm as InjectedRealm).settings.greeting).toBe('injected');
    expect(await loginName(portal, 'dave', 'injected')).toBe('dave');
    // The memory checker came later, so it is the one for IUsernamePassword now.
    await expect(loginName(portal, 'carol', 'c-password')).rejects.toBeInstanceOf(
      UnauthorizedLogin,
    );
    await moduleRef.close();
  });

  test('useClass', async () => {
    @Injectable()
    class OptionsFactory implements PortalOptionsFactory {
      constructor(private readonly settings: Settings) {}

      createPortalOptions(): PortalOptions {
        return { ...asyncOptions(this.settings), checkers: [SettingsChecker] };
      }
    }

    const moduleRef = await compile([
      PortalModule.forRootAsync({ imports: [SettingsModule], useClass: OptionsFactory }),
    ]);
    expect(await loginName(moduleRef.get(Portal), 'carol', 'c-password')).toBe('carol');
    await moduleRef.close();
  });

  test('useExisting', async () => {
    @Injectable()
    class ExistingFactory implements PortalOptionsFactory {
      createPortalOptions(): Promise<PortalOptions> {
        return Promise.resolve(basicOptions({ checkers: ['memory:erin:e'] }));
      }
    }
    @Module({ providers: [ExistingFactory], exports: [ExistingFactory] })
    class FactoryModule {}

    const moduleRef = await compile([
      PortalModule.forRootAsync({ imports: [FactoryModule], useExisting: ExistingFactory }),
    ]);
    expect(await loginName(moduleRef.get(Portal), 'erin', 'e')).toBe('erin');
    await moduleRef.close();
  });

  test('needs exactly one options source', () => {
    expect(() => PortalModule.forRootAsync({})).toThrow(/exactly one of useFactory/);
    expect(() =>
      PortalModule.forRootAsync({ useFactory: () => basicOptions(), useExisting: Settings }),
    ).toThrow(/exactly one of useFactory/);
  });

  test('factory options are validated', async () => {
    const failure = compile([
      PortalModule.forRootAsync({ useFactory: () => ({ realm: 'nope' }) as never }),
    ]);
    await expect(failure).rejects.toThrow(/option "realm" must be a realm/);
  });
});

describe('@CredentialsChecker discovery', () => {
  test('registers after forRoot checkers and warns', async () => {
    @Module({ providers: [FirstDiscoveredChecker] })
    class FeatureModule {}

    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [PortalModule.forRoot(basicOptions({ checkers: ['memory:alice:secret'] })), FeatureModule],
      logger,
    );
    const portal = moduleRef.get(Portal);

    expect(await loginName(portal, 'alice', 'discovered')).toBe('first:alice');
    // IUsernameHashedPassword stays with the memory checker.
    expect(portal.listCredentialsInterfaces().map((token) => token.name)).toEqual([
      'IUsernamePassword',
      'IUsernameHashedPassword',
    ]);
    expect(logger.messages('warn', 'PortalModule')).toEqual([
      'Checker FirstDiscoveredChecker (@CredentialsChecker in FeatureModule) replaces checker ' +
        'InMemoryUsernamePasswordDatabase (checkers[0], "memory") for credential interface ' +
        'IUsernamePassword.',
    ]);
    await moduleRef.close();
  });

  test('later discovered checker wins', async () => {
    @Module({ providers: [FirstDiscoveredChecker] })
    class FirstModule {}
    @Module({ providers: [SecondDiscoveredChecker] })
    class SecondModule {}

    const logger = new CapturingLogger();
    const moduleRef = await compile(
      [PortalModule.forRoot(basicOptions()), FirstModule, SecondModule],
      logger,
    );

    expect(await loginName(moduleRef.get(Portal), 'bob', 'discovered')).toBe('second:bob');
    expect(logger.messages('warn', 'PortalModule')).toEqual([
      'Checker SecondDiscoveredChecker (@CredentialsChecker in SecondModule) replaces checker ' +
        'FirstDiscoveredChecker (@CredentialsChecker in FirstModule) for credential interface ' +
        'IUsernamePassword.',
    ]);
    await moduleRef.close();
  });

  test('request-scoped checker fails bootstrap', async () => {
    @CredentialsChecker(IUsernamePassword)
    @Injectable({ scope: Scope.REQUEST })
    class ScopedChecker extends discoveredChecker('scoped') {}

    const failure = compile([PortalModule.forRoot(basicOptions())], undefined, [ScopedChecker]);
    await expect(failure).rejects.toThrow(/ScopedChecker .* is request-scoped or transient/);
  });

  test('rejects non-token interfaces', () => {
    expect(() => CredentialsChecker('IUsernamePassword' as never)).toThrow(TypeError);
  });
});

describe('PortalModule scope', () => {
  @Injectable()
  class UsesPortal {
    constructor(@Inject(Portal) readonly portal: Portal) {}
  }
  @Module({ providers: [UsesPortal], exports: [UsesPortal] })
  class ConsumerModule {}

  test('isGlobal shares one portal', async () => {
    const moduleRef = await compile([
      PortalModule.forRoot(basicOptions({ isGlobal: true })),
      ConsumerModule,
    ]);
    expect(moduleRef.get(UsesPortal).portal).toBe(moduleRef.get(Portal));
    await moduleRef.close();
  });

  test('without isGlobal consumers must import', async () => {
    const failure = compile([PortalModule.forRoot(basicOptions()), ConsumerModule]);
    await expect(failure).rejects.toThrow(/Portal/);
  });

  test('two PortalModules fail bootstrap', async () => {
    @Module({ imports: [PortalModule.forRoot(basicOptions({ checkers: ['anonymous'] }))] })
    class OtherModule {}

    const failure = compile([PortalModule.forRoot(basicOptions()), OtherModule]);
    await expect(failure).rejects.toThrow(
      /^PortalModule\.forRoot\(\) or forRootAsync\(\) is called 2 times in this application/,
    );
  });

  test('same options twice fail with the fix', async () => {
    const options = basicOptions({ checkers: ['anonymous'] });
    @Module({ imports: [PortalModule.forRoot(options)] })
    class FeatureModule {}

    const failure = compile([PortalModule.forRoot(options), FeatureModule]);

    await expect(failure).rejects.toThrow(
      'PortalModule.forRoot() or forRootAsync() is called 2 times in this application, but an ' +
        'application has one portal, and Nest makes a separate PortalModule for each call, even ' +
        'with the same options. Call it once: either with isGlobal: true in the root module, or ' +
        'in one shared module that imports PortalModule.forRoot(...) and lists PortalModule in ' +
        'its exports, and that the feature modules import instead.',
    );
  });
});

describe.each(ADAPTERS)('PortalModule shared by feature modules on %s', (adapter) => {
  const realm = new TestRealm();

  // The route that the message of a second forRoot() recommends.
  @Module({
    imports: [
      PortalModule.forRoot({
        realm,
        checkers: ['anonymous', 'memory:alice:secret'],
        credentialFactories: [new BasicCredentialFactory('shared')],
      }),
    ],
    exports: [PortalModule],
  })
  class SharedAuthModule {}

  @UseGuards(PortalGuard)
  @Controller('orders')
  class OrdersController {
    @AvatarInterface(ITestMailbox)
    @Get()
    list(@Avatar() mailbox: ITestMailbox) {
      return { feature: 'orders', name: mailbox.name };
    }
  }

  @Injectable()
  class InvoiceService {
    constructor(readonly portal: Portal) {}
  }

  @UseGuards(PortalGuard)
  @Controller('invoices')
  class InvoicesController {
    @AvatarInterface(ITestMailbox)
    @Get()
    list(@Avatar() mailbox: ITestMailbox) {
      return { feature: 'invoices', name: mailbox.name };
    }
  }

  @Module({ imports: [SharedAuthModule], controllers: [OrdersController] })
  class OrdersModule {}

  @Module({
    imports: [SharedAuthModule],
    controllers: [InvoicesController],
    providers: [InvoiceService],
  })
  class InvoicesModule {}

  @Module({ imports: [OrdersModule, InvoicesModule] })
  class AppModule {}

  let app: INestApplication;

  beforeAll(async () => {
    app = await createTestApp(adapter, AppModule);
  });

  afterAll(async () => {
    await app.close();
  });

  test.each([
    ['/orders', 'orders'],
    ['/invoices', 'invoices'],
  ])('%s logs in through the shared portal', async (path, feature) => {
    const signedIn = await request(app.getHttpServer()).get(path).auth('alice', 'secret');
    const anonymous = await request(app.getHttpServer()).get(path);

    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({ feature, name: 'alice' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="shared", charset="UTF-8"');
  });

  test('feature modules share one portal and its realm', () => {
    const portal = app.get(Portal, { strict: false });

    expect(app.get(InvoiceService, { strict: false }).portal).toBe(portal);
    expect(portal.realm).toBe(realm);
  });
});

test('route without interfaces gives 500', async () => {
  @UseGuards(PortalGuard)
  @Controller()
  class BareController {
    @Get('bare')
    bare(): string {
      return 'unreachable';
    }
  }
  @Module({
    imports: [PortalModule.forRoot(basicOptions({ checkers: ['anonymous'] }))],
    controllers: [BareController],
  })
  class BareModule {}

  const logger = new CapturingLogger();
  const app = await createTestApp('express', BareModule, logger);
  try {
    const response = await request(app.getHttpServer()).get('/bare');
    expect(response.status).toBe(500);
    expect(logger.messages('error', 'PortalGuard')).toEqual([
      'GET /bare failed in PortalGuard: Error: no avatar interfaces to request: add ' +
        '@AvatarInterface() to the handler or controller, or set the interfaces option of PortalModule',
    ]);
  } finally {
    await app.close();
  }
});

// The anonymous avatar id is a symbol; keep the import checked.
void ANONYMOUS;
