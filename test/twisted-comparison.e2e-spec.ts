/**
 * Sends the same requests to Twisted's own HTTP auth wrapper (the reference
 * design) and to PortalGuard, both with Digest MD5 and Basic and the user
 * alice/wonderland, and compares the outcomes. Where they differ on purpose,
 * the test names the RFC rule, which wins over Twisted.
 */
import 'reflect-metadata';

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import {
  Avatar,
  AvatarInterface,
  BasicCredentialFactory,
  defineInterface,
  DigestCredentialFactory,
  Implements,
  InMemoryUsernamePasswordDatabase,
  type IRealm,
  PortalGuard,
  PortalModule,
} from 'nestjs-portal';

import { createTestApp } from './support/nest-apps.js';
import { requireTool } from './support/require-tool.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const REALM_NAME = 'demo';

interface IOwner {
  readonly owner: string;
}
const IOwner = defineInterface<IOwner>('ITwistedComparisonOwner');

@Implements(IOwner)
class Owner implements IOwner {
  constructor(readonly owner: string) {}
}

const realm: IRealm = {
  requestAvatar: (avatarId) => [IOwner, new Owner(String(avatarId)), () => undefined],
};

@Controller('mailbox')
@UseGuards(PortalGuard)
class MailboxController {
  @Get()
  @AvatarInterface(IOwner)
  mailbox(@Avatar() avatar: IOwner): IOwner {
    return { owner: avatar.owner };
  }
}

@Module({
  imports: [
    PortalModule.forRoot({
      realm,
      checkers: [new InMemoryUsernamePasswordDatabase({ alice: 'wonderland' })],
      credentialFactories: [
        new DigestCredentialFactory('MD5', REALM_NAME),
        new BasicCredentialFactory(REALM_NAME),
      ],
    }),
  ],
  controllers: [MailboxController],
})
class ComparisonModule {}

interface Outcome {
  readonly status: number;
  readonly challenges: string[];
}

async function send(baseUrl: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const response = await fetch(`${baseUrl}/mailbox`, { headers });
  await response.arrayBuffer();
  const challenges = (response.headers.get('www-authenticate') ?? '')
    .split(/,\s*(?=(?:basic|digest)\b)/i)
    .filter(Boolean)
    .map((challenge) => challenge.split(' ')[0]!.toLowerCase());
  return { status: response.status, challenges };
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Builds the Digest MD5 Authorization value of alice for `challenge`. */
function digestAuthorization(challenge: string, uri: string, nc: string): string {
  const param = (name: string): string =>
    new RegExp(`${name}="([^"]*)"`, 'i').exec(challenge)?.[1] ?? '';
  const nonce = param('nonce');
  const opaque = param('opaque');
  const cnonce = '0a4f113b';
  const ha1 = md5(`alice:${REALM_NAME}:wonderland`);
  const ha2 = md5(`GET:${uri}`);
  const response = md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return (
    `Digest username="alice", realm="${REALM_NAME}", nonce="${nonce}", uri="${uri}", ` +
    `algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}", ` +
    `opaque="${opaque}"`
  );
}

async function digestChallenge(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/mailbox`);
  await response.arrayBuffer();
  const header = response.headers.get('www-authenticate') ?? '';
  const digest = header.split(/,\s*(?=basic\b)/i).find((part) => /^digest /i.test(part));
  if (!digest) {
    throw new Error(`No Digest challenge in ${header}`);
  }
  return digest;
}

describe('PortalGuard next to Twisted', () => {
  let twisted: ChildProcess;
  let twistedUrl: string;
  let app: INestApplication;
  let portalUrl: string;

  beforeAll(async () => {
    requireTool(PYTHON, 'python3');
    await run(PYTHON, ['-c', 'import twisted.web.guard']).catch(() => {
      throw new Error(
        'The comparison needs Twisted for /usr/bin/python3. Install it with: ' +
          'apt-get install -y python3-twisted',
      );
    });

    twisted = spawn(PYTHON, ['test/support/twisted_reference_server.py', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: twisted.stdout! });
    twistedUrl = await new Promise<string>((resolve, reject) => {
      twisted.once('exit', (code) => reject(new Error(`Twisted exited with ${code}`)));
      lines.on('line', (line) => {
        const match = /^ready (\d+)$/.exec(line);
        if (match) {
          resolve(`http://127.0.0.1:${match[1]}`);
        }
      });
    });

    app = await createTestApp('express', ComparisonModule);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    portalUrl = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    twisted?.kill();
    await app?.close();
  });

  const basic = (text: string): Record<string, string> => ({
    authorization: `Basic ${Buffer.from(text, 'utf8').toString('base64')}`,
  });

  // Requests that must get the same status from both.
  const agreed: Array<[string, Record<string, string>, number]> = [
    ['no credentials', {}, 401],
    ['right Basic password', basic('alice:wonderland'), 200],
    ['wrong Basic password', basic('alice:nope'), 401],
    ['unknown Basic user', basic('mallory:wonderland'), 401],
    ['unknown scheme', { authorization: 'Quux foo bar baz' }, 401],
    ['Basic without colon', { authorization: 'Basic MTIzYWJjKy8=' }, 401],
    ['Basic with empty parts', { authorization: 'Basic Og==' }, 401],
    ['Basic not base64', { authorization: 'Basic x' }, 401],
    ['unpadded Basic', { authorization: 'Basic YWxpY2U6d29uZGVybGFuZA' }, 200],
    ['lower-case scheme', { authorization: 'basic YWxpY2U6d29uZGVybGFuZA==' }, 200],
  ];

  it.each(agreed)('%s: same status', async (_case, headers, status) => {
    const fromTwisted = await send(twistedUrl, headers);
    const fromPortal = await send(portalUrl, headers);
    expect(fromTwisted.status).toBe(status);
    expect(fromPortal.status).toBe(status);
  });

  it('challenges with Digest, then Basic, on both', async () => {
    const fromTwisted = await send(twistedUrl);
    const fromPortal = await send(portalUrl);
    expect(fromTwisted.challenges).toEqual(['digest', 'basic']);
    expect(fromPortal.challenges).toEqual(['digest', 'basic']);
  });

  it('lets curl --digest in on both', async () => {
    requireTool('curl', 'curl');
    for (const baseUrl of [twistedUrl, portalUrl]) {
      const { stdout } = await run('curl', [
        '-s',
        '--digest',
        '-u',
        'alice:wonderland',
        `${baseUrl}/mailbox`,
      ]);
      expect(JSON.parse(stdout)).toEqual({ owner: 'alice' });
    }
  });

  it('differs on a replayed nonce count: Twisted accepts it, RFC 7616 refuses', async () => {
    const outcomes: number[][] = [];
    for (const baseUrl of [twistedUrl, portalUrl]) {
      const authorization = digestAuthorization(
        await digestChallenge(baseUrl),
        '/mailbox',
        '00000001',
      );
      const first = await send(baseUrl, { authorization });
      const replay = await send(baseUrl, { authorization });
      outcomes.push([first.status, replay.status]);
    }
    expect(outcomes[0]).toEqual([200, 200]);
    expect(outcomes[1]).toEqual([200, 401]);
  });

  it('differs on a digest uri for another resource: Twisted accepts, the RFC says 400', async () => {
    const statuses: number[] = [];
    for (const baseUrl of [twistedUrl, portalUrl]) {
      const authorization = digestAuthorization(
        await digestChallenge(baseUrl),
        '/elsewhere',
        '00000001',
      );
      statuses.push((await send(baseUrl, { authorization })).status);
    }
    expect(statuses).toEqual([200, 400]);
  });
});
