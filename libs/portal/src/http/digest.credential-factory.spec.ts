import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { InMemoryUsernamePasswordDatabase } from '../core/checkers/in-memory.js';
import { IUsernameDigestHash, IUsernameHashedPassword } from '../core/credentials.js';
import { LoginDenied, LoginFailed, UnauthorizedLogin } from '../core/errors.js';
import { defineInterface, Implements } from '../core/interface-token.js';
import { Portal } from '../core/portal.js';
import type { IRealm } from '../core/realm.js';
import { parseAuthParams } from './auth-params.js';
import type { HttpRequestLike } from './credential-factory.js';
import { type DigestAlgorithm, digestHA1, digestResponse, digestUserhash } from './digest-hash.js';
import type { DigestNonceSource } from './digest-nonce.js';
import {
  DigestCredentialFactory,
  type DigestCredentialFactoryOptions,
} from './digest.credential-factory.js';
import { DigestedCredentials } from './digested-credentials.js';
import { BadCredentialsRequest, MalformedCredentials, StaleNonce } from './errors.js';

const SECRET = 'a test secret of at least sixteen bytes';

function request(url: string, method = 'GET'): HttpRequestLike {
  return { method, url, headers: {} };
}

/** A nonce source that accepts one fixed nonce and opaque, as an RFC example's server issued them. */
function fixedNonces(nonce: string, opaque: string, issuedAt = Date.now()): DigestNonceSource {
  return {
    issue: () => ({ nonce, opaque }),
    check: (givenNonce, givenOpaque) =>
      givenNonce === nonce && givenOpaque === opaque
        ? { status: 'valid', issuedAt }
        : { status: 'invalid' },
  };
}

interface ClientInputs {
  username: string;
  password: string;
  realm: string;
  nonce: string;
  opaque: string;
  uri: string;
  method?: string;
  algorithm?: DigestAlgorithm;
  nc?: string;
  cnonce?: string;
  qop?: string;
}

/** Writes the auth-params of a Digest response the way a client does. */
function clientResponse(inputs: ClientInputs): string {
  const algorithm = inputs.algorithm ?? 'MD5';
  const nc = inputs.nc ?? '00000001';
  const cnonce = inputs.cnonce ?? 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ';
  const qop = inputs.qop ?? 'auth';
  const response = digestResponse(
    digestHA1(algorithm, inputs.username, inputs.realm, inputs.password),
    {
      algorithm,
      nonce: inputs.nonce,
      method: inputs.method ?? 'GET',
      uri: inputs.uri,
      qop,
      nc,
      cnonce,
    },
  );
  return (
    `username="${inputs.username}", realm="${inputs.realm}", uri="${inputs.uri}", ` +
    `algorithm=${algorithm}, nonce="${inputs.nonce}", nc=${nc}, cnonce="${cnonce}", ` +
    `qop=${qop}, response="${response}", opaque="${inputs.opaque}"`
  );
}

/** Writes a client's response to a challenge from `factory`. */
function answer(
  factory: DigestCredentialFactory,
  inputs: Partial<ClientInputs> & { password: string; uri: string },
): string {
  const challenge = parseAuthParams(
    factory.getChallenge(request(inputs.uri)).replace(/^Digest /, ''),
  );
  return clientResponse({
    username: 'Mufasa',
    realm: challenge.get('realm')!,
    nonce: challenge.get('nonce')!,
    opaque: challenge.get('opaque')!,
    algorithm: challenge.get('algorithm') as DigestAlgorithm,
    ...inputs,
  });
}

// RFC 7616 §3.9.1: the inputs of the MD5 and SHA-256 examples.
const RFC7616 = {
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  uri: '/dir/index.html',
  username: 'Mufasa',
  password: 'Circle of Life',
};

function rfc7616Header(
  algorithm: string,
  response: string,
  overrides: Record<string, string> = {},
): string {
  const params: Record<string, string> = {
    username: '"Mufasa"',
    realm: `"${RFC7616.realm}"`,
    uri: `"${RFC7616.uri}"`,
    algorithm,
    nonce: `"${RFC7616.nonce}"`,
    nc: '00000001',
    cnonce: `"${RFC7616.cnonce}"`,
    qop: 'auth',
    response: `"${response}"`,
    opaque: `"${RFC7616.opaque}"`,
    ...overrides,
  };
  return Object.entries(params)
    .map(([name, value]) => `${name}=${value}`)
    .join(', ');
}

