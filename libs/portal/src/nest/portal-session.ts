/** The storage of a request's login outcome on the request. */
import type { IncomingMessage } from 'node:http';

import type { InterfaceToken } from '../core/interface-token.js';

/** The outcome of a successful login, kept for the rest of the request. */
export interface PortalSession<T = unknown> {
  /** The avatar interface that the realm chose among those requested. */
  readonly avatarInterface: InterfaceToken<T>;
  /** The avatar, which provides `avatarInterface`. */
  readonly avatar: T;
}

// A symbol property on Node's request object: Express's request is that
// object, Fastify's wraps it as `raw`, so both adapters find the same session.
const SESSION = Symbol('nestjs-portal.session');

type SessionHolder = { [SESSION]?: PortalSession };

/** Returns Node's request object behind an Express or Fastify request. */
export function nodeRequestOf(request: unknown): IncomingMessage {
  const raw = (request as { raw?: unknown }).raw;
  return (isIncomingMessage(raw) ? raw : request) as IncomingMessage;
}

function isIncomingMessage(value: unknown): value is IncomingMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IncomingMessage).headers === 'object' &&
    typeof (value as IncomingMessage).method === 'string'
  );
}

/**
 * Returns the session that `PortalGuard` stored for an Express or Fastify
 * request, or undefined when the guard did not let it in with an avatar.
 */
export function getPortalSession(request: unknown): PortalSession | undefined {
  return (nodeRequestOf(request) as SessionHolder)[SESSION];
}

/** Stores the session of a request. */
export function setPortalSession(request: IncomingMessage, session: PortalSession): void {
  (request as SessionHolder)[SESSION] = session;
}
