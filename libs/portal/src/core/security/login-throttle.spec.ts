import { InMemoryThrottleStore, LoginThrottle } from './login-throttle.js';

describe('InMemoryThrottleStore', () => {
  it('counts within a window and starts again after it', () => {
    const clock = { now: 0 };
    const store = new InMemoryThrottleStore({ now: () => clock.now });
    expect(store.increment('k', 1000)).toEqual({ count: 1, resetAt: 1000 });
    expect(store.increment('k', 1000)).toEqual({ count: 2, resetAt: 1000 });
    clock.now = 1000;
    expect(store.get('k')).toBeUndefined();
    expect(store.increment('k', 1000)).toEqual({ count: 1, resetAt: 2000 });
  });

  it('keeps at most maxKeys keys', () => {
    const store = new InMemoryThrottleStore({ maxKeys: 100 });
    for (let i = 0; i < 10_000; i += 1) {
      store.increment(`address:10.0.${i >> 8}.${i & 255}`, 60_000);
    }
    expect(store.size).toBe(100);
    expect(store.get('address:10.0.0.0')).toBeUndefined();
    expect(store.get('address:10.0.39.15')?.count).toBe(1);
  });

  it('rejects maxKeys below 1', () => {
    expect(() => new InMemoryThrottleStore({ maxKeys: 0 })).toThrow(/maxKeys must be/);
  });
});

describe('LoginThrottle', () => {
  const limits = {
    perUsername: { limit: 3, windowMs: 60_000 },
    perAddress: { limit: 5, windowMs: 60_000 },
  };

  it('allows attempts up to the username limit', async () => {
    const throttle = new LoginThrottle(limits);
    const attempt = { username: 'alice', address: '192.0.2.1' };
    for (let i = 0; i < 3; i += 1) {
      expect(await throttle.check(attempt)).toEqual({ allowed: true });
      await throttle.recordFailure(attempt);
    }
    const decision = await throttle.check(attempt);
    expect(decision.allowed).toBe(false);
    expect(decision).toMatchObject({ scope: 'username' });
  });

  it('reports whole seconds until the window ends', async () => {
    const clock = { now: 10_000 };
    const throttle = new LoginThrottle({
      ...limits,
      store: new InMemoryThrottleStore({ now: () => clock.now }),
    });
    for (let i = 0; i < 3; i += 1) {
      await throttle.recordFailure({ username: 'alice' });
    }
    expect(await throttle.check({ username: 'alice' }, 10_000)).toMatchObject({
      retryAfterSeconds: 60,
    });
    expect(await throttle.check({ username: 'alice' }, 69_500)).toMatchObject({
      retryAfterSeconds: 1,
    });
  });

  it('limits an address across usernames', async () => {
    const throttle = new LoginThrottle(limits);
    for (let i = 0; i < 5; i += 1) {
      await throttle.recordFailure({ username: `user${i}`, address: '192.0.2.7' });
    }
    expect(await throttle.check({ username: 'fresh', address: '192.0.2.7' })).toMatchObject({
      allowed: false,
      scope: 'address',
    });
    expect(await throttle.check({ username: 'fresh', address: '192.0.2.8' })).toEqual({
      allowed: true,
    });
  });

  it('resets the username count on success but not the address count', async () => {
    const throttle = new LoginThrottle(limits);
    const attempt = { username: 'alice', address: '192.0.2.1' };
    for (let i = 0; i < 3; i += 1) {
      await throttle.recordFailure(attempt);
    }
    await throttle.recordSuccess(attempt);
    expect(await throttle.check(attempt)).toEqual({ allowed: true });
    await throttle.recordFailure(attempt);
    await throttle.recordFailure(attempt);
    expect(await throttle.check({ address: '192.0.2.1' })).toMatchObject({ scope: 'address' });
  });

  it('turns a limit off with false', async () => {
    const throttle = new LoginThrottle({ perUsername: false, perAddress: false });
    for (let i = 0; i < 1000; i += 1) {
      await throttle.recordFailure({ username: 'alice', address: '192.0.2.1' });
    }
    expect(await throttle.check({ username: 'alice', address: '192.0.2.1' })).toEqual({
      allowed: true,
    });
  });

  it('hashes very long usernames into short keys', async () => {
    const store = new InMemoryThrottleStore();
    const throttle = new LoginThrottle({ ...limits, store });
    const username = 'x'.repeat(100_000);
    await throttle.recordFailure({ username });
    await throttle.recordFailure({ username });
    await throttle.recordFailure({ username });
    expect(await throttle.check({ username })).toMatchObject({ allowed: false });
    const keys = [...(store as unknown as { counters: Map<string, unknown> }).counters.keys()];
    expect(keys.every((key) => key.length < 100)).toBe(true);
  });

  it.each([
    [{ perUsername: { limit: 0, windowMs: 1 } }, /perUsername.limit must be/],
    [{ perAddress: { limit: 1, windowMs: 0 } }, /perAddress.windowMs must be/],
  ])('rejects options %p', (options, message) => {
    expect(() => new LoginThrottle(options)).toThrow(message);
  });
});
