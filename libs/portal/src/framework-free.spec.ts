import { readFileSync } from 'node:fs';

// 'nestjs-portal/core' must load without Nest installed. ESLint keeps Nest
// imports out of core/ and http/; this keeps the entry point inside them.
describe('framework-free entry point', () => {
  const source = readFileSync(new URL('./framework-free.ts', import.meta.url), 'utf8');
  const targets = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);

  it('exports something', () => {
    expect(targets.length).toBeGreaterThan(10);
  });

  it.each(targets)('re-exports %s from core/ or http/ only', (target) => {
    expect(target).toMatch(/^\.\/(core|http)\//);
  });

  it('is re-exported whole by the main entry point', () => {
    const index = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    expect(index).toContain("export * from './framework-free.js';");
  });
});
