import { LoginFailed } from '../core/errors.js';
import {
  decodeUtf8Strict,
  headerValueAsUtf8,
  readAuthorizationHeader,
  splitAuthorization,
} from './authorization-header.js';
import { BadCredentialsRequest } from './errors.js';

// What Node's parser makes of the UTF-8 bytes of a string: one character per byte.
function asNodeHeader(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

describe('headerValueAsUtf8', () => {
  test('leaves ASCII unchanged', () => {
    expect(headerValueAsUtf8('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toBe(
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    );
  });

  test('re-reads UTF-8 bytes that Node gave as Latin-1', () => {
    expect(asNodeHeader('zoë')).toBe('zoÃ«');
    expect(headerValueAsUtf8(asNodeHeader('Digest username="zoë"'))).toBe('Digest username="zoë"');
  });

  test('keeps the Latin-1 reading of invalid UTF-8', () => {
    // 0xEB alone is "ë" in ISO-8859-1 and no valid UTF-8 sequence.
    const latin1 = Buffer.from('zo\xeb', 'latin1').toString('latin1');
    expect(headerValueAsUtf8(latin1)).toBe('zoë');
    expect(headerValueAsUtf8(latin1)).not.toContain('\ufffd');
  });

  test('keeps a value already decoded beyond Latin-1', () => {
    expect(headerValueAsUtf8('Digest username="zoë €"')).toBe('Digest username="zoë €"');
  });
});

describe('decodeUtf8Strict', () => {
  test('decodes valid UTF-8', () => {
    expect(decodeUtf8Strict(Buffer.from('123£', 'utf8'))).toBe('123£');
  });

  test('returns undefined for a lone 0xA3', () => {
    expect(decodeUtf8Strict(Buffer.from([0x31, 0x32, 0x33, 0xa3]))).toBeUndefined();
  });

  test('keeps a leading byte order mark', () => {
    expect(decodeUtf8Strict(Buffer.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\ufeffa');
  });
});

describe('readAuthorizationHeader', () => {
  const request = (authorization?: string | string[], rawHeaders?: string[]) => ({
    method: 'GET',
    url: '/',
    headers: { authorization },
    rawHeaders,
  });

  test('returns undefined without the header', () => {
    expect(readAuthorizationHeader(request())).toBeUndefined();
  });

  test('returns the single value', () => {
    expect(readAuthorizationHeader(request('Basic Og=='))).toBe('Basic Og==');
    expect(readAuthorizationHeader(request(['Basic Og==']))).toBe('Basic Og==');
    expect(
      readAuthorizationHeader(request('Basic Og==', ['Host', 'x', 'Authorization', 'Basic Og=='])),
    ).toBe('Basic Og==');
  });

  test('rejects two values with 400', () => {
    const read = () => readAuthorizationHeader(request(['Basic Og==', 'Basic eDp5']));

    expect(read).toThrow(BadCredentialsRequest);
    expect(read).toThrow('The request has more than one Authorization header.');
  });

  test.each([
    ['the same case', ['Authorization', 'Basic Og==', 'Authorization', 'Basic eDp5']],
    ['mixed case', ['authorization', 'Basic Og==', 'Host', 'x', 'AUTHORIZATION', 'Bearer t']],
    ['an empty second line', ['Authorization', 'Basic Og==', 'Authorization', '']],
  ])('rejects two raw lines in %s', (_name, rawHeaders) => {
    const read = () => readAuthorizationHeader(request('Basic Og==', rawHeaders));

    expect(read).toThrow(BadCredentialsRequest);
  });

  test('ignores a value that only looks like the name', () => {
    const rawHeaders = ['Authorization', 'Basic Og==', 'X-Note', 'Authorization'];
    expect(readAuthorizationHeader(request('Basic Og==', rawHeaders))).toBe('Basic Og==');
  });
});

describe('splitAuthorization', () => {
  test.each([
    ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Basic', 'QWxhZGRpbjpvcGVuIHNlc2FtZQ=='],
    ['basic QWxh', 'basic', 'QWxh'],
    ['BEARER mF_9.B5f-4.1JqM', 'BEARER', 'mF_9.B5f-4.1JqM'],
    ['Basic  ZHJlaWQ6UzNDdVIxVHk=', 'Basic', 'ZHJlaWQ6UzNDdVIxVHk='],
    ['Basic', 'Basic', ''],
    ['invalid', 'invalid', ''],
    ['fooBearer bar', 'fooBearer', 'bar'],
    ['foo Bearer bar', 'foo', 'Bearer bar'],
    ['Digest a="1, 2", b=c', 'Digest', 'a="1, 2", b=c'],
  ])('splits %j', (value, scheme, credentials) => {
    expect(splitAuthorization(value)).toEqual({ scheme, credentials });
  });

  test.each(['', ' Basic x', 'Basic\tx', '"Basic" x', 'Bas/ic x', 'Básic x'])(
    'rejects %j',
    (value) => {
      expect(() => splitAuthorization(value)).toThrow(LoginFailed);
      expect(() => splitAuthorization(value)).toThrow(/authentication scheme/);
    },
  );
});
