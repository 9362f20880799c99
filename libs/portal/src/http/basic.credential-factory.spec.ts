import fc from 'fast-check';

import { IUsernamePassword, UsernamePassword } from '../core/credentials.js';
import { LoginDenied, LoginFailed } from '../core/errors.js';
import { BasicCredentialFactory } from './basic.credential-factory.js';
import { MalformedCredentials } from './errors.js';

const request = { method: 'GET', url: '/', headers: {} };
const factory = new BasicCredentialFactory('example');

function decoded(token: string): { username: string; password: unknown } {
  const credentials = factory.decode(token);
  expect(credentials).toBeInstanceOf(UsernamePassword);
  return { username: credentials.username, password: credentials.password };
}

describe('BasicCredentialFactory.getChallenge', () => {
  test('names the realm and UTF-8', () => {
    expect(new BasicCredentialFactory('WallyWorld').getChallenge()).toBe(
      'Basic realm="WallyWorld", charset="UTF-8"',
    );
  });

  test('escapes quotes and backslashes in the realm', () => {
    expect(new BasicCredentialFactory('say "hi" \\ there').getChallenge()).toBe(
      'Basic realm="say \\"hi\\" \\\\ there", charset="UTF-8"',
    );
  });

  test.each(['line\r\nbreak', 'nul\0', 'Café', 'smile ☺'])('rejects realm %j', (realm) => {
    expect(() => new BasicCredentialFactory(realm)).toThrow(TypeError);
  });

  test('has the scheme Basic', () => {
    expect(factory.scheme).toBe('Basic');
  });
});

