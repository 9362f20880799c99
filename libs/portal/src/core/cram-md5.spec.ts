import { createHmac } from 'node:crypto';
import { createConnection, createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

import fc from 'fast-check';

import { InMemoryUsernamePasswordDatabase } from './checkers/in-memory.js';
import { IUsernameHashedPassword } from './credentials.js';
import { CramMD5Credentials } from './cram-md5.js';
import { LoginFailed, UnauthorizedLogin } from './errors.js';
import { defineInterface, Implements } from './interface-token.js';
import { Portal } from './portal.js';
import type { IRealm } from './realm.js';

// RFC 2195 §2.
const RFC_CHALLENGE = '<1896.697170952@postoffice.reston.mci.net>';
const RFC_RESPONSE = 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw';

describe('CramMD5Credentials', () => {
  it('RFC 2195 §2 example', () => {
    const credentials = new CramMD5Credentials({ challenge: RFC_CHALLENGE });

    expect(Buffer.from(credentials.getChallenge()).toString('base64')).toBe(
      'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+',
    );
    expect(createHmac('md5', 'tanstaaftanstaaf').update(RFC_CHALLENGE).digest('hex')).toBe(
      'b913a602c7eda7a495b4e6e7334d3890',
    );
    expect(Buffer.from('tim b913a602c7eda7a495b4e6e7334d3890').toString('base64')).toBe(
      RFC_RESPONSE,
    );

    credentials.setResponse(RFC_RESPONSE);

    expect(credentials.username).toBe('tim');
    expect(credentials.checkPassword('tanstaaf')).toBe(false);
    expect(credentials.checkPassword('tanstaaftanstaaf')).toBe(true);
  });

  it('accepts the raw response text', () => {
    const credentials = new CramMD5Credentials({ challenge: RFC_CHALLENGE });

    credentials.setResponse('tim B913A602C7EDA7A495B4E6E7334D3890');

    expect(credentials.checkPassword('tanstaaftanstaaf')).toBe(true);
  });

  it('splits the username from the digest at the last space', () => {
    const challenge = '<1.2@host>';
    const digest = createHmac('md5', 'pw').update(challenge).digest('hex');
    const credentials = new CramMD5Credentials({ challenge });

    credentials.setResponse(Buffer.from(`tim the enchanter ${digest}`).toString('base64'));

    expect(credentials.username).toBe('tim the enchanter');
    expect(credentials.checkPassword('pw')).toBe(true);
  });

  it('decodes a UTF-8 username', () => {
    const credentials = new CramMD5Credentials({ challenge: '<1.2@host>' });

    credentials.setResponse(Buffer.from(`zoë ${'0'.repeat(32)}`).toString('base64'));

    expect(credentials.username).toBe('zoë');
  });

  it('makes unique challenges of the RFC 2195 form', () => {
    const first = new CramMD5Credentials({ host: 'mail.example.org' });
    const second = new CramMD5Credentials({ host: 'mail.example.org' });

    expect(first.getChallenge()).toMatch(/^<\d+\.\d+@mail\.example\.org>$/);
    expect(first.getChallenge()).toBe(first.getChallenge());
    expect(first.getChallenge()).not.toBe(second.getChallenge());
  });

  it('refuses a password before a response was set', () => {
    expect(new CramMD5Credentials().checkPassword('anything')).toBe(false);
  });

  it.each([
    ['no digest', 'tim'],
    ['a short digest', 'tim b913a602'],
    ['base64 of no digest', Buffer.from('tim').toString('base64')],
    ['base64 without padding', 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODk'],
    [
      'base64 of invalid UTF-8',
      Buffer.from([0xff, 0x20, ...Buffer.from('0'.repeat(32))]).toString('base64'),
    ],
    ['a control character in the username', `ti\x01m ${'0'.repeat(32)}`],
    ['an empty response', ''],
    ['a response over 8192 characters', `${'a'.repeat(8192)} ${'0'.repeat(32)}`],
  ])('rejects %s', (_case, response) => {
    expect(() => new CramMD5Credentials().setResponse(response)).toThrow(UnauthorizedLogin);
  });

  it.each([
    ['a host with a space', { host: 'a b' }],
    ['a challenge with a space', { challenge: '<a b>' }],
  ])('refuses %s', (_case, options) => {
    expect(() => new CramMD5Credentials(options)).toThrow(TypeError);
  });

  it('sets a response or throws LoginFailed for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String()),
        (input) => {
          const credentials = new CramMD5Credentials({ challenge: '<1.2@host>' });
          try {
            credentials.setResponse(input);
            expect(credentials.checkPassword('pw')).toBe(false);
          } catch (error) {
            expect(error).toBeInstanceOf(LoginFailed);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('provides IUsernameHashedPassword and hides the digest', () => {
    const credentials = new CramMD5Credentials({ challenge: RFC_CHALLENGE });
    credentials.setResponse(RFC_RESPONSE);

    expect(IUsernameHashedPassword.providedBy(credentials)).toBe(true);
    expect(JSON.stringify(credentials)).toBe('{"username":"tim"}');
  });
});

const IMailbox = defineInterface<Mailbox>('ICramTestMailbox');

@Implements(IMailbox)
class Mailbox {
  constructor(readonly owner: string) {}
}

describe('CRAM-MD5 mail-style login through a Portal', () => {
  const realm: IRealm = {
    requestAvatar: (avatarId) => [IMailbox, new Mailbox(String(avatarId)), () => undefined],
  };
  const portal = new Portal(realm, [
    new InMemoryUsernamePasswordDatabase({ tim: 'tanstaaftanstaaf' }),
  ]);
  let server: Server;
  let port: number;

  // A minimal SMTP-like AUTH CRAM-MD5 exchange (RFC 4954 framing) on 127.0.0.1.
  beforeAll(async () => {
    server = createServer((socket) => {
      const lines = createInterface({ input: socket });
      let credentials: CramMD5Credentials | undefined;
      socket.write('220 mail.example.org ready\r\n');
      lines.on('line', (line) => {
        if (!credentials) {
          if (line !== 'AUTH CRAM-MD5') {
            socket.end('504 unsupported\r\n');
            return;
          }
          credentials = new CramMD5Credentials({ host: 'mail.example.org' });
          socket.write(`334 ${Buffer.from(credentials.getChallenge()).toString('base64')}\r\n`);
          return;
        }
        const attempt = credentials;
        Promise.resolve()
          .then(() => attempt.setResponse(line))
          .then(() => portal.login(attempt, socket, IMailbox))
          .then(
            ([, mailbox]) => socket.end(`235 welcome ${mailbox.owner}\r\n`),
            (error: unknown) =>
              socket.end(
                error instanceof LoginFailed ? '535 authentication failed\r\n' : '454 error\r\n',
              ),
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  // The client side: reads the challenge and responds with the given password.
  async function authenticate(username: string, password: string): Promise<string> {
    const socket = createConnection(port, '127.0.0.1');
    const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
    const next = async () => String((await lines.next()).value);
    try {
      expect(await next()).toMatch(/^220 /);
      socket.write('AUTH CRAM-MD5\r\n');
      const reply = await next();
      expect(reply).toMatch(/^334 /);
      const challenge = Buffer.from(reply.slice(4), 'base64').toString('latin1');
      expect(challenge).toMatch(/^<\d+\.\d+@mail\.example\.org>$/);
      const digest = createHmac('md5', password).update(challenge, 'latin1').digest('hex');
      socket.write(`${Buffer.from(`${username} ${digest}`).toString('base64')}\r\n`);
      return await next();
    } finally {
      socket.destroy();
    }
  }

  it('logs in with the right password', async () => {
    await expect(authenticate('tim', 'tanstaaftanstaaf')).resolves.toBe('235 welcome tim');
  });

  it('refuses a wrong password and an unknown user', async () => {
    await expect(authenticate('tim', 'wrong')).resolves.toBe('535 authentication failed');
    await expect(authenticate('nobody', 'tanstaaftanstaaf')).resolves.toBe(
      '535 authentication failed',
    );
  });
});
