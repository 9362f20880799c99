/**
 * A credential factory whose credentials no checker accepts: a warning at
 * bootstrap naming the factory and what to add, and during requests a
 * rate-limited warning per failed login while the client gets the usual 401.
 * The request tests run on Express and Fastify.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type INestApplication, Injectable, Module } from '@nestjs/common';
import {
  type AvatarId,
  BasicCredentialFactory,
  BearerCredentialFactory,
  CredentialsChecker,
  DigestCredentialFactory,
  type ICredentialsChecker,
  IToken,
  PortalModule,
  UnauthorizedLogin,
} from 'nestjs-portal';
import request from 'supertest';

import { digestAuthorization, digestChallenge } from './support/digest-client.js';
import {
  ADAPTERS,
  type AdapterName,
  CapturingLogger,
  createTestApp,
  headerLines,
} from './support/nest-apps.js';
import { requireTool } from './support/require-tool.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

const DIGEST_WITHOUT_CHECKER =
  'credentialFactories[1] (Digest) makes credentials providing IUsernameDigestHash, ' +
  'IUsernameHashedPassword, but no checker is registered for any of them (registered: ' +
  'IUsernamePassword), so every Digest login will fail with 401. Add a checker for one of ' +
  "them, such as HtdigestFile ('htdigest:/path') for IUsernameDigestHash; or " +
  "InMemoryUsernamePasswordDatabase ('memory:user:password') or FilePasswordDB without a " +
  "hash ('file:/path') for IUsernameHashedPassword.";

const UNHANDLED_DIGEST =
  'GET /mailbox: no checker accepts Digest credentials, so the request got 401 (a server ' +
  'misconfiguration). No checker is registered for credentials providing ' +
  'IUsernameDigestHash, ICredentials, IUsernameHashedPassword; registered: ' +
  'IUsernamePassword. Register a checker for one of the interfaces these credentials provide.';

/** A token checker found by discovery rather than listed in the options. */
@CredentialsChecker(IToken)
@Injectable()
class DiscoveredTokenChecker implements ICredentialsChecker {
  readonly credentialInterfaces = [IToken];

  requestAvatarId(): AvatarId {
    throw new UnauthorizedLogin();
  }
}

let directory: string;
let htpasswdFile: string;

beforeAll(() => {
  const htpasswd = requireTool('htpasswd', 'apache2-utils');
  directory = mkdtempSync(join(tmpdir(), 'portal-misconfiguration-'));
  htpasswdFile = join(directory, 'users.htpasswd');
  execFileSync(htpasswd, ['-B', '-c', '-b', htpasswdFile, 'alice', 'wonderland'], {
    stdio: 'ignore',
  });
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Basic and Digest in front of an htpasswd file, which Digest cannot use. */
function digestOverHtpasswdModule(extraProviders: unknown[] = []) {
  @Module({
    imports: [
      PortalModule.forRoot({
        realm: TestRealm,
        checkers: [`htpasswd:${htpasswdFile}`],
        credentialFactories: [
          new BasicCredentialFactory('mis'),
          new DigestCredentialFactory('MD5', 'mis'),
          new BearerCredentialFactory('mis'),
        ],
      }),
    ],
    controllers: [TestAvatarController],
    providers: extraProviders as never,
  })
  class DigestOverHtpasswdModule {}
  return DigestOverHtpasswdModule;
}

describe('bootstrap warning', () => {
  test('names factories without a checker', async () => {
    const logger = new CapturingLogger();
    const app = await createTestApp('express', digestOverHtpasswdModule(), logger);
    try {
      expect(logger.messages('warn', 'PortalModule')).toEqual([
        DIGEST_WITHOUT_CHECKER,
        expect.stringMatching(
          /^credentialFactories\[2\] \(Bearer\) makes credentials providing IToken, but no checker/,
        ),
      ]);
    } finally {
      await app.close();
    }
  });

  test('counts checkers found by discovery', async () => {
    const logger = new CapturingLogger();
    const app = await createTestApp(
      'express',
      digestOverHtpasswdModule([DiscoveredTokenChecker]),
      logger,
    );
    try {
      const warnings = logger.messages('warn', 'PortalModule');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toBe(
        DIGEST_WITHOUT_CHECKER.replace(
          '(registered: IUsernamePassword)',
          '(registered: IUsernamePassword, IToken)',
        ),
      );
    } finally {
      await app.close();
    }
  });
});

// Responds to the Digest challenge of a first request with the right password.
async function digestLogin(app: INestApplication): Promise<request.Response> {
  const first = await request(app.getHttpServer()).get('/mailbox');
  const challenge = digestChallenge(headerLines(first, 'WWW-Authenticate'), 'MD5');
  const authorization = digestAuthorization(challenge, {
    username: 'alice',
    password: 'wonderland',
    uri: '/mailbox',
  });
  return request(app.getHttpServer()).get('/mailbox').set('Authorization', authorization);
}

describe.each(ADAPTERS)('unhandled credentials on %s', (adapter: AdapterName) => {
  let app: INestApplication;
  let logger: CapturingLogger;

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, digestOverHtpasswdModule(), logger);
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    logger.entries.length = 0;
  });

  const get = (path: string) => request(app.getHttpServer()).get(path);

  test('Digest login gets 401 and a warning', async () => {
    const response = await digestLogin(app);

    expect(response.status).toBe(401);
    expect(response.body.message).toBe('Invalid credentials.');
    expect(logger.messages('warn', 'PortalGuard')).toEqual([UNHANDLED_DIGEST]);
    expect(JSON.stringify(logger.entries)).not.toContain('wonderland');
  });

  test('Basic login works without a warning', async () => {
    const response = await get('/mailbox').auth('alice', 'wonderland');

    expect(response.status).toBe(200);
    expect(logger.messages('warn', 'PortalGuard')).toEqual([]);
  });

  test('request without credentials gets no warning', async () => {
    // No anonymous checker is an ordinary setup: every route needs a login.
    const response = await get('/whoami');

    expect(response.status).toBe(401);
    expect(logger.messages('warn', 'PortalGuard')).toEqual([]);
  });

  test('warnings are rate-limited', async () => {
    // A new app, whose guard has not logged yet: 10 messages a minute.
    const fresh = new CapturingLogger();
    const limited = await createTestApp(adapter, digestOverHtpasswdModule(), fresh);
    try {
      for (let attempt = 0; attempt < 12; attempt++) {
        expect((await digestLogin(limited)).status).toBe(401);
      }

      expect(fresh.messages('warn', 'PortalGuard')).toHaveLength(10);
    } finally {
      await limited.close();
    }
  });
});
