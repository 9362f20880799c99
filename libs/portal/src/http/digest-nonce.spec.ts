import fc from 'fast-check';

import { HmacDigestNonceSource, NonceCountTable } from './digest-nonce.js';

const context = { realm: 'r', algorithm: 'SHA-256' } as const;

describe('HmacDigestNonceSource', () => {
  function clockedSource(secret = 'a test secret of at least sixteen bytes') {
    let now = Date.UTC(2025, 0, 1);
    const source = new HmacDigestNonceSource({ secret, lifetimeSeconds: 300, now: () => now });
    return { source, advance: (seconds: number) => (now += seconds * 1000), now: () => now };
  }

  it('accepts its own nonce and opaque with their issue time', () => {
    const { source, now } = clockedSource();
    const { nonce, opaque } = source.issue(context);

    expect(source.check(nonce, opaque, context)).toEqual({ status: 'valid', issuedAt: now() });
  });

  it('issues distinct nonces across random pool refills', () => {
    const { source } = clockedSource();
    const nonces = new Set<string>();
    // 1,000 nonces of 12 random bytes draw the 4,096-byte pool about three times.
    for (let i = 0; i < 1000; i += 1) {
      nonces.add(source.issue(context).nonce);
    }
    expect(nonces.size).toBe(1000);
  });

  it('reports a nonce past its lifetime as stale', () => {
    const { source, advance } = clockedSource();
    const { nonce, opaque } = source.issue(context);

    advance(300);
    expect(source.check(nonce, opaque, context).status).toBe('valid');
    advance(1);
    expect(source.check(nonce, opaque, context).status).toBe('stale');
  });

  it('accepts nonces of another instance with the same secret', () => {
    const first = clockedSource('shared secret, shared by two instances');
    const second = clockedSource('shared secret, shared by two instances');
    const { nonce, opaque } = first.source.issue(context);

    expect(second.source.check(nonce, opaque, context).status).toBe('valid');
  });

  it.each([
    ['another secret', () => clockedSource('another secret of sufficient length').source, context],
    ['another realm', () => undefined, { ...context, realm: 'other' }],
    ['another algorithm', () => undefined, { ...context, algorithm: 'MD5' as const }],
  ])('refuses a nonce checked with %s', (_case, makeSource, checkContext) => {
    const { source } = clockedSource();
    const { nonce, opaque } = source.issue(context);

    expect((makeSource() ?? source).check(nonce, opaque, checkContext).status).toBe('invalid');
  });

  it('refuses a tampered nonce or opaque', () => {
    const { source } = clockedSource();
    const { nonce, opaque } = source.issue(context);
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);

    expect(source.check(flip(nonce, 3), opaque, context).status).toBe('invalid');
    expect(source.check(flip(nonce, 40), opaque, context).status).toBe('invalid');
    expect(source.check(nonce, flip(opaque, 0), context).status).toBe('invalid');
    expect(source.check(nonce, '', context).status).toBe('invalid');
  });

  it('refuses a nonce issued more than a minute in the future', () => {
    let now = Date.UTC(2025, 0, 1);
    const ahead = new HmacDigestNonceSource({
      secret: 'shared secret, shared by two instances',
      now: () => now + 61_000,
    });
    const here = new HmacDigestNonceSource({
      secret: 'shared secret, shared by two instances',
      now: () => now,
    });
    const { nonce, opaque } = ahead.issue(context);

    expect(here.check(nonce, opaque, context).status).toBe('invalid');
    now += 2000;
    expect(here.check(nonce, opaque, context).status).toBe('valid');
  });

  it('returns invalid, never throws, for any strings', () => {
    const { source } = clockedSource();
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: 'binary' }), (nonce, opaque) => {
        expect(source.check(nonce, opaque, context).status).toBe('invalid');
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a short secret', { secret: 'too short' }],
    ['a zero lifetime', { lifetimeSeconds: 0 }],
    ['a lifetime that is not a number', { lifetimeSeconds: Number.NaN }],
  ])('refuses %s', (_case, options) => {
    expect(() => new HmacDigestNonceSource(options)).toThrow(TypeError);
  });
});

describe('NonceCountTable', () => {
  it('refuses a count used before and accepts gaps', () => {
    const table = new NonceCountTable();

    expect(table.record('n', 1, 1)).toBe(true);
    expect(table.record('n', 1, 1)).toBe(false);
    expect(table.record('n', 1, 7)).toBe(true);
    expect(table.record('n', 1, 2)).toBe(true);
    expect(table.record('n', 1, 2)).toBe(false);
    expect(table.record('other', 1, 1)).toBe(true);
  });

  it('stays at maxNonces entries when flooded', () => {
    const table = new NonceCountTable({ maxNonces: 100, window: 8 });

    for (let index = 0; index < 10_000; index++) {
      table.record(`nonce-${index}`, index, 1);
      expect(table.size).toBeLessThanOrEqual(100);
    }

    expect(table.size).toBe(100);
  });

  it('refuses a forgotten nonce and older ones it never saw', () => {
    const table = new NonceCountTable({ maxNonces: 2 });
    table.record('a', 10, 1);
    table.record('b', 20, 1);
    table.record('c', 30, 1);

    expect(table.size).toBe(2);
    expect(table.record('a', 10, 2)).toBe(false);
    expect(table.record('never-seen', 5, 1)).toBe(false);
    expect(table.record('b', 20, 2)).toBe(true);
    expect(table.record('newer', 31, 1)).toBe(true);
  });

  it('keeps at most window counts per nonce', () => {
    const table = new NonceCountTable({ window: 4 });

    for (let count = 1; count <= 1000; count++) {
      expect(table.record('n', 1, count)).toBe(true);
    }

    expect(table.record('n', 1, 996)).toBe(false);
    expect(table.record('n', 1, 997)).toBe(false);
    expect(table.record('n', 1, 1001)).toBe(true);
  });

  it('forgets nonces issued before a time', () => {
    const table = new NonceCountTable();
    table.record('old', 10, 1);
    table.record('new', 20, 1);

    table.forgetIssuedBefore(15);

    expect(table.size).toBe(1);
    expect(table.record('new', 20, 1)).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses maxNonces %p', (maxNonces) => {
    expect(() => new NonceCountTable({ maxNonces })).toThrow(TypeError);
  });
});
