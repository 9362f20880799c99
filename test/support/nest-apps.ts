/** Starting Nest test apps on Express or Fastify, and capturing their logs. */
import type { IncomingMessage } from 'node:http';

import type { DynamicModule, INestApplication, LoggerService, Type } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Response } from 'supertest';

export type AdapterName = 'express' | 'fastify';

/** Every HTTP adapter the library supports; e2e tables run once per entry. */
export const ADAPTERS: readonly AdapterName[] = ['express', 'fastify'];

/** One log call. */
export interface LogEntry {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  readonly message: string;
  readonly context?: string;
}

/** A Nest logger that keeps every entry, for assertions on what was logged. */
export class CapturingLogger implements LoggerService {
  readonly entries: LogEntry[] = [];

  log(message: unknown, context?: string): void {
    this.add('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.add('error', message, rest.at(-1) as string | undefined);
  }
  warn(message: unknown, context?: string): void {
    this.add('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.add('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.add('verbose', message, context);
  }
  fatal(message: unknown, context?: string): void {
    this.add('fatal', message, context);
  }

  /** Returns the messages of one level, optionally of one context. */
  messages(level: LogEntry['level'], context?: string): string[] {
    return this.entries
      .filter((entry) => entry.level === level && (!context || entry.context === context))
      .map((entry) => entry.message);
  }

  private add(level: LogEntry['level'], message: unknown, context?: string): void {
    this.entries.push({ level, message: String(message), context });
  }
}

/**
 * Compiles `rootModule`, creates the app on the given adapter and initialises
 * it (and, on Fastify, waits until Fastify is ready).
 */
export async function createTestApp(
  adapter: AdapterName,
  rootModule: Type | DynamicModule,
  logger: LoggerService | false = new CapturingLogger(),
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [rootModule] })
    .setLogger(logger === false ? new CapturingLogger() : logger)
    .compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger })
      : moduleRef.createNestApplication({ logger });
  await app.init();
  if (adapter === 'fastify') {
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  return app;
}

/** Returns the values of a response header as separate lines, as sent. */
export function headerLines(response: Response, name: string): string[] {
  const message = (response as unknown as { res: IncomingMessage }).res;
  return message.headersDistinct[name.toLowerCase()] ?? [];
}

/** Polls `condition` every few milliseconds until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  description: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
