/**
 * Real HTTP clients (curl, Python requests, headless Chromium) log in to one
 * Nest app on 127.0.0.1 that offers Digest SHA-256, Digest MD5 and Basic, and
 * are refused with a wrong password. Also checks, through the guard, a Digest
 * nonce that expires (`stale=true`) and the Bearer challenges and statuses.
 */
import 'reflect-metadata';

import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';

import { Controller, Get, type INestApplication, Module, Req, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Avatar,
  AvatarInterface,
  BasicCredentialFactory,
  BearerCredentialFactory,
  type CredentialFactory,
  defineInterface,
  DigestCredentialFactory,
  Implements,
  InMemoryUsernamePasswordDatabase,
  type IRealm,
  PortalGuard,
  PortalModule,
  TokenLookupChecker,
} from 'nestjs-portal';
import { chromium, type Browser } from 'playwright-core';

import { CapturingLogger } from './support/nest-apps.js';
import { requireTool } from './support/require-tool.js';

const run = promisify(execFile);

const REALM_NAME = 'digest clients';
// `Ã©` is a name whose UTF-8 text looks like mojibake: decoded twice, it would become `é`.
const USERS = { alice: 'wonderland', zoë: 'pässwörd', 'Ã©': 'mojibake' };
// The RFC 6750 §2.1 example token.
const BEARER_TOKEN = 'mF_9.B5f-4.1JqM';

interface IMailbox {
  readonly owner: string;
}
const IMailbox = defineInterface<IMailbox>('IDigestClientsMailbox');

@Implements(IMailbox)
class Mailbox implements IMailbox {
  constructor(readonly owner: string) {}
}

const realm: IRealm = {
  requestAvatar: (avatarId) => [IMailbox, new Mailbox(String(avatarId)), () => undefined],
};

@Controller('mailbox')
@UseGuards(PortalGuard)
class MailboxController {
  // Returns the scheme and Digest algorithm the client chose, so a test can
  // tell which factory logged it in.
  @AvatarInterface(IMailbox)
  @Get()
  mailbox(@Avatar() mailbox: IMailbox, @Req() request: { headers: Record<string, unknown> }) {
    const authorization = String(request.headers.authorization ?? '');
    const scheme = authorization.split(' ')[0];
    if (scheme !== 'Digest') {
      return { owner: mailbox.owner, scheme };
    }
    const algorithm = /algorithm="?([\w-]+)/i.exec(authorization)?.[1] ?? 'MD5';
    return { owner: mailbox.owner, scheme, algorithm: algorithm.toUpperCase() };
  }
}

