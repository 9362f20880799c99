import { VerificationCache } from './verification-cache.js';

describe('VerificationCache', () => {
  function cacheAt(start = 1_000) {
    const clock = { now: start };
    const cache = new VerificationCache({ ttlMs: 100, maxEntries: 3, now: () => clock.now });
    return { cache, clock };
  }

  it('remembers a verification for the same checker, user and password', () => {
    const { cache } = cacheAt();
    cache.remember('htpasswd', 'alice', 'wonderland');
    expect(cache.has('htpasswd', 'alice', 'wonderland')).toBe(true);
  });

  it.each([
    ['another password', 'htpasswd', 'alice', 'wonderlanD'],
    ['another user', 'htpasswd', 'bob', 'wonderland'],
    ['another checker', 'other', 'alice', 'wonderland'],
  ])('misses for %s', (_case, checkerId, username, password) => {
    const { cache } = cacheAt();
    cache.remember('htpasswd', 'alice', 'wonderland');
    expect(cache.has(checkerId, username, password)).toBe(false);
  });

  it('does not confuse fields that concatenate alike', () => {
    const { cache } = cacheAt();
    cache.remember('c', 'ab', 'c');
    expect(cache.has('c', 'a', 'bc')).toBe(false);
  });

  it('forgets an entry once its TTL has passed', () => {
    const { cache, clock } = cacheAt();
    cache.remember('c', 'alice', 'pw');
    clock.now += 99;
    expect(cache.has('c', 'alice', 'pw')).toBe(true);
    clock.now += 1;
    expect(cache.has('c', 'alice', 'pw')).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const { cache } = cacheAt();
    for (const user of ['a', 'b', 'c', 'd']) {
      cache.remember('c', user, 'pw');
    }
    expect(cache.size).toBe(3);
    expect(cache.has('c', 'a', 'pw')).toBe(false);
    expect(cache.has('c', 'd', 'pw')).toBe(true);
  });

  it('forgets every entry of one user', () => {
    const { cache } = cacheAt();
    cache.remember('c1', 'alice', 'one');
    cache.remember('c2', 'alice', 'two');
    cache.remember('c1', 'bob', 'three');
    cache.forgetUser('alice');
    expect(cache.has('c1', 'alice', 'one')).toBe(false);
    expect(cache.has('c2', 'alice', 'two')).toBe(false);
    expect(cache.has('c1', 'bob', 'three')).toBe(true);
  });

  it('stores no password in its keys', () => {
    const { cache } = cacheAt();
    cache.remember('c', 'alice', 'wonderland');
    const internals = JSON.stringify([
      ...(cache as unknown as { entries: Map<string, unknown> }).entries,
    ]);
    expect(internals).not.toContain('wonderland');
  });

  it.each([
    [{ ttlMs: 0 }, /ttlMs must be a positive number/],
    [{ maxEntries: 0 }, /maxEntries must be a whole number/],
  ])('rejects options %p', (options, message) => {
    expect(() => new VerificationCache(options)).toThrow(message);
  });
});
