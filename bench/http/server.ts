/**
 * The server process of the HTTP benchmark: one Nest app on Express or
 * Fastify with every route, on 127.0.0.1 and a free port.
 *
 *   node dist/bench/http/server.js <server-config.json>
 *
 * Started by the benchmark with an IPC channel: it sends `{ port }` when it
 * listens, and closes the app and exits on SIGTERM (which also writes the
 * `--cpu-prof` profile).
 */
import { readFileSync } from 'node:fs';

import { Controller, Get, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { PortalModule } from 'nestjs-portal';

import { PASSPORT_CONTROLLERS, PASSPORT_STRATEGIES, SERVER_CONFIG } from './passport-setup.js';
import { portalControllers, portalOptions } from './portal-setup.js';
import type { ServerConfig } from './routes.js';

/** The baseline: the same kind of handler with no guard at all. */
@Controller('bare')
class BareController {
  @Get()
  read(): { name: string } {
    return { name: 'nobody' };
  }
}

function benchModule(config: ServerConfig): Type {
  @Module({
    imports: [PortalModule.forRoot(portalOptions(config)), PassportModule],
    controllers: [BareController, ...portalControllers(config), ...PASSPORT_CONTROLLERS],
    providers: [{ provide: SERVER_CONFIG, useValue: config }, ...PASSPORT_STRATEGIES],
  })
  class BenchModule {}
  return BenchModule;
}

async function createApp(config: ServerConfig): Promise<INestApplication> {
  const module = benchModule(config);
  // Only errors: a log line per request would be measured too.
  const logger = ['error', 'warn'] as ('error' | 'warn')[];
  if (config.adapter === 'fastify') {
    return NestFactory.create(module, new FastifyAdapter(), { logger });
  }
  return NestFactory.create(module, { logger });
}

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) {
    throw new Error('Usage: node dist/bench/http/server.js <server-config.json>');
  }
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ServerConfig;
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };

  process.once('SIGTERM', () => {
    void app.close().finally(() => process.exit(0));
  });
  if (!process.send) {
    console.log(`Listening on http://127.0.0.1:${address.port} (${config.adapter}).`);
    return;
  }
  process.send({ port: address.port });
  // The benchmark ends this process; a lost parent ends it too.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

await main();