function rfc7616Factory(algorithm: DigestAlgorithm, options: DigestCredentialFactoryOptions = {}) {
  return new DigestCredentialFactory(algorithm, RFC7616.realm, {
    nonceSource: fixedNonces(RFC7616.nonce, RFC7616.opaque),
    ...options,
  });
}

describe('Digest hash functions', () => {
  it('RFC 2617 §3.5 example', () => {
    const ha1 = digestHA1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const inputs = {
      algorithm: 'MD5' as const,
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    };

    expect(ha1).toBe('939e7578ed9e3c518a452acee763bce9');
    expect(createHash('md5').update('GET:/dir/index.html').digest('hex')).toBe(
      '39aff3a2bab6126f332b942af96d3366',
    );
    expect(digestResponse(ha1, inputs)).toBe('6629fae49393a05397450978507c4ef1');
    const lowerCaseOHA1 = digestHA1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle of Life');
    expect(digestResponse(lowerCaseOHA1, inputs)).toBe('20ae5530a92d6c35dc4a63a4c1affcac');
  });

  it.each<[DigestAlgorithm, string, string]>([
    ['MD5', 'Circle of Life', '8ca523f5e9506fed4657c9700eebdbec'],
    ['MD5', 'Circle Of Life', 'd142103549841c8d7adb7716345048f2'],
    [
      'SHA-256',
      'Circle of Life',
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    ],
    ['MD5-sess', 'Circle of Life', 'e783283f46242139c486a698fec7211d'],
    [
      'SHA-256-sess',
      'Circle of Life',
      '2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7',
    ],
  ])('RFC 7616 §3.9.1 inputs with %s and %j', (algorithm, password, expected) => {
    const ha1 = digestHA1(algorithm, 'Mufasa', RFC7616.realm, password);
    const response = digestResponse(ha1, {
      algorithm,
      nonce: RFC7616.nonce,
      method: 'GET',
      uri: RFC7616.uri,
      qop: 'auth',
      nc: '00000001',
      cnonce: RFC7616.cnonce,
    });

    expect(response).toBe(expected);
  });

  it('computes the RFC 2069 response without qop', () => {
    const ha1 = digestHA1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const ha2 = createHash('md5').update('GET:/dir/index.html').digest('hex');
    const expected = createHash('md5').update(`${ha1}:abc:${ha2}`).digest('hex');

    expect(
      digestResponse(ha1, {
        algorithm: 'MD5',
        nonce: 'abc',
        method: 'GET',
        uri: '/dir/index.html',
      }),
    ).toBe(expected);
  });

  it('userhash of the RFC 7616 §3.9.2 user', () => {
    // The example prints 488869477bf2…, which its own inputs do not reproduce;
    // this is H("Jäsøn Doe:api@example.org") with SHA-512-256 over UTF-8.
    expect(digestUserhash('SHA-512-256', 'Jäsøn Doe', 'api@example.org')).toBe(
      '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
    );
  });
});

