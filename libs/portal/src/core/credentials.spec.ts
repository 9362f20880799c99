import { inspect } from 'node:util';

import {
  Anonymous,
  IAnonymous,
  ICredentials,
  IUsernameDigestHash,
  IUsernameHashedPassword,
  IUsernamePassword,
  UsernameHashedPassword,
  UsernamePassword,
} from './credentials.js';
import { secretsEqual } from './secrets.js';

describe('credential interfaces', () => {
  it.each([IAnonymous, IUsernamePassword, IUsernameHashedPassword, IUsernameDigestHash])(
    '%s extends ICredentials',
    (token) => {
      expect(token.isOrExtends(ICredentials)).toBe(true);
    },
  );
});

describe('Anonymous', () => {
  it('provides IAnonymous and ICredentials only', () => {
    const anonymous = new Anonymous();
    expect(IAnonymous.providedBy(anonymous)).toBe(true);
    expect(ICredentials.providedBy(anonymous)).toBe(true);
    expect(IUsernamePassword.providedBy(anonymous)).toBe(false);
  });
});

describe('UsernamePassword', () => {
  it('provides IUsernamePassword', () => {
    const credentials = new UsernamePassword('alice', 'wonderland');
    expect(IUsernamePassword.providedBy(credentials)).toBe(true);
    expect(IUsernameHashedPassword.providedBy(credentials)).toBe(false);
  });

  it('accepts the right password', () => {
    expect(new UsernamePassword('alice', 'wonderland').checkPassword('wonderland')).toBe(true);
  });

  it.each(['wonderlan', 'wonderland!', 'Wonderland', '', 'x'.repeat(10_000)])(
    'rejects %j',
    (candidate) => {
      expect(new UsernamePassword('alice', 'wonderland').checkPassword(candidate)).toBe(false);
    },
  );

  it('compares strings as UTF-8 bytes', () => {
    const credentials = new UsernamePassword('test', '123£');
    expect(credentials.checkPassword(Buffer.from('313233c2a3', 'hex'))).toBe(true);
    expect(credentials.checkPassword(Buffer.from('313233a3', 'hex'))).toBe(false);
  });

  it('compares a Buffer password byte for byte', () => {
    const credentials = new UsernamePassword('bob', Buffer.from([0xff, 0x00, 0x41]));
    expect(credentials.checkPassword(Buffer.from([0xff, 0x00, 0x41]))).toBe(true);
    expect(credentials.checkPassword('\u00ff\u0000A')).toBe(false);
  });

  it('keeps the password out of JSON and inspect output', () => {
    const credentials = new UsernamePassword('alice', 'wonderland');
    expect(JSON.stringify(credentials)).not.toContain('wonderland');
    expect(inspect(credentials)).not.toContain('wonderland');
    expect(inspect(credentials)).toContain('alice');
  });
});

describe('UsernameHashedPassword', () => {
  it('provides IUsernameHashedPassword', () => {
    expect(IUsernameHashedPassword.providedBy(new UsernameHashedPassword('a', 'b'))).toBe(true);
  });

  it('compares the hashed value with the plain password', () => {
    const credentials = new UsernameHashedPassword('alice', 'wonderland');
    expect(credentials.checkPassword('wonderland')).toBe(true);
    expect(credentials.checkPassword('other')).toBe(false);
  });

  it('keeps the hashed value out of JSON', () => {
    expect(JSON.stringify(new UsernameHashedPassword('alice', 'secret-hash'))).not.toContain(
      'secret-hash',
    );
  });
});

describe('secretsEqual', () => {
  it('is true for equal strings and bytes', () => {
    expect(secretsEqual('abc', 'abc')).toBe(true);
    expect(secretsEqual('abc', Buffer.from('abc'))).toBe(true);
    expect(secretsEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
  });

  it('is false for different lengths', () => {
    expect(secretsEqual('abc', 'abcd')).toBe(false);
    expect(secretsEqual('', 'a')).toBe(false);
  });

  it('is true for two empty secrets', () => {
    expect(secretsEqual('', Buffer.alloc(0))).toBe(true);
  });

  it.each([undefined, null, 42, {}, ['a']])('is false for the non-secret %p', (value) => {
    expect(secretsEqual(value, 'a')).toBe(false);
    expect(secretsEqual('a', value)).toBe(false);
  });

  it('respects the byte range of a Buffer view', () => {
    const whole = Buffer.from('xxabcxx');
    expect(secretsEqual(whole.subarray(2, 5), 'abc')).toBe(true);
  });
});
