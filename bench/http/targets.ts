/** The speed targets of the HTTP benchmark and their evaluation from one run. */
import { type AdapterResult, BARE_ROUTE, median, perRoundRatios } from './http-bench.js';
import type { AdapterName } from './routes.js';

export interface TargetDefinition {
  readonly adapter: AdapterName;
  readonly description: string;
  /** The route whose requests per second are compared. */
  readonly route: string;
  /** The route it is compared with: the bare route or a passport route, in the same round. */
  readonly baseline: string;
  /** The median per-round ratio must be at least this (or above it, when `strict`). */
  readonly threshold: number;
  readonly strict: boolean;
  /** The route to profile when the target is missed. */
  readonly profileRoute: string;
}

export interface TargetResult extends TargetDefinition {
  /** Median of the per-round ratios, or null when either route was not run or is invalid. */
  readonly value: number | null;
  readonly min: number | null;
  readonly max: number | null;
  /** null when not measured. */
  readonly met: boolean | null;
}

export const TARGETS: readonly TargetDefinition[] = [
  {
    adapter: 'fastify',
    description: 'PortalGuard Basic (in-memory) against the bare route',
    route: 'portal-basic',
    baseline: BARE_ROUTE,
    threshold: 0.85,
    strict: false,
    profileRoute: 'portal-basic',
  },
  {
    adapter: 'fastify',
    description: 'PortalGuard Basic against @nestjs/passport Basic',
    route: 'portal-basic',
    baseline: 'passport-basic',
    threshold: 1.3,
    strict: false,
    profileRoute: 'portal-basic',
  },
  {
    adapter: 'fastify',
    description: 'PortalGuard Digest SHA-256 with nonce checking against the bare route',
    route: 'portal-digest',
    baseline: BARE_ROUTE,
    threshold: 0.75,
    strict: false,
    profileRoute: 'portal-digest',
  },
  {
    adapter: 'fastify',
    description: 'PortalGuard 401 with challenges (Basic, wrong password) against the bare route',
    route: 'portal-basic-wrong',
    baseline: BARE_ROUTE,
    threshold: 0.6,
    strict: false,
    profileRoute: 'portal-basic-wrong',
  },
  {
    adapter: 'express',
    description: 'PortalGuard Basic faster than @nestjs/passport Basic',
    route: 'portal-basic',
    baseline: 'passport-basic',
    threshold: 1,
    strict: true,
    profileRoute: 'portal-basic',
  },
  {
    adapter: 'express',
    description: 'PortalGuard Digest SHA-256 faster than @nestjs/passport Digest MD5',
    route: 'portal-digest',
    baseline: 'passport-digest',
    threshold: 1,
    strict: true,
    profileRoute: 'portal-digest',
  },
  {
    adapter: 'express',
    description: 'PortalGuard 401 (Basic, wrong password) faster than @nestjs/passport 401',
    route: 'portal-basic-wrong',
    baseline: 'passport-basic-wrong',
    threshold: 1,
    strict: true,
    profileRoute: 'portal-basic-wrong',
  },
];

/** Evaluates every target whose adapter ran. */
export function evaluateTargets(results: readonly AdapterResult[]): TargetResult[] {
  const evaluated: TargetResult[] = [];
  for (const target of TARGETS) {
    const result = results.find((candidate) => candidate.adapter === target.adapter);
    if (!result) {
      continue;
    }
    const valid = (id: string) =>
      result.rows.some((row) => row.route.id === id && row.problems.length === 0);
    const ratios =
      valid(target.route) && valid(target.baseline)
        ? perRoundRatios(result.steps, target.route, target.baseline)
        : [];
    if (ratios.length === 0) {
      evaluated.push({ ...target, value: null, min: null, max: null, met: null });
      continue;
    }
    const value = median(ratios);
    evaluated.push({
      ...target,
      value,
      min: Math.min(...ratios),
      max: Math.max(...ratios),
      met: target.strict ? value > target.threshold : value >= target.threshold,
    });
  }
  return evaluated;
}
