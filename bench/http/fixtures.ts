/**
 * The users, keys and files of one benchmark run, and the routes built on
 * them. Made by the main process; the server reads the `ServerConfig` part.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { hashPassword } from 'nestjs-portal';

import type { AdapterName, RouteSpec, ServerConfig } from './routes.js';

/** bcrypt cost of the htpasswd file: the library's minimum before it reports a weak hash. */
export const BENCH_BCRYPT_COST = 10;

const MEMORY_USER = { username: 'alice', password: 'wonderland' };
const FILE_USER = { username: 'bob', password: 'builder-of-things' };
const WRONG_PASSWORD = 'not-the-password';

/** The challenges of a PortalGuard 401: one per credential factory (Basic, Digest, Bearer). */
export const PORTAL_CHALLENGES = 3;

export interface BenchFixtures {
  readonly directory: string;
  /** Writes the server configuration for `adapter` and returns its path. */
  serverConfigPath(adapter: AdapterName, avatarContext: boolean): Promise<string>;
  readonly routes: readonly RouteSpec[];
  remove(): Promise<void>;
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// A compact JWS (RFC 7515 §7.1) with HS256, which is all the bench needs.
function signJwt(claims: Record<string, unknown>, key: Buffer): string {
  const signingInput = `${base64urlJson({ alg: 'HS256', typ: 'JWT' })}.${base64urlJson(claims)}`;
  const signature = createHmac('sha256', key).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Writes the htpasswd file and makes the keys; call `remove()` when done. */
export async function createFixtures(): Promise<BenchFixtures> {
  const directory = await mkdtemp(join(tmpdir(), 'nestjs-portal-bench-'));
  const htpasswdPath = join(directory, 'users.htpasswd');
  const hash = await hashPassword(FILE_USER.password, { bcryptCost: BENCH_BCRYPT_COST });
  await writeFile(htpasswdPath, `${FILE_USER.username}:${hash}\n`, { mode: 0o600 });

  const jwtKey = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);
  // Valid for a day, far longer than any run.
  const claims = { sub: MEMORY_USER.username, iat: now, exp: now + 86_400 };
  const validToken = signJwt(claims, jwtKey);
  const forgedToken = signJwt(claims, randomBytes(32));

  const config = (adapter: AdapterName, avatarContext: boolean): ServerConfig => ({
    adapter,
    avatarContext,
    memoryUsers: { [MEMORY_USER.username]: MEMORY_USER.password },
    htpasswdPath,
    fileUsernames: [FILE_USER.username],
    jwtKey: jwtKey.toString('base64url'),
    digestSecret: randomBytes(32).toString('base64url'),
  });

  return {
    directory,
    routes: benchRoutes(validToken, forgedToken),
    async serverConfigPath(adapter, avatarContext) {
      const path = join(directory, `server-${adapter}.json`);
      await writeFile(path, JSON.stringify(config(adapter, avatarContext)), { mode: 0o600 });
      return path;
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

function benchRoutes(validToken: string, forgedToken: string): RouteSpec[] {
  const alice = MEMORY_USER.username;
  const bob = FILE_USER.username;
  const digest = (
    algorithm: 'SHA-256' | 'MD5',
    password: string,
    nonce: 'challenge' | 'client',
  ) => ({ kind: 'digest' as const, algorithm, username: alice, password, nonce });
  const portalFailure = { expectedStatus: 401 as const, expectedChallenges: PORTAL_CHALLENGES };
  // @nestjs/passport's AuthGuard throws a plain UnauthorizedException and drops the challenge.
  const passportFailure = { expectedStatus: 401 as const, expectedChallenges: 0 };

  return [
    {
      id: 'bare',
      guard: 'none',
      description: 'no guard',
      outcome: 'success',
      path: '/bare',
      authorization: { kind: 'none' },
      expectedStatus: 200,
      expectedName: 'nobody',
    },
    {
      id: 'portal-basic',
      guard: 'PortalGuard',
      description: 'Basic, in-memory checker',
      outcome: 'success',
      path: '/portal/basic',
      authorization: { kind: 'static', value: basic(alice, MEMORY_USER.password) },
      expectedStatus: 200,
      expectedName: alice,
    },
    {
      id: 'portal-basic-bcrypt',
      guard: 'PortalGuard',
      description: `Basic, htpasswd file, bcrypt cost ${BENCH_BCRYPT_COST}`,
      outcome: 'success',
      path: '/portal/htpasswd',
      authorization: { kind: 'static', value: basic(bob, FILE_USER.password) },
      expectedStatus: 200,
      expectedName: bob,
    },
    {
      id: 'portal-digest',
      guard: 'PortalGuard',
      description: 'Digest SHA-256, nonce from a challenge, nc counted up',
      outcome: 'success',
      path: '/portal/digest',
      authorization: digest('SHA-256', MEMORY_USER.password, 'challenge'),
      expectedStatus: 200,
      expectedName: alice,
    },
    {
      id: 'portal-bearer',
      guard: 'PortalGuard',
      description: 'Bearer, JWT HS256 (JwtBearerChecker)',
      outcome: 'success',
      path: '/portal/bearer',
      authorization: { kind: 'static', value: `Bearer ${validToken}` },
      expectedStatus: 200,
      expectedName: alice,
    },
    {
      id: 'portal-anonymous',
      guard: 'PortalGuard',
      description: 'anonymous (AllowAnonymousAccess)',
      outcome: 'success',
      path: '/portal/anonymous',
      authorization: { kind: 'none' },
      expectedStatus: 200,
      expectedName: 'anonymous',
    },
    {
      id: 'passport-basic',
      guard: '@nestjs/passport',
      description: 'Basic (passport-http), same users',
      outcome: 'success',
      path: '/passport/basic',
      authorization: { kind: 'static', value: basic(alice, MEMORY_USER.password) },
      expectedStatus: 200,
      expectedName: alice,
    },
    {
      id: 'passport-basic-bcrypt',
      guard: '@nestjs/passport',
      description: `Basic (passport-http), same htpasswd hash, bcrypt cost ${BENCH_BCRYPT_COST}`,
      outcome: 'success',
      path: '/passport/htpasswd',
      authorization: { kind: 'static', value: basic(bob, FILE_USER.password) },
      expectedStatus: 200,
      expectedName: bob,
    },
    {
      id: 'passport-digest',
      guard: '@nestjs/passport',
      description: 'Digest MD5 (passport-http), no nonce check',
      outcome: 'success',
      path: '/passport/digest',
      authorization: digest('MD5', MEMORY_USER.password, 'client'),
      expectedStatus: 200,
      expectedName: alice,
    },
    {
      id: 'portal-basic-wrong',
      guard: 'PortalGuard',
      description: 'Basic, in-memory checker: wrong password',
      outcome: 'failure',
      path: '/portal/basic',
      authorization: { kind: 'static', value: basic(alice, WRONG_PASSWORD) },
      ...portalFailure,
    },
    {
      id: 'portal-basic-bcrypt-wrong',
      guard: 'PortalGuard',
      description: 'Basic, htpasswd file: wrong password',
      outcome: 'failure',
      path: '/portal/htpasswd',
      authorization: { kind: 'static', value: basic(bob, WRONG_PASSWORD) },
      ...portalFailure,
    },
    {
      id: 'portal-digest-wrong',
      guard: 'PortalGuard',
      description: 'Digest SHA-256: wrong password',
      outcome: 'failure',
      path: '/portal/digest',
      authorization: digest('SHA-256', WRONG_PASSWORD, 'challenge'),
      ...portalFailure,
    },
    {
      id: 'portal-bearer-wrong',
      guard: 'PortalGuard',
      description: 'Bearer: JWT signed with another key',
      outcome: 'failure',
      path: '/portal/bearer',
      authorization: { kind: 'static', value: `Bearer ${forgedToken}` },
      ...portalFailure,
    },
    {
      id: 'portal-no-credentials',
      guard: 'PortalGuard',
      description: 'no Authorization header on a route that needs a login',
      outcome: 'failure',
      path: '/portal/basic',
      authorization: { kind: 'none' },
      ...portalFailure,
    },
    {
      id: 'passport-basic-wrong',
      guard: '@nestjs/passport',
      description: 'Basic (passport-http): wrong password',
      outcome: 'failure',
      path: '/passport/basic',
      authorization: { kind: 'static', value: basic(alice, WRONG_PASSWORD) },
      ...passportFailure,
    },
    {
      id: 'passport-basic-bcrypt-wrong',
      guard: '@nestjs/passport',
      description: 'Basic (passport-http), htpasswd hash: wrong password',
      outcome: 'failure',
      path: '/passport/htpasswd',
      authorization: { kind: 'static', value: basic(bob, WRONG_PASSWORD) },
      ...passportFailure,
    },
    {
      id: 'passport-digest-wrong',
      guard: '@nestjs/passport',
      description: 'Digest MD5 (passport-http): wrong password',
      outcome: 'failure',
      path: '/passport/digest',
      authorization: digest('MD5', WRONG_PASSWORD, 'client'),
      ...passportFailure,
    },
  ];
}