describe('DigestCredentialFactory', () => {
  describe('RFC vectors through decode', () => {
    it('RFC 2617 §3.5 header with both password spellings', async () => {
      const factory = new DigestCredentialFactory('MD5', 'testrealm@host.com', {
        nonceSource: fixedNonces(
          'dcd98b7102dd2f0e8b11d0f600bfb0c093',
          '5ccc069c403ebaf9f0171e9517f40e41',
        ),
      });
      const header =
        'username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", ' +
        'uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", ' +
        'response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"';

      const wrong = await factory.decode(header, request('/dir/index.html'));
      expect(factory.credentialInterfaces).toEqual([IUsernameDigestHash, IUsernameHashedPassword]);
      expect(factory.credentialInterfaces.every((token) => token.providedBy(wrong))).toBe(true);
      expect(wrong.checkPassword('Circle of Life')).toBe(false);
      const right = await factory.decode(header, request('/dir/index.html'));
      expect(right.username).toBe('Mufasa');
      expect(right.checkPassword('Circle Of Life')).toBe(true);
    });

    it.each<[DigestAlgorithm, string]>([
      ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
      ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
      ['MD5-sess', 'e783283f46242139c486a698fec7211d'],
      ['SHA-256-sess', '2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7'],
    ])('RFC 7616 §3.9.1 %s header is accepted', async (algorithm, response) => {
      const factory = rfc7616Factory(algorithm);

      const credentials = await factory.decode(
        rfc7616Header(algorithm, response),
        request(RFC7616.uri),
      );

      expect(credentials.algorithm).toBe(algorithm);
      expect(credentials.checkPassword('Circle Of Life')).toBe(false);
      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it('checkHash accepts the stored HA1 of each hash', async () => {
      const md5 = await rfc7616Factory('MD5').decode(
        rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec'),
        request(RFC7616.uri),
      );
      const sha = await rfc7616Factory('SHA-256-sess').decode(
        rfc7616Header(
          'SHA-256-sess',
          '2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7',
        ),
        request(RFC7616.uri),
      );

      expect(md5.hashAlgorithm).toBe('MD5');
      expect(md5.checkHash('0'.repeat(32))).toBe(false);
      expect(md5.checkHash('not hex')).toBe(false);
      expect(
        md5.checkHash(digestHA1('MD5', 'Mufasa', RFC7616.realm, 'Circle of Life').toUpperCase()),
      ).toBe(true);
      expect(sha.hashAlgorithm).toBe('SHA-256');
      expect(sha.checkHash(digestHA1('SHA-256', 'Mufasa', RFC7616.realm, 'Circle of Life'))).toBe(
        true,
      );
    });
  });

  describe('uri and request target', () => {
    it('answers 400 when uri lacks the query of the request target', async () => {
      const factory = rfc7616Factory('MD5');
      const header = rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec');

      const decoding = factory.decode(header, request('/dir/index.html?x=1'));

      await expect(decoding).rejects.toThrow(BadCredentialsRequest);
      await expect(decoding).rejects.toMatchObject({ status: 400 });
    });

    it('accepts uri equal to the full target, query included', async () => {
      const factory = rfc7616Factory('MD5');
      const header = rfc7616Header('MD5', 'a5458dcd9e0c0d7487d5aded0a880051', {
        uri: '"/dir/index.html?x=1"',
      });

      const credentials = await factory.decode(header, request('/dir/index.html?x=1'));

      expect(credentials.uri).toBe('/dir/index.html?x=1');
      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it('accepts a comma inside the quoted uri', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const header = answer(factory, { password: 'pw', uri: '/private?x=1,2' });

      const credentials = await factory.decode(header, request('/private?x=1,2'));

      expect(credentials.checkPassword('pw')).toBe(true);
    });
  });

  describe('qop, nc and algorithm syntax', () => {
    it('rejects a response hashed over the offered qop list', async () => {
      const credentials = await rfc7616Factory('MD5').decode(
        rfc7616Header('MD5', '196ba80ecd058f62d2b7501b4650d030'),
        request(RFC7616.uri),
      );

      expect(credentials.checkPassword('Circle of Life')).toBe(false);
    });

    it('accepts quoted nc, qop and algorithm', async () => {
      const header = rfc7616Header('"MD5"', '8ca523f5e9506fed4657c9700eebdbec', {
        nc: '"00000001"',
        qop: '"auth"',
      });

      const credentials = await rfc7616Factory('MD5').decode(header, request(RFC7616.uri));

      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it('accepts unquoted qop as the last parameter', async () => {
      const header =
        rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec', { qop: 'auth' }).replace(
          ', qop=auth',
          '',
        ) + ', qop=auth';

      const credentials = await rfc7616Factory('MD5').decode(header, request(RFC7616.uri));

      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it.each(['md5', '"md5"', 'Md5'])('accepts algorithm=%s in any case', async (algorithm) => {
      const credentials = await rfc7616Factory('MD5').decode(
        rfc7616Header(algorithm, '8ca523f5e9506fed4657c9700eebdbec'),
        request(RFC7616.uri),
      );

      expect(credentials.algorithm).toBe('MD5');
      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it('takes a missing algorithm as MD5', async () => {
      const header = rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec').replace(
        'algorithm=MD5, ',
        '',
      );

      const credentials = await rfc7616Factory('MD5').decode(header, request(RFC7616.uri));

      expect(credentials.algorithm).toBe('MD5');
      expect(credentials.checkPassword('Circle of Life')).toBe(true);
    });

    it.each(['auth-int', '"auth,auth-int"', 'foo'])('rejects qop=%s with 401', async (qop) => {
      const header = rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec', { qop });

      await expect(rfc7616Factory('MD5').decode(header, request(RFC7616.uri))).rejects.toThrow(
        UnauthorizedLogin,
      );
    });

    it.each(['1', '000000001', '0000000g', '""'])('rejects nc=%s', async (nc) => {
      const header = rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec', { nc });

      await expect(rfc7616Factory('MD5').decode(header, request(RFC7616.uri))).rejects.toThrow(
        MalformedCredentials,
      );
    });

    it.each(['SHA-1', 'SHA-512', 'token'])('rejects algorithm=%s', async (algorithm) => {
      const header = rfc7616Header(algorithm, '8ca523f5e9506fed4657c9700eebdbec');

      await expect(rfc7616Factory('MD5').decode(header, request(RFC7616.uri))).rejects.toThrow(
        UnauthorizedLogin,
      );
    });
  });

  describe('nonce counts', () => {
    it('refuses the replay, accepts nc=2, reads nc as hex', async () => {
      const factory = rfc7616Factory('MD5');
      const first = rfc7616Header('MD5', '8ca523f5e9506fed4657c9700eebdbec');
      const at = (nc: string): string =>
        rfc7616Header(
          'MD5',
          digestResponse(digestHA1('MD5', 'Mufasa', RFC7616.realm, 'Circle of Life'), {
            algorithm: 'MD5',
            nonce: RFC7616.nonce,
            method: 'GET',
            uri: RFC7616.uri,
            qop: 'auth',
            nc,
            cnonce: RFC7616.cnonce,
          }),
          { nc },
        );
      const check = async (header: string) =>
        (await factory.decode(header, request(RFC7616.uri))).checkPassword('Circle of Life');

      expect(await check(first)).toBe(true);
      await expect(check(first)).rejects.toThrow(StaleNonce);
      expect(at('00000002')).toContain('response="4b5d595ecf2db9df612ea5b45cd97101"');
      expect(await check(at('00000002'))).toBe(true);
      expect(await check(at('0000000a'))).toBe(true);
      expect(await check(at('0000000b'))).toBe(true);
      await expect(check(at('0000000A'))).rejects.toThrow(StaleNonce);
      expect(await check(at('00000010'))).toBe(true);
    });

    it('allows gaps and late counts but not their reuse', async () => {
      const factory = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });
      const challenge = parseAuthParams(factory.getChallenge(request('/')).slice('Digest '.length));
      const login = async (nc: string) => {
        const header = clientResponse({
          username: 'u',
          password: 'p',
          realm: 'r',
          uri: '/',
          algorithm: 'SHA-256',
          nonce: challenge.get('nonce')!,
          opaque: challenge.get('opaque')!,
          nc,
        });
        return (await factory.decode(header, request('/'))).checkPassword('p');
      };

      expect(await login('00000001')).toBe(true);
      expect(await login('00000005')).toBe(true);
      expect(await login('00000003')).toBe(true);
      await expect(login('00000003')).rejects.toThrow(StaleNonce);
      await expect(login('00000005')).rejects.toThrow(StaleNonce);
    });

    it('refuses counts that fell out of the window', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', {
        secret: SECRET,
        nonceCountWindow: 4,
      });
      const challenge = parseAuthParams(factory.getChallenge(request('/')).slice('Digest '.length));
      const login = async (nc: string) =>
        (
          await factory.decode(
            clientResponse({
              username: 'u',
              password: 'p',
              realm: 'r',
              uri: '/',
              nonce: challenge.get('nonce')!,
              opaque: challenge.get('opaque')!,
              nc,
            }),
            request('/'),
          )
        ).checkPassword('p');

      expect(await login('00000010')).toBe(true);
      expect(await login('0000000d')).toBe(true);
      await expect(login('0000000c')).rejects.toThrow(StaleNonce);
    });

    it('does not record a count for a wrong response', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const header = answer(factory, { username: 'u', password: 'p', uri: '/' });

      expect((await factory.decode(header, request('/'))).checkPassword('wrong')).toBe(false);
      expect(factory.trackedNonces).toBe(0);
      expect((await factory.decode(header, request('/'))).checkPassword('p')).toBe(true);
      expect(factory.trackedNonces).toBe(1);
    });

    it('accepts repeated checks of the same credentials', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const credentials = await factory.decode(
        answer(factory, { password: 'p', uri: '/' }),
        request('/'),
      );

      expect(credentials.checkPassword('p')).toBe(true);
      expect(credentials.checkPassword('p')).toBe(true);
    });
  });

  describe('stale nonces', () => {
    function clockedFactory() {
      let now = Date.UTC(2025, 0, 1);
      const factory = new DigestCredentialFactory('MD5', 'r', {
        secret: SECRET,
        nonceLifetimeSeconds: 300,
        now: () => now,
      });
      return { factory, advance: (seconds: number) => (now += seconds * 1000) };
    }

    it('answers a correct response with an expired nonce with stale=true', async () => {
      const { factory, advance } = clockedFactory();
      const header = answer(factory, { password: 'p', uri: '/' });
      advance(301);

      const credentials = await factory.decode(header, request('/'));
      let error: unknown;
      try {
        credentials.checkPassword('p');
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(StaleNonce);
      expect(error).toBeInstanceOf(UnauthorizedLogin);
      const challenge = factory.getChallenge(request('/'), error) ?? '';
      expect(parseAuthParams(challenge.slice('Digest '.length)).get('stale')).toBe('true');
    });

    it('answers a wrong password with an expired nonce without stale', async () => {
      const { factory, advance } = clockedFactory();
      const header = answer(factory, { password: 'p', uri: '/' });
      advance(301);
      const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ Mufasa: 'other' })]);

      const error = await portal
        .login(await factory.decode(header, request('/')), null, IAvatar)
        .catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(UnauthorizedLogin);
      expect(error).not.toBeInstanceOf(StaleNonce);
      expect(factory.getChallenge(request('/'), error)).not.toContain('stale');
    });

    it('keeps nonce and opaque valid for reuse within the lifetime', async () => {
      const { factory, advance } = clockedFactory();
      const challenge = parseAuthParams(factory.getChallenge(request('/')).slice('Digest '.length));
      const header = (nc: string) =>
        clientResponse({
          username: 'u',
          password: 'p',
          realm: 'r',
          uri: '/',
          nonce: challenge.get('nonce')!,
          opaque: challenge.get('opaque')!,
          nc,
        });

      expect((await factory.decode(header('00000001'), request('/'))).checkPassword('p')).toBe(
        true,
      );
      advance(299);
      expect((await factory.decode(header('00000002'), request('/'))).checkPassword('p')).toBe(
        true,
      );
    });

    it('answers a correct response with a foreign nonce with stale=true', async () => {
      const other = new DigestCredentialFactory('MD5', 'r', {
        secret: 'another secret, also long enough',
      });
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const credentials = await factory.decode(
        answer(other, { password: 'p', uri: '/' }),
        request('/'),
      );

      expect(credentials.checkPassword('wrong')).toBe(false);
      expect(() => credentials.checkPassword('p')).toThrow(StaleNonce);
    });

    it('treats a tampered opaque like a foreign nonce', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const header = answer(factory, { password: 'p', uri: '/' }).replace(
        /opaque="[^"]*"/,
        'opaque="x"',
      );

      const credentials = await factory.decode(header, request('/'));

      expect(() => credentials.checkPassword('p')).toThrow(StaleNonce);
    });
  });

  describe('several factories', () => {
    it('accepts a response to another factory challenge with the same secret', async () => {
      const md5 = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const sha = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });

      const credentials = await sha.decode(answer(md5, { password: 'p', uri: '/' }), request('/'));

      expect(credentials.algorithm).toBe('MD5');
      expect(credentials.checkPassword('p')).toBe(true);
    });

    it('refuses an algorithm other than the one the nonce was issued for', async () => {
      const sha = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });
      const header = answer(sha, { password: 'p', uri: '/', algorithm: 'MD5' });

      const credentials = await sha.decode(header, request('/'));

      expect(() => credentials.checkPassword('p')).toThrow(StaleNonce);
    });

    describe('accepts', () => {
      const md5 = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });
      const sha = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });
      const shaSess = new DigestCredentialFactory('SHA-256-sess', 'r', { secret: SECRET });

      it.each([
        ['algorithm=MD5', 'MD5'],
        ['algorithm=md5', 'MD5'],
        ['algorithm="MD5"', 'MD5'],
        ['no algorithm', 'MD5'],
        ['algorithm=SHA-256', 'SHA-256'],
        ['algorithm="sha-256"', 'SHA-256'],
        ['algorithm=SHA-256-sess', 'SHA-256-sess'],
        ['algorithm=SHA-512-256', 'none'],
      ])('%s goes to the %s factory', (params, expected) => {
        const credentials = `username="a", ${params === 'no algorithm' ? '' : `${params}, `}nc=1`;

        expect(md5.accepts(credentials)).toBe(expected === 'MD5');
        expect(sha.accepts(credentials)).toBe(expected === 'SHA-256');
        expect(shaSess.accepts(credentials)).toBe(expected === 'SHA-256-sess');
      });

      it('ignores algorithm inside another quoted value', () => {
        const credentials = 'username="x, algorithm=SHA-256", algorithm=MD5';

        expect(md5.accepts(credentials)).toBe(true);
        expect(sha.accepts(credentials)).toBe(false);
      });

      it.each([
        ['broken syntax', 'username="a'],
        ['a repeated algorithm', 'algorithm=MD5, algorithm=SHA-256'],
        ['a token68', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
      ])('returns false for %s', (_case, credentials) => {
        expect(md5.accepts(credentials)).toBe(false);
        expect(sha.accepts(credentials)).toBe(false);
      });

      it('never throws for any string', () => {
        fc.assert(
          fc.property(fc.string({ maxLength: 200 }), (credentials) => {
            expect(typeof md5.accepts(credentials)).toBe('boolean');
          }),
          { numRuns: 300 },
        );
      });
    });
  });

  describe('session algorithms without cnonce', () => {
    it.each(['MD5-sess', 'SHA-256-sess'])(
      'rejects %s without qop and cnonce',
      async (algorithm) => {
        const factory = rfc7616Factory(algorithm as DigestAlgorithm, { allowLegacyNoQop: true });
        const header =
          `username="Mufasa", realm="${RFC7616.realm}", uri="${RFC7616.uri}", algorithm=${algorithm}, ` +
          `nonce="${RFC7616.nonce}", response="${'0'.repeat(algorithm === 'MD5-sess' ? 32 : 64)}", ` +
          `opaque="${RFC7616.opaque}"`;

        await expect(factory.decode(header, request(RFC7616.uri))).rejects.toThrow(
          UnauthorizedLogin,
        );
      },
    );
  });

  describe('RFC 2069 clients without qop', () => {
    function legacyHeader(factory: DigestCredentialFactory): string {
      const challenge = parseAuthParams(factory.getChallenge(request('/')).slice('Digest '.length));
      const nonce = challenge.get('nonce')!;
      const response = digestResponse(digestHA1('MD5', 'u', 'r', 'p'), {
        algorithm: 'MD5',
        nonce,
        method: 'GET',
        uri: '/',
      });
      return `username="u", realm="r", uri="/", nonce="${nonce}", response="${response}", opaque="${challenge.get('opaque')}"`;
    }

    it('rejects them by default', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });

      await expect(factory.decode(legacyHeader(factory), request('/'))).rejects.toThrow(
        /without qop/,
      );
    });

    it('accepts each nonce once when allowed', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', {
        secret: SECRET,
        allowLegacyNoQop: true,
      });
      const header = legacyHeader(factory);

      expect((await factory.decode(header, request('/'))).checkPassword('p')).toBe(true);
      const replay = await factory.decode(header, request('/'));
      expect(() => replay.checkPassword('p')).toThrow(StaleNonce);
    });

    it('rejects nc or cnonce without qop', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', {
        secret: SECRET,
        allowLegacyNoQop: true,
      });

      await expect(
        factory.decode(`${legacyHeader(factory)}, cnonce="x"`, request('/')),
      ).rejects.toThrow(MalformedCredentials);
    });
  });

  describe('usernames', () => {
    const factory = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });

    it('decodes username* (RFC 8187)', async () => {
      const header = answer(factory, { username: 'Jäsøn Doe', password: 'p', uri: '/' }).replace(
        'username="Jäsøn Doe"',
        "username*=UTF-8''J%C3%A4s%C3%B8n%20Doe",
      );

      const credentials = await factory.decode(header, request('/'));

      expect(credentials.username).toBe('Jäsøn Doe');
      expect(credentials.checkPassword('p')).toBe(true);
    });

    // The guard re-reads the header as UTF-8 before decode, so decode
    // takes the text as it is: "Ã©" stays "Ã©" and does not become "é".
    it('keeps a username that looks like mojibake', async () => {
      const header = answer(factory, { username: 'Ã©', password: 'p', uri: '/' });

      const credentials = await factory.decode(header, request('/'));

      expect(credentials.username).toBe('Ã©');
      expect(credentials.checkPassword('p')).toBe(true);
    });

    it('keeps a Latin-1 username that is not valid UTF-8', async () => {
      const header = answer(factory, { username: 'zoë', password: 'p', uri: '/' });

      const credentials = await factory.decode(header, request('/'));

      expect(credentials.username).toBe('zoë');
      expect(credentials.checkPassword('p')).toBe(true);
    });

    it('passes an empty username on to the checker', async () => {
      const header = answer(factory, { username: '', password: 'p', uri: '/' });

      const credentials = await factory.decode(header, request('/'));

      expect(credentials.username).toBe('');
    });

    it.each([
      ['both username and username*', `username="a", username*=UTF-8''a`],
      ['neither', ''],
      ['a bad ext-value', `username*=KOI8-R''a`],
      ['a replacement character', 'username="\ufffd"'],
      ['a control character encoded', `username*=UTF-8''a%00`],
      ['a C1 control', 'username="a\u0085b"'],
      ['a C1 control encoded', `username*=UTF-8''a%C2%9Bb`],
      ['a Latin-1 C1 control encoded', `username*=ISO-8859-1''a%85b`],
      ['a line separator', 'username="a\u2028b"'],
      ['a paragraph separator encoded', `username*=UTF-8''a%E2%80%A9b`],
    ])('rejects %s', async (_case, usernameParams) => {
      const header = answer(factory, { username: 'x', password: 'p', uri: '/' }).replace(
        'username="x"',
        usernameParams,
      );

      await expect(factory.decode(header.replace(/^, /, ''), request('/'))).rejects.toThrow(
        MalformedCredentials,
      );
    });

    it('rejects another realm with 401', async () => {
      const header = answer(factory, { password: 'p', uri: '/' }).replace(
        'realm="r"',
        'realm="other"',
      );

      await expect(factory.decode(header, request('/'))).rejects.toThrow(UnauthorizedLogin);
    });
  });

  describe('userhash', () => {
    const realmName = 'api@example.org';
    const users = ['Jäsøn Doe', 'Mufasa'];
    const resolveUserhash = (userhash: string, hash: (name: string) => string) =>
      users.find((name) => hash(name) === userhash);

    function userhashHeader(username: string, response: string): string {
      return (
        `username="${username}", realm="${realmName}", uri="/doe.json", algorithm=SHA-512-256, ` +
        'nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", nc=00000001, ' +
        'cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", qop=auth, ' +
        `response="${response}", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", userhash=true`
      );
    }

    const factory = new DigestCredentialFactory('SHA-512-256', realmName, {
      nonceSource: fixedNonces(
        '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
        'HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS',
      ),
      resolveUserhash,
    });

    it('offers userhash in the challenge', () => {
      expect(factory.getChallenge(request('/'))).toContain('userhash=true');
    });

    it('resolves the userhash and hashes HA1 with the plain name', async () => {
      const header = userhashHeader(
        '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
        '3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5',
      );

      const credentials = await factory.decode(header, request('/doe.json'));

      expect(credentials.userhash).toBe(true);
      expect(credentials.username).toBe('Jäsøn Doe');
      expect(credentials.checkPassword('Secret, or not?')).toBe(true);
    });

    it('rejects a response whose HA1 was hashed over the userhash', async () => {
      const header = userhashHeader(
        '793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b',
        'fc3b8f9d45be46bc9c1b0778d5eec8dfb08ebb17680ff6704b33af4056155ac4',
      );

      const credentials = await factory.decode(header, request('/doe.json'));

      expect(credentials.checkPassword('Secret, or not?')).toBe(false);
    });

    it('refuses the header printed in RFC 7616 §3.9.2', async () => {
      // Its userhash and response do not follow from its inputs (see the userhash test above).
      const header = userhashHeader(
        '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec',
        'ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd',
      );

      const credentials = await factory.decode(header, request('/doe.json'));

      expect(credentials.username).toBe(
        '488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec',
      );
      expect(credentials.checkPassword('Secret, or not?')).toBe(false);
    });

    it('treats an unknown userhash like an unknown user', async () => {
      const ha1 = digestHA1('SHA-512-256', '00'.repeat(32), realmName, 'pw');
      const response = digestResponse(ha1, {
        algorithm: 'SHA-512-256',
        nonce: '5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK',
        method: 'GET',
        uri: '/doe.json',
        qop: 'auth',
        nc: '00000001',
        cnonce: 'NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v',
      });

      const credentials = await factory.decode(
        userhashHeader('00'.repeat(32), response),
        request('/doe.json'),
      );

      expect(credentials.checkPassword('pw')).toBe(false);
    });

    it('rejects userhash when it is not enabled', async () => {
      const plain = new DigestCredentialFactory('SHA-512-256', realmName, {
        nonceSource: fixedNonces('n', 'o'),
      });

      expect(plain.getChallenge(request('/'))).not.toContain('userhash');
      await expect(
        plain.decode(userhashHeader('ab', 'cd'.repeat(32)), request('/doe.json')),
      ).rejects.toThrow(/userhash is not enabled/);
    });
  });

  describe('challenge', () => {
    it('is undefined for a LoginDenied, without issuing a nonce', () => {
      let issued = 0;
      const factory = new DigestCredentialFactory('SHA-256', 'r', {
        nonceSource: {
          issue: () => {
            issued++;
            return { nonce: 'n', opaque: 'o' };
          },
          check: () => ({ status: 'invalid' }),
        },
      });

      expect(factory.getChallenge(request('/'), new LoginDenied())).toBeUndefined();
      expect(issued).toBe(0);
      expect(factory.getChallenge(request('/'), new UnauthorizedLogin())).toMatch(/^Digest /);
      expect(issued).toBe(1);
    });

    it('offers qop auth, the algorithm, a nonce and an opaque', () => {
      const factory = new DigestCredentialFactory('sha-256', 'my "realm"', { secret: SECRET });

      const challenge = factory.getChallenge(request('/'));
      const params = parseAuthParams(challenge.slice('Digest '.length));

      expect(
        challenge.startsWith('Digest realm="my \\"realm\\"", qop="auth", algorithm=SHA-256, '),
      ).toBe(true);
      expect(params.get('realm')).toBe('my "realm"');
      expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{48}$/);
      expect(params.get('opaque')).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(params.get('charset')).toBe('UTF-8');
      expect(params.has('stale')).toBe(false);
    });

    it('issues a new nonce each time', () => {
      const factory = new DigestCredentialFactory('MD5', 'r', { secret: SECRET });

      expect(factory.getChallenge(request('/'))).not.toBe(factory.getChallenge(request('/')));
    });

    it.each([
      ['an unknown algorithm', () => new DigestCredentialFactory('SHA-1', 'r')],
      ['a realm with a control character', () => new DigestCredentialFactory('MD5', 'a\nb')],
      ['a short secret', () => new DigestCredentialFactory('MD5', 'r', { secret: 'short' })],
    ])('refuses %s', (_case, create) => {
      expect(create).toThrow(TypeError);
    });
  });

  describe('with a portal', () => {
    it('logs in with the in-memory checker and refuses a wrong password', async () => {
      const factory = new DigestCredentialFactory('SHA-256', 'r', { secret: SECRET });
      const portal = new Portal(realm, [
        new InMemoryUsernamePasswordDatabase({ Mufasa: 'Circle of Life' }),
      ]);

      const [, avatar] = await portal.login(
        await factory.decode(
          answer(factory, { password: 'Circle of Life', uri: '/' }),
          request('/'),
        ),
        null,
        IAvatar,
      );
      const refused = portal.login(
        await factory.decode(answer(factory, { password: 'wrong', uri: '/' }), request('/')),
        null,
        IAvatar,
      );

      expect(avatar).toEqual(new Avatar('Mufasa'));
      await expect(refused).rejects.toThrow(UnauthorizedLogin);
    });

    it('provides the digest and hashed-password interfaces', async () => {
      const credentials = new DigestedCredentials({
        username: 'u',
        realm: 'r',
        algorithm: 'MD5',
        nonce: 'n',
        method: 'GET',
        uri: '/',
        response: '0'.repeat(32),
      });

      expect(IUsernameDigestHash.providedBy(credentials)).toBe(true);
      expect(IUsernameHashedPassword.providedBy(credentials)).toBe(true);
      expect(JSON.stringify(credentials)).not.toContain('0000');
    });
  });

  describe('any input', () => {
    it('decodes to credentials or rejects with LoginFailed', async () => {
      const factory = new DigestCredentialFactory('MD5', 'r', {
        secret: SECRET,
        allowLegacyNoQop: true,
      });
      const valid = answer(factory, { password: 'p', uri: '/' });
      const paramName = fc.constantFrom(
        'username',
        'username*',
        'realm',
        'nonce',
        'uri',
        'response',
        'algorithm',
        'cnonce',
        'opaque',
        'qop',
        'nc',
        'userhash',
        'x',
      );
      const param = fc.tuple(paramName, fc.oneof(fc.string(), fc.string({ unit: 'binary' })));
      const mutated = fc
        .array(param, { maxLength: 12 })
        .map((params) =>
          params.map(([name, value]) => `${name}="${value.replace(/["\\]/g, '\\$&')}"`).join(', '),
        );
      const spliced = fc
        .tuple(fc.nat(valid.length), fc.string())
        .map(([at, text]) => valid.slice(0, at) + text + valid.slice(at + 1));

      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated, spliced),
          async (input) => {
            try {
              const credentials = await factory.decode(input, request('/'));
              expect(credentials).toBeInstanceOf(DigestedCredentials);
              credentials.checkPassword('p');
            } catch (error) {
              expect(error).toBeInstanceOf(LoginFailed);
            }
          },
        ),
        { numRuns: 400 },
      );
    });
  });
});

const IAvatar = defineInterface<Avatar>('IDigestTestAvatar');

@Implements(IAvatar)
class Avatar {
  constructor(readonly name: string) {}
}

const realm: IRealm = {
  requestAvatar: (avatarId) => [IAvatar, new Avatar(String(avatarId)), () => undefined],
};
