/** Adapting Express and Fastify requests and responses to what the guard needs. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { HttpRequestLike } from '../http/credential-factory.js';
import { nodeRequestOf } from './portal-session.js';

/** One request and its response, as Node objects and as the credential factories see them. */
export interface HttpExchange {
  /** The request as credential factories read it. */
  readonly request: HttpRequestLike;
  /** Node's request: Express's request itself, or Fastify's `request.raw`. */
  readonly nodeRequest: IncomingMessage;
  /** Node's response: Express's response itself, or Fastify's `reply.raw`. */
  readonly nodeResponse: ServerResponse;
}

/**
 * Adapts an Express or Fastify request and response. The `url` is the
 * request target as the client sent it, query included, even where a router
 * rewrote `request.url` (Express's `originalUrl`, Fastify's `originalUrl`).
 */
export function adaptHttpExchange(request: unknown, response: unknown): HttpExchange {
  const nodeRequest = nodeRequestOf(request);
  const originalUrl = (request as { originalUrl?: unknown }).originalUrl;
  const url = typeof originalUrl === 'string' ? originalUrl : (nodeRequest.url ?? '/');
  return {
    request: {
      method: nodeRequest.method ?? 'GET',
      url,
      headers: nodeRequest.headers,
      rawHeaders: nodeRequest.rawHeaders,
    },
    nodeRequest,
    nodeResponse: nodeResponseOf(response),
  };
}

function nodeResponseOf(response: unknown): ServerResponse {
  const raw = (response as { raw?: unknown }).raw;
  return (typeof raw === 'object' && raw !== null ? raw : response) as ServerResponse;
}

/** Returns the path of a request target without its query, which may carry tokens. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Returns the client's address as the HTTP adapter reports it: Express's
 * `req.ip` or Fastify's `request.ip`, which follow the app's `trust proxy`
 * (Express) or `trustProxy` (Fastify) setting. Falls back to the socket's
 * remote address, and returns undefined when there is none (a closed socket).
 */
export function clientAddressOf(
  frameworkRequest: unknown,
  nodeRequest: IncomingMessage,
): string | undefined {
  const ip = (frameworkRequest as { ip?: unknown }).ip;
  if (typeof ip === 'string' && ip !== '') {
    return ip;
  }
  return nodeRequest.socket?.remoteAddress;
}

// A short value that is safe to copy into a log line as it is.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Returns the request's `X-Request-Id` header when it is 1 to 128 characters
 * of letters, digits, `.`, `_`, `:` and `-`, and otherwise a new random UUID,
 * so that a client cannot write arbitrary text into audit logs.
 */
export function requestIdOf(request: HttpRequestLike): string {
  const header = request.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
