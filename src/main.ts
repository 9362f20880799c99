import { fileURLToPath } from 'node:url';

import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';

/**
 * Starts the demo on http://HOST:PORT (default 127.0.0.1:3000), with the users
 * of PORTAL_DEMO_USERS (default data/users.htpasswd of the repository).
 */
async function bootstrap(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  // dist/src/main.js is two levels below the repository root.
  const usersFile =
    process.env.PORTAL_DEMO_USERS ??
    fileURLToPath(new URL('../../data/users.htpasswd', import.meta.url));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, but is ${JSON.stringify(process.env.PORT)}.`);
  }

  const app = await NestFactory.create(AppModule.register({ usersFile }));
  app.enableShutdownHooks();
  await app.listen(port, host);

  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '127.0.0.1' || host === '::1' ? 'localhost' : host}:${actualPort}`;
  const logger = new Logger('Demo');
  logger.log(`Serving the nestjs-portal demo on ${url} (users from ${usersFile}).`);
  logger.log(
    `The demo users are listed in README.md under "Demo users"; try: ` +
      `curl -u alice:wonderland ${url}/mailbox`,
  );
}

await bootstrap();
