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
      '2 more errors were not logged in an earlier 1 s window (limit 2 per window).',
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
});
