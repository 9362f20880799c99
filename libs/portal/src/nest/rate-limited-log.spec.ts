import { RateLimitedLog } from './rate-limited-log.js';

describe('RateLimitedLog', () => {
  test('logs up to the limit per window', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog({ error: (line) => lines.push(line) }, 2, 1000, () => now);

    log.error('one');
    log.error('two');
    log.error('three');
    log.error('four');
    expect(lines).toEqual(['one', 'two']);

    now = 1000;
    log.error('five');
    expect(lines).toEqual([
      'one',
      'two',
      '2 more messages were not logged in an earlier 1 s window (limit 2 per window).',
      'five',
    ]);
  });

  test('reports nothing when nothing was dropped', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog({ error: (line) => lines.push(line) }, 2, 1000, () => now);

    log.error('one');
    now = 5000;
    log.error('two');
    expect(lines).toEqual(['one', 'two']);
  });

  test('counts warnings and errors against one limit', () => {
    const lines: string[] = [];
    let now = 0;
    const log = new RateLimitedLog(
      {
        error: (line) => lines.push(`error: ${line}`),
        warn: (line) => lines.push(`warn: ${line}`),
      },
      2,
      1000,
      () => now,
    );

    log.warn('one');
    log.error('two');
    log.warn('three');
    now = 1000;
    log.warn('four');

    expect(lines).toEqual([
      'warn: one',
      'error: two',
      'error: 1 more message was not logged in an earlier 1 s window (limit 2 per window).',
      'warn: four',
    ]);
  });

  test('writes warnings as errors to a logger without warn', () => {
    const lines: string[] = [];
    const log = new RateLimitedLog({ error: (line) => lines.push(line) });

    log.warn('careful');

    expect(lines).toEqual(['careful']);
  });
});