/** Starts an Express app with the given factories on 127.0.0.1 and a random port. */
async function startApp(
  factories: CredentialFactory[],
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [
      PortalModule.forRoot({
        realm,
        checkers: [
          new InMemoryUsernamePasswordDatabase(USERS),
          new TokenLookupChecker((token) => (token === BEARER_TOKEN ? 'alice' : undefined)),
        ],
        credentialFactories: factories,
      }),
    ],
    controllers: [MailboxController],
  })
  class AppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .setLogger(new CapturingLogger())
    .compile();
  const app = moduleRef.createNestApplication({ logger: new CapturingLogger() });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}/mailbox` };
}

/** Runs curl; returns the status code and the body. */
async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', [
    '-sS',
    '--max-time',
    '10',
    '-w',
    '\n%{http_code}',
    ...args,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

// Two requests through one requests.Session: the second reuses the nonce with
// nc=00000002 without waiting for a challenge. Prints both statuses, the first
// body and how many 401s preceded the second response.
const PYTHON_CLIENT = `
import json, sys
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth
scheme, url, user, password = sys.argv[1:5]
session = requests.Session()
session.auth = (HTTPDigestAuth if scheme == "digest" else HTTPBasicAuth)(user, password)
first = session.get(url, timeout=10)
second = session.get(url, timeout=10)
print(json.dumps([first.status_code, second.status_code, first.text, len(second.history)]))
`;

// One request, a pause past the nonce lifetime, then a second request that
// reuses the expired nonce. Prints the second status and the challenge of the
// 401 that preceded it.
const PYTHON_STALE_CLIENT = `
import json, sys, time
import requests
from requests.auth import HTTPDigestAuth
url, user, password, pause = sys.argv[1:5]
session = requests.Session()
session.auth = HTTPDigestAuth(user, password)
first = session.get(url, timeout=10)
time.sleep(float(pause))
second = session.get(url, timeout=10)
challenges = [r.headers.get("www-authenticate", "") for r in second.history]
print(json.dumps([first.status_code, second.status_code, challenges]))
`;

async function pythonRequests(
  scheme: 'digest' | 'basic',
  url: string,
  user: string,
  password: string,
): Promise<[number, number, string, number]> {
  const { stdout } = await run('/usr/bin/python3', [
    '-c',
    PYTHON_CLIENT,
    scheme,
    url,
    user,
    password,
  ]);
  return JSON.parse(stdout) as [number, number, string, number];
}

describe('real clients against Digest and Basic', () => {
  let browser: Browser;

  beforeAll(async () => {
    requireTool('curl', 'curl');
    requireTool('/usr/bin/python3', 'python3-requests');
    await run('/usr/bin/python3', ['-c', 'import requests']).catch(() => {
      throw new Error(
        'The test needs Python requests. Install it with: apt-get install -y python3-requests',
      );
    });
    requireTool('/usr/bin/chromium', 'chromium');
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens `url` in a fresh browser context that responds to challenges with the given credentials. */
  async function chromiumGet(url: string, username: string, password: string) {
    const context = await browser.newContext({ httpCredentials: { username, password } });
    try {
      const page = await context.newPage();
      const response = await page.goto(url);
      return { status: response?.status(), body: await response?.text() };
    } finally {
      await context.close();
    }
  }

  describe('Digest SHA-256, Digest MD5 and Basic in one app', () => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      ({ app, url } = await startApp([
        new DigestCredentialFactory('SHA-256', REALM_NAME),
        new DigestCredentialFactory('MD5', REALM_NAME),
        new BasicCredentialFactory(REALM_NAME),
      ]));
    });

    afterAll(async () => {
      await app?.close();
    });

    it('challenges with both Digest algorithms and Basic, in order', async () => {
      const { stdout } = await run('curl', ['-sS', '-D', '-', '-o', '/dev/null', url]);
      const challenges = stdout
        .split('\r\n')
        .filter((line) => line.startsWith('WWW-Authenticate: '));

      expect(stdout).toMatch(/^HTTP\/1\.1 401/);
      expect(challenges).toEqual([
        expect.stringMatching(
          `^WWW-Authenticate: Digest realm="${REALM_NAME}", qop="auth", algorithm=SHA-256, `,
        ),
        expect.stringMatching(
          `^WWW-Authenticate: Digest realm="${REALM_NAME}", qop="auth", algorithm=MD5, `,
        ),
        `WWW-Authenticate: Basic realm="${REALM_NAME}", charset="UTF-8"`,
      ]);
    });

    // curl responds to the first Digest challenge it reads, so SHA-256 here.
    it('curl --digest logs in with SHA-256', async () => {
      const { status, body } = await curl('--digest', '-u', 'alice:wonderland', url);

      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({ owner: 'alice', scheme: 'Digest', algorithm: 'SHA-256' });
    });

    it('curl --digest with a wrong password gets 401', async () => {
      expect((await curl('--digest', '-u', 'alice:wrong', url)).status).toBe(401);
    });

    it('curl --digest keeps the query in uri', async () => {
      const { status } = await curl('--digest', '-u', 'alice:wonderland', `${url}?x=1,2`);

      expect(status).toBe(200);
    });

    it('curl --digest logs in a UTF-8 username', async () => {
      const { status, body } = await curl('--digest', '-u', 'zoë:pässwörd', url);

      expect(status).toBe(200);
      expect(JSON.parse(body).owner).toBe('zoë');
    });

    it('curl --digest keeps a username that looks like mojibake', async () => {
      const { status, body } = await curl('--digest', '-u', 'Ã©:mojibake', url);

      expect(status).toBe(200);
      expect(JSON.parse(body).owner).toBe('Ã©');
    });

    it('curl --anyauth picks Digest', async () => {
      const { status, body } = await curl('--anyauth', '-u', 'alice:wonderland', url);

      expect(status).toBe(200);
      expect(JSON.parse(body).scheme).toBe('Digest');
    });

    it('curl --basic logs in and is refused with a wrong password', async () => {
      const right = await curl('--basic', '-u', 'alice:wonderland', url);
      const wrong = await curl('--basic', '-u', 'alice:wrong', url);

      expect(right.status).toBe(200);
      expect(JSON.parse(right.body).scheme).toBe('Basic');
      expect(wrong.status).toBe(401);
    });

    // requests folds the WWW-Authenticate lines into one and keeps the last
    // value of each parameter, so it responds to the MD5 challenge here.
    it('requests HTTPDigestAuth logs in twice on one nonce', async () => {
      const [first, second, body, secondChallenges] = await pythonRequests(
        'digest',
        url,
        'alice',
        'wonderland',
      );

      expect(first).toBe(200);
      expect(second).toBe(200);
      // The second request was let in without a new 401 challenge first.
      expect(secondChallenges).toBe(0);
      expect(JSON.parse(body)).toEqual({ owner: 'alice', scheme: 'Digest', algorithm: 'MD5' });
    });

    it('requests HTTPDigestAuth with a wrong password gets 401', async () => {
      const [first] = await pythonRequests('digest', url, 'alice', 'wrong');

      expect(first).toBe(401);
    });

    it('requests HTTPDigestAuth logs in a non-ASCII username', async () => {
      const [first, , body] = await pythonRequests('digest', url, 'zoë', 'pässwörd');

      expect(first).toBe(200);
      expect(JSON.parse(body).owner).toBe('zoë');
    });

    it('requests HTTPBasicAuth logs in and is refused with a wrong password', async () => {
      const [right] = await pythonRequests('basic', url, 'alice', 'wonderland');
      const [wrong] = await pythonRequests('basic', url, 'alice', 'wrong');

      expect(right).toBe(200);
      expect(wrong).toBe(401);
    });

    // Chromium 156 responds to SHA-256, and either Digest factory may decode it.
    it('Chromium answers the challenge with Digest', async () => {
      const { status, body } = await chromiumGet(url, 'alice', 'wonderland');

      expect(status).toBe(200);
      expect(JSON.parse(body!)).toEqual({
        owner: 'alice',
        scheme: 'Digest',
        algorithm: expect.stringMatching(/^(SHA-256|MD5)$/),
      });
    });

    it('Chromium with a wrong password gets 401', async () => {
      expect((await chromiumGet(url, 'alice', 'wrong')).status).toBe(401);
    });
  });

  describe('stale nonces and Bearer through the guard', () => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      ({ app, url } = await startApp([
        new DigestCredentialFactory('MD5', REALM_NAME, { nonceLifetimeSeconds: 1 }),
        new BearerCredentialFactory(REALM_NAME),
      ]));
    });

    afterAll(async () => {
      await app?.close();
    });

    /** Sends one request with the given Authorization value; returns status and challenges. */
    async function sendAuthorization(authorization?: string) {
      const args = ['-sS', '-D', '-', '-o', '/dev/null', url];
      const { stdout } = await run(
        'curl',
        authorization === undefined ? args : ['-H', `Authorization: ${authorization}`, ...args],
      );
      return {
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(stdout)?.[1]),
        challenges: stdout.split('\r\n').filter((line) => line.startsWith('WWW-Authenticate: ')),
      };
    }

    it('requests retries an expired nonce after stale=true', async () => {
      const { stdout } = await run('/usr/bin/python3', [
        '-c',
        PYTHON_STALE_CLIENT,
        url,
        'alice',
        'wonderland',
        '1.5',
      ]);
      const [first, second, challenges] = JSON.parse(stdout) as [number, number, string[]];

      expect(first).toBe(200);
      expect(second).toBe(200);
      expect(challenges).toHaveLength(1);
      expect(challenges[0]).toMatch(/Digest realm=.*stale=true/);
    });

    it('lets a valid bearer token in', async () => {
      const { status, body } = await curl('-H', `Authorization: Bearer ${BEARER_TOKEN}`, url);

      expect(status).toBe(200);
      expect(JSON.parse(body)).toEqual({ owner: 'alice', scheme: 'Bearer' });
    });

    it('answers a request without credentials with plain challenges', async () => {
      const { status, challenges } = await sendAuthorization();

      expect(status).toBe(401);
      expect(challenges).toContain(`WWW-Authenticate: Bearer realm="${REALM_NAME}"`);
    });

    it('answers an unknown token with invalid_token', async () => {
      const { status, challenges } = await sendAuthorization('Bearer unknown-token');

      expect(status).toBe(401);
      expect(challenges.find((line) => line.includes('Bearer'))).toContain('error="invalid_token"');
    });

    it('answers "Bearer abc def" with 400 invalid_request', async () => {
      const { status, challenges } = await sendAuthorization('Bearer abc def');

      expect(status).toBe(400);
      expect(challenges.find((line) => line.includes('Bearer'))).toContain(
        'error="invalid_request"',
      );
    });

    it('answers a bare "Bearer" with 401 and no error code', async () => {
      const { status, challenges } = await sendAuthorization('Bearer');

      expect(status).toBe(401);
      expect(challenges).toContain(`WWW-Authenticate: Bearer realm="${REALM_NAME}"`);
    });
  });

  describe('Basic only', () => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      ({ app, url } = await startApp([new BasicCredentialFactory(REALM_NAME)]));
    });

    afterAll(async () => {
      await app?.close();
    });

    it('Chromium answers the challenge with Basic', async () => {
      const { status, body } = await chromiumGet(url, 'alice', 'wonderland');

      expect(status).toBe(200);
      expect(JSON.parse(body!)).toEqual({ owner: 'alice', scheme: 'Basic' });
    });

    it('Chromium with a wrong password gets 401', async () => {
      expect((await chromiumGet(url, 'alice', 'wrong')).status).toBe(401);
    });
  });
});