describe('BasicCredentialFactory.decode', () => {
  test.each([
    // RFC 7617 §2 example
    ['QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
    // RFC 7617 §2.1 charset example: 123£ as UTF-8
    ['dGVzdDoxMjPCow==', 'test', '123£'],
    // Split at the first colon only
    ['dXNlcjpwYTpzcw==', 'user', 'pa:ss'],
    ['YWRtaW46TE48PTouOW9GYEgsVClnPUFMeS9Cb3dNM3x6OzBd', 'admin', 'LN<=:.9oF`H,T)g=ALy/BowM3|z;0]'],
    // Empty parts are valid syntax
    ['Og==', '', ''],
    ['dXNlcmlkOg==', 'userid', ''],
    // Spaces inside the parts
    ['Zm9vIGJhcjpiYXIgYmF6', 'foo bar', 'bar baz'],
    // UTF-8
    ['dXNlcm5hbWU6YWJjwqdhYmM=', 'username', 'abc§abc'],
    ['dXNlcjpww6Rzc3fDtnJk', 'user', 'pässwörd'],
    // Unpadded base64 is accepted
    ['ZHJlaWQ6UzNDdVIxVHk', 'dreid', 'S3CuR1Ty'],
    ['QWxhZGRpbjpvcGVuIHNlc2FtZQ', 'Aladdin', 'open sesame'],
  ])('decodes %s', (token, username, password) => {
    expect(decoded(token)).toEqual({ username, password });
  });

  test('returns IUsernamePassword credentials', () => {
    const credentials = factory.decode('QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    expect(IUsernamePassword.providedBy(credentials)).toBe(true);
    expect(credentials.checkPassword('open sesame')).toBe(true);
  });

  test.each([
    ['', /token68/],
    // No colon
    ['dXNlcg==', /no colon/],
    ['MTIzYWJjKy8=', /no colon/],
    // Not base64 at all
    ['x', /length or padding/],
    ['username:password', /token68/],
    ['QWxh ZGRp!!bjpvcGVuIHNlc2FtZQ==', /token68/],
    [' ZHJlaWQ6UzNDdVIxVHk=', /token68/],
    ['a-b_c~d.', /not base64/],
    // Wrong padding
    ['QQ=', /length or padding/],
    ['QUJD=', /length or padding/],
    ['QUJD==', /length or padding/],
    ['QQ===', /not base64/],
    // Non-zero unused bits: "QR==" would decode like "QQ=="
    ['QR==', /not canonical/],
    // Latin-1 instead of UTF-8
    ['dXNlcm5hbWU6YWJjp2FiYw==', /password is not valid UTF-8/],
    ['dGVzdDoxMjOj', /password is not valid UTF-8/],
    ['dXNlcjpw5HNzd/ZyZA==', /password is not valid UTF-8/],
    // Control characters (RFC 7617 §2, B18)
    ['dXNlcgA6cGFzcw==', /user-id contains a control character/],
    ['dXNlcjpwYQpzcw==', /password contains a control character/],
  ])('rejects %j', (token, message) => {
    expect(() => factory.decode(token)).toThrow(MalformedCredentials);
    expect(() => factory.decode(token)).toThrow(message);
  });

  test.each([
    ['DEL in the password', 'user', 'pa\u007fss', 'password'],
    ['C1 NEL in the user-id', 'us\u0085er', 'pass', 'user-id'],
    ['C1 CSI in the password', 'user', 'pa\u009b31mss', 'password'],
    ['U+2028 in the user-id', 'us\u2028er', 'pass', 'user-id'],
    ['U+2029 in the password', 'user', 'pa\u2029ss', 'password'],
  ])('rejects %s', (_name, username, password, part) => {
    const token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');

    expect(() => factory.decode(token)).toThrow(MalformedCredentials);
    expect(() => factory.decode(token)).toThrow(`The Basic ${part} contains a control character.`);
  });

  test('rejects a C1 byte read as Latin-1', () => {
    const lenient = new BasicCredentialFactory('example', { latin1Fallback: true });
    // 0x85 alone is no valid UTF-8, so it is read as Latin-1: U+0085, a C1 control.
    const token = Buffer.from([...Buffer.from('user:pa'), 0x85, ...Buffer.from('ss')]).toString(
      'base64',
    );

    expect(() => lenient.decode(token)).toThrow('The Basic password contains a control character.');
  });

  test('never returns U+FFFD for Latin-1 input', () => {
    expect(() => factory.decode('dGVzdDoxMjOj')).toThrow(LoginFailed);
  });

  test('reads Latin-1 with latin1Fallback', () => {
    const lenient = new BasicCredentialFactory('example', { latin1Fallback: true });
    expect(lenient.decode('dGVzdDoxMjOj')).toMatchObject({ username: 'test', password: '123£' });
    expect(lenient.decode('dXNlcm5hbWU6YWJjp2FiYw==')).toMatchObject({ password: 'abc§abc' });
    // Valid UTF-8 is still read as UTF-8.
    expect(lenient.decode('dGVzdDoxMjPCow==')).toMatchObject({ password: '123£' });
  });

  test('rejects values over maxLength', () => {
    const short = new BasicCredentialFactory('example', { maxLength: 8 });
    expect(() => short.decode('QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toThrow(MalformedCredentials);
    expect(short.decode('YTpi')).toMatchObject({ username: 'a', password: 'b' });
  });

  test('keeps the password out of JSON', () => {
    expect(JSON.stringify(factory.decode('QWxhZGRpbjpvcGVuIHNlc2FtZQ=='))).toBe(
      '{"username":"Aladdin"}',
    );
  });
});

describe('BasicCredentialFactory properties', () => {
  test('decode returns credentials or throws LoginFailed', () => {
    const inputs = fc.oneof(
      fc.string({ maxLength: 64 }),
      fc.string({ unit: 'binary', maxLength: 64 }),
      fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('base64')),
      fc
        .uint8Array({ maxLength: 48 })
        .map((bytes) => Buffer.from(bytes).toString('base64').replace(/=+$/, '')),
      fc.stringMatching(/^[A-Za-z0-9+/=_~.-]{0,40}$/),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        try {
          const credentials = factory.decode(input);
          return credentials instanceof UsernamePassword && !credentials.username.includes(':');
        } catch (error) {
          return error instanceof LoginFailed;
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('round-trips valid user-ids and passwords', () => {
    const text = fc
      .string({ unit: 'grapheme', maxLength: 20 })
      // The factory rejects every control character and U+2028/U+2029.
      .filter((value) => !/[\p{Cc}\u2028\u2029]/u.test(value));
    fc.assert(
      fc.property(
        text.filter((value) => !value.includes(':')),
        text,
        fc.boolean(),
        (username, password, stripPadding) => {
          let token = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
          if (stripPadding) {
            token = token.replace(/=+$/, '');
          }
          if (token === '') {
            return true;
          }
          const credentials = factory.decode(token);
          return credentials.username === username && credentials.password === password;
        },
      ),
      { numRuns: 500 },
    );
  });
});

test('getChallenge ignores the request and a failed login', () => {
  expect(factory.getChallenge()).toBe('Basic realm="example", charset="UTF-8"');
  expect(factory.getChallenge(request, new LoginFailed())).toBe(
    'Basic realm="example", charset="UTF-8"',
  );
});

test('decode returns credentials that provide its credentialInterfaces', () => {
  const credentials = factory.decode('QWxhZGRpbjpvcGVuIHNlc2FtZQ==');

  expect(factory.credentialInterfaces).toEqual([IUsernamePassword]);
  expect(factory.credentialInterfaces.every((token) => token.providedBy(credentials))).toBe(true);
});

test('getChallenge is undefined for a denied user', () => {
  expect(factory.getChallenge(request, new LoginDenied())).toBeUndefined();
});
