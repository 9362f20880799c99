import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

import { UnauthorizedLogin } from '../errors.js';
import type { PortalLogger } from '../logger.js';
import { BearerToken } from '../token-credentials.js';
import { JwtBearerChecker } from './jwt-bearer.js';

const secret = new TextEncoder().encode('a 256-bit secret for HS256 tests!');

async function hs256(payload: JWTPayload, configure: (jwt: SignJWT) => SignJWT = (jwt) => jwt) {
  return configure(new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).setIssuedAt()).sign(
    secret,
  );
}

function unsigned(payload: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none' })}.${part(payload)}.`;
}

describe('JwtBearerChecker', () => {
  const checker = new JwtBearerChecker({
    key: secret,
    algorithms: ['HS256'],
    issuer: 'https://issuer.test',
    audience: 'api',
  });
  const valid = (claims: JWTPayload = {}) =>
    hs256({ sub: 'alice', ...claims }, (jwt) =>
      jwt.setIssuer('https://issuer.test').setAudience('api').setExpirationTime('5m'),
    );

  it('returns the sub claim of a valid token', async () => {
    await expect(checker.requestAvatarId(new BearerToken(await valid()))).resolves.toBe('alice');
  });

  it('accepts a sub with non-ASCII letters', async () => {
    const token = await valid({ sub: 'zoë\u00a0ß' });
    await expect(checker.requestAvatarId(new BearerToken(token))).resolves.toBe('zoë\u00a0ß');
  });

  it('returns the configured claim', async () => {
    const byEmail = new JwtBearerChecker({
      key: secret,
      algorithms: ['HS256'],
      avatarIdClaim: 'email',
    });
    const token = await hs256({ sub: 'x', email: 'alice@example.org' });

    await expect(byEmail.requestAvatarId(new BearerToken(token))).resolves.toBe(
      'alice@example.org',
    );
  });

  it.each<[string, () => Promise<string>]>([
    [
      'an expired token',
      () =>
        hs256({
          sub: 'alice',
          iss: 'https://issuer.test',
          aud: 'api',
          exp: Math.floor(Date.now() / 1000) - 60,
        }),
    ],
    ['another issuer', () => hs256({ sub: 'alice', iss: 'https://evil.test', aud: 'api' })],
    ['another audience', () => hs256({ sub: 'alice', iss: 'https://issuer.test', aud: 'other' })],
    ['a token not yet valid', () => valid({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ['a token without sub', () => hs256({ iss: 'https://issuer.test', aud: 'api' })],
    [
      'a numeric sub',
      () => hs256({ sub: 42 as unknown as string, iss: 'https://issuer.test', aud: 'api' }),
    ],
    [
      'an unsigned token',
      async () => unsigned({ sub: 'alice', iss: 'https://issuer.test', aud: 'api' }),
    ],
    ['a tampered signature', async () => (await valid()).slice(0, -2) + 'AA'],
    [
      'another key',
      () =>
        new SignJWT({ sub: 'alice', iss: 'https://issuer.test', aud: 'api' })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('another secret, also 256 bits long')),
    ],
    ['garbage', async () => 'not.a.jwt'],
    ['a sub with a line feed', () => valid({ sub: 'alice\nadmin' })],
    ['a sub with NUL', () => valid({ sub: 'alice\u0000' })],
    ['a sub with DEL', () => valid({ sub: 'alice\u007f' })],
    ['a sub with C1 NEL', () => valid({ sub: 'alice\u0085admin' })],
    ['a sub with C1 CSI', () => valid({ sub: 'alice\u009b31m' })],
    ['a sub with U+2028', () => valid({ sub: 'alice\u2028admin' })],
    ['a sub with U+2029', () => valid({ sub: 'alice\u2029admin' })],
  ])('rejects %s with a fixed message', async (_case, makeToken) => {
    const login = checker.requestAvatarId(new BearerToken(await makeToken()));

    await expect(login).rejects.toThrow(UnauthorizedLogin);
    await expect(login).rejects.toThrow('Invalid or expired access token.');
  });

  it('rejects an algorithm that is not allowed', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const onlyRs256 = new JwtBearerChecker({ key: publicKey, algorithms: ['RS256'] });
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'ES256' })
      .sign(privateKey);

    await expect(onlyRs256.requestAvatarId(new BearerToken(token))).rejects.toThrow(
      UnauthorizedLogin,
    );
  });

  it('allows the configured clock tolerance', async () => {
    const tolerant = new JwtBearerChecker({
      key: secret,
      algorithms: ['HS256'],
      clockToleranceSeconds: 120,
    });
    const token = await hs256({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 });

    await expect(tolerant.requestAvatarId(new BearerToken(token))).resolves.toBe('alice');
  });

  it.each([
    ['no algorithms', { key: secret, algorithms: [] }],
    ['the none algorithm', { key: secret, algorithms: ['HS256', 'none'] }],
    ['neither key nor JWKS', { algorithms: ['HS256'] }],
    [
      'both key and JWKS',
      { key: secret, jwksUrl: 'http://127.0.0.1:1/jwks', algorithms: ['HS256'] },
    ],
  ])('refuses %s', (_case, options) => {
    expect(() => new JwtBearerChecker(options)).toThrow(TypeError);
  });

  describe('with a JWKS served on 127.0.0.1', () => {
    let server: Server;
    let jwksUrl: string;
    let privateKey: CryptoKey;
    let serveKeys = true;

    beforeAll(async () => {
      const pair = await generateKeyPair('RS256');
      privateKey = pair.privateKey as CryptoKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
      server = createServer((_request, response) => {
        if (!serveKeys) {
          response.writeHead(500).end();
          return;
        }
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    const sign = (kid: string) =>
      new SignJWT({ sub: 'bob' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setExpirationTime('5m')
        .sign(privateKey);

    it('verifies a token with a key from the set', async () => {
      const remote = new JwtBearerChecker({ jwksUrl, algorithms: ['RS256'] });

      await expect(remote.requestAvatarId(new BearerToken(await sign('key-1')))).resolves.toBe(
        'bob',
      );
    });

    it('rejects a token whose kid is not in the set', async () => {
      const remote = new JwtBearerChecker({ jwksUrl, algorithms: ['RS256'] });

      await expect(remote.requestAvatarId(new BearerToken(await sign('key-2')))).rejects.toThrow(
        UnauthorizedLogin,
      );
    });

    it('rejects and reports a key set that cannot be fetched', async () => {
      const warnings: string[] = [];
      const logger: PortalLogger = {
        log: () => {},
        error: () => {},
        warn: (message) => warnings.push(message),
      };
      const remote = new JwtBearerChecker({ jwksUrl, algorithms: ['RS256'], logger });
      serveKeys = false;
      try {
        await expect(remote.requestAvatarId(new BearerToken(await sign('key-1')))).rejects.toThrow(
          'Invalid or expired access token.',
        );
        await expect(remote.requestAvatarId(new BearerToken(await sign('key-1')))).rejects.toThrow(
          UnauthorizedLogin,
        );
      } finally {
        serveKeys = true;
      }

      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(jwksUrl);
      expect(warnings[0]).not.toContain('eyJ');
    });
  });
});
