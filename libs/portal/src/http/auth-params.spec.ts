import fc from 'fast-check';

import { LoginFailed } from '../core/errors.js';
import { MAX_CREDENTIALS_LENGTH, parseAuthParams, parseToken68 } from './auth-params.js';
import { MalformedCredentials } from './errors.js';

describe('parseAuthParams', () => {
  it('parses tokens and quoted-strings alike', () => {
    const params = parseAuthParams('nc=00000001, qop="auth", algorithm=MD5');

    expect(params.get('nc')).toBe('00000001');
    expect(params.get('qop')).toBe('auth');
    expect(params.get('algorithm')).toBe('MD5');
  });

  it('lower-cases parameter names but not values', () => {
    const params = parseAuthParams('UserName="Mufasa", ReAlM=Zoo');

    expect([...params.keys()]).toEqual(['username', 'realm']);
    expect(params.get('username')).toBe('Mufasa');
    expect(params.get('realm')).toBe('Zoo');
  });

  it('keeps commas and spaces inside quoted-strings', () => {
    const params = parseAuthParams('uri="/private?x=1,2", realm="a b, c"');

    expect(params.get('uri')).toBe('/private?x=1,2');
    expect(params.get('realm')).toBe('a b, c');
  });

  it('unescapes quoted-pairs', () => {
    const params = parseAuthParams(String.raw`realm="say \"hi\" \\ bye", x="\a"`);

    expect(params.get('realm')).toBe('say "hi" \\ bye');
    expect(params.get('x')).toBe('a');
  });

  it('allows optional whitespace around "=" and ","', () => {
    const params = parseAuthParams(' a = 1 ,\tb\t=\t"2" , ');

    expect(params.get('a')).toBe('1');
    expect(params.get('b')).toBe('2');
  });

  it('skips empty list elements', () => {
    const params = parseAuthParams(',, a=1 ,, ,b=2,');

    expect(Object.fromEntries(params)).toEqual({ a: '1', b: '2' });
  });

  it('accepts an empty quoted-string and an empty list', () => {
    expect(parseAuthParams('username=""').get('username')).toBe('');
    expect(parseAuthParams('').size).toBe(0);
  });

  it('keeps obs-text and characters decoded by the caller', () => {
    expect(parseAuthParams('username="zo\u00c3\u00ab"').get('username')).toBe('zo\u00c3\u00ab');
    expect(parseAuthParams('username="\u4e2d"').get('username')).toBe('\u4e2d');
  });

  it.each([
    ['duplicate name in another case', 'a=1, A=2'],
    ['missing "="', 'a'],
    ['missing value', 'a='],
    ['missing comma between params', 'a=1 b=2'],
    ['unterminated quoted-string', 'a="abc'],
    ['dangling backslash', 'a="abc\\'],
    ['control character in quotes', 'a="a\u0001b"'],
    ['escaped control character', 'a="\\\u0000"'],
    ['token68 instead of params', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
    ['name starting with "="', '=a'],
    ['value that is not a token', 'a=b@c'],
    ['trailing junk after quoted value', 'a="b"c'],
  ])('rejects %s', (_case, input) => {
    expect(() => parseAuthParams(input)).toThrow(MalformedCredentials);
  });

  it('rejects input longer than the limit', () => {
    const long = `a="${'x'.repeat(MAX_CREDENTIALS_LENGTH)}"`;

    expect(() => parseAuthParams(long)).toThrow(MalformedCredentials);
    expect(() => parseAuthParams('a=12345', { maxLength: 6 })).toThrow(/longer than 6/);
  });

  it('does not echo values in error messages', () => {
    expect(() => parseAuthParams('response="secret-value')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('secret-value') }),
    );
  });

  it('returns a map or throws LoginFailed for any string', () => {
    const headerish = fc.string({
      unit: fc.constantFrom(
        'a',
        'z',
        '=',
        '"',
        ',',
        ' ',
        '\t',
        '\\',
        '\u0000',
        '\u001f',
        '\u0080',
        'ÿ',
      ),
      maxLength: 80,
    });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), headerish), (input) => {
        try {
          expect(parseAuthParams(input)).toBeInstanceOf(Map);
        } catch (error) {
          expect(error).toBeInstanceOf(LoginFailed);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips any generated parameter list', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    const value = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\\', '=', 'é', '\t') });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, value), { selector: ([n]) => n }), (pairs) => {
        const header = pairs.map(([n, v]) => `${n}="${v.replace(/["\\]/g, '\\$&')}"`).join(', ');
        expect(Object.fromEntries(parseAuthParams(header))).toEqual(Object.fromEntries(pairs));
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseToken68', () => {
  it.each(['mF_9.B5f-4.1JqM', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'a', 'a+/~'])(
    'accepts %s',
    (token) => {
      expect(parseToken68(token)).toBe(token);
    },
  );

  it.each(['', 'abc def', ' abc', 'abc ', 'a=b', '=abc', 'abc\t', 'a,b', 'ab"c'])(
    'rejects %j',
    (input) => {
      expect(() => parseToken68(input)).toThrow(MalformedCredentials);
    },
  );

  it('returns the token or throws LoginFailed for any string', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' })), (input) => {
        try {
          expect(parseToken68(input)).toBe(input);
        } catch (error) {
          expect(error).toBeInstanceOf(LoginFailed);
        }
      }),
      { numRuns: 300 },
    );
  });
});
