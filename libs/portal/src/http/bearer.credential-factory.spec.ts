import fc from 'fast-check';

import { LoginDenied, LoginFailed, UnauthorizedLogin } from '../core/errors.js';
import { BearerToken, IToken } from '../core/token-credentials.js';
import { BearerCredentialFactory } from './bearer.credential-factory.js';
import type { HttpRequestLike } from './credential-factory.js';
import { BadCredentialsRequest, MalformedCredentials } from './errors.js';

function request(authorization?: string): HttpRequestLike {
  return { method: 'GET', url: '/', headers: authorization === undefined ? {} : { authorization } };
}

describe('BearerCredentialFactory', () => {
  const factory = new BearerCredentialFactory('example');

  describe('decode', () => {
    it('returns the RFC 6750 example token', () => {
      const credentials = factory.decode('mF_9.B5f-4.1JqM', request('Bearer mF_9.B5f-4.1JqM'));

      expect(credentials).toBeInstanceOf(BearerToken);
      expect(IToken.providedBy(credentials)).toBe(true);
      expect(credentials.token).toBe('mF_9.B5f-4.1JqM');
    });

    it('returns credentials that provide its credentialInterfaces', () => {
      const credentials = factory.decode('abc', request('Bearer abc'));

      expect(factory.credentialInterfaces).toEqual([IToken]);
      expect(factory.credentialInterfaces.every((token) => token.providedBy(credentials))).toBe(
        true,
      );
    });

    it.each([
      'abc==',
      'a+b/c~d',
      'eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
    ])('accepts b64token %s', (token) => {
      expect(factory.decode(token, request(`Bearer ${token}`)).token).toBe(token);
    });

    it('skips further spaces of 1*SP', () => {
      expect(factory.decode('  abc', request('Bearer   abc')).token).toBe('abc');
    });

    it('rejects an internal space with 400 invalid_request', () => {
      let error: unknown;
      try {
        factory.decode('abc def', request('Bearer abc def'));
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(BadCredentialsRequest);
      expect(error).toMatchObject({ status: 400 });
      expect(factory.getChallenge(request('Bearer abc def'), error)).toBe(
        'Bearer realm="example", error="invalid_request", ' +
          'error_description="The Authorization header is not a valid Bearer credential."',
      );
    });

    it.each(['\tabc', 'abc\t', 'a=b', '=abc', 'abc,def', 'abc "def"', 'é'])(
      'rejects %j with 400',
      (value) => {
        expect(() => factory.decode(value, request(`Bearer ${value}`))).toThrow(
          BadCredentialsRequest,
        );
      },
    );

    it('rejects a bare "Bearer" with 401 and a plain challenge', () => {
      let error: unknown;
      try {
        factory.decode('', request('Bearer'));
      } catch (thrown) {
        error = thrown;
      }

      expect(error).toBeInstanceOf(MalformedCredentials);
      expect(error).toBeInstanceOf(UnauthorizedLogin);
      expect(error).not.toHaveProperty('status');
      expect(factory.getChallenge(request('Bearer'), error)).toBe('Bearer realm="example"');
    });

    it('rejects a token longer than maxLength', () => {
      const short = new BearerCredentialFactory('example', { maxLength: 4 });

      expect(() => short.decode('abcde', request('Bearer abcde'))).toThrow(BadCredentialsRequest);
      expect(short.decode('abcd', request('Bearer abcd')).token).toBe('abcd');
    });

    it('returns a token or throws LoginFailed for any string', () => {
      const tokenish = fc.stringMatching(/^[ A-Za-z0-9\-._~+/=\t,"]{0,40}$/);
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), tokenish), (input) => {
          try {
            const credentials = factory.decode(input, request(`Bearer ${input}`));
            expect(credentials.token).toMatch(/^[A-Za-z0-9\-._~+/]+=*$/);
            expect(input.trimStart()).toBe(credentials.token);
          } catch (error) {
            expect(error).toBeInstanceOf(LoginFailed);
          }
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('getChallenge', () => {
    it('has no error code without credentials', () => {
      expect(factory.getChallenge(request())).toBe('Bearer realm="example"');
      expect(factory.getChallenge(request(), new UnauthorizedLogin())).toBe(
        'Bearer realm="example"',
      );
    });

    it('says invalid_token when a sent token was rejected', () => {
      const challenge = factory.getChallenge(
        request('Bearer mF_9.B5f-4.1JqM'),
        new UnauthorizedLogin(),
      );

      expect(challenge).toBe(
        'Bearer realm="example", error="invalid_token", ' +
          'error_description="The access token is invalid, expired or revoked."',
      );
    });

    it('says insufficient_scope when the realm denied the avatar', () => {
      expect(factory.getChallenge(request('bearer abc'), new LoginDenied())).toContain(
        'error="insufficient_scope"',
      );
    });

    it('has no error code when another scheme failed', () => {
      expect(
        factory.getChallenge(
          request('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='),
          new UnauthorizedLogin(),
        ),
      ).toBe('Bearer realm="example"');
    });

    it('names the scope and escapes the realm', () => {
      const scoped = new BearerCredentialFactory('my "api"', { scope: 'read write' });

      expect(scoped.getChallenge(request())).toBe(
        'Bearer realm="my \\"api\\"", scope="read write"',
      );
    });

    it.each([
      ['a realm with a newline', () => new BearerCredentialFactory('a\nb')],
      ['a scope with a quote', () => new BearerCredentialFactory('r', { scope: 'a"b' })],
    ])('refuses %s', (_case, create) => {
      expect(create).toThrow(TypeError);
    });
  });
});

describe('BearerToken', () => {
  it('keeps the token out of JSON and inspect', async () => {
    const { inspect } = await import('node:util');
    const token = new BearerToken('secret-token-value');

    expect(JSON.stringify(token)).not.toContain('secret-token-value');
    expect(inspect(token)).not.toContain('secret-token-value');
    expect(Object.keys(token)).toEqual([]);
    expect(token.token).toBe('secret-token-value');
  });
});
