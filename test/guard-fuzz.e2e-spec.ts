/**
 * Property: whatever Authorization value a client sends, PortalGuard responds
 * with 200, 400, 401 or 403 and never 500, on Express and Fastify.
 */
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type INestApplication, Module } from '@nestjs/common';
import fc from 'fast-check';
import {
  BasicCredentialFactory,
  InMemoryUsernamePasswordDatabase,
  PortalModule,
} from 'nestjs-portal';

import { FakeBearerFactory } from './support/fake-bearer.credential-factory.js';
import { ADAPTERS, CapturingLogger, createTestApp } from './support/nest-apps.js';
import { TestAvatarController, TestRealm } from './support/test-realm.js';

@Module({
  imports: [
    PortalModule.forRoot({
      realm: TestRealm,
      checkers: [
        'anonymous',
        new InMemoryUsernamePasswordDatabase({ Aladdin: 'open sesame', '': '' }),
      ],
      credentialFactories: [
        new BasicCredentialFactory('fuzz'),
        new FakeBearerFactory('fuzz', { token: ['Aladdin', 'open sesame'] }),
      ],
    }),
  ],
  controllers: [TestAvatarController],
})
class FuzzModule {}

// Every character Node's HTTP client lets into a header value: HTAB, visible
// ASCII, space and the bytes 0x80 to 0xFF (sent as one byte each).
const headerCharacter = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xff }),
    fc.constant(0x09),
  )
  .map((code) => String.fromCharCode(code));
const headerText = fc.string({ unit: headerCharacter, maxLength: 80 });
const utf8AsHeader = fc
  .string({ unit: 'grapheme', maxLength: 30 })
  .map((text) => Buffer.from(text, 'utf8').toString('latin1'));
const base64Of = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

const authorization = fc.oneof(
  headerText,
  headerText.map((text) => `Basic ${text}`),
  utf8AsHeader.map((text) => `Basic ${text}`),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => `Basic ${base64Of(bytes)}`),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => `basic ${base64Of(bytes).replace(/=+$/, '')}`),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
    .map(([user, password]) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`),
  headerText.map((text) => `Bearer ${text}`),
  headerText.map((text) => `Digest ${text}`),
  utf8AsHeader,
);

describe.each(ADAPTERS)('PortalGuard fuzz on %s', (adapter) => {
  let app: INestApplication;
  let logger: CapturingLogger;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    logger = new CapturingLogger();
    app = await createTestApp(adapter, FuzzModule, logger);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    agent.destroy();
    await app.close();
  });

  test('never responds with 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        authorization,
        fc.constantFrom('/whoami', '/mailbox', '/admin'),
        async (value, path) => {
          const status = await get(port, agent, path, value);
          return status === 200 || status === 400 || status === 401 || status === 403;
        },
      ),
      { numRuns: 400 },
    );
    expect(logger.messages('error')).toEqual([]);
  });
});

function get(port: number, agent: Agent, path: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      { host: '127.0.0.1', port, path, agent, headers: { Authorization: authorization } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}
