import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { AppModule } from './app.module.js';
import { MIN_DEMO_KEY_BYTES } from './demo-tokens.js';

/**
 * Starts the demo on http://HOST:PORT (default 127.0.0.1:3000), with the users
 * of PORTAL_DEMO_USERS and PORTAL_DEMO_DIGEST_USERS (default data/users.htpasswd
 * and data/users.htdigest of the repository), signing bearer tokens with
 * DEMO_JWT_SECRET or a random key.
 */
async function bootstrap(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  // dist/src/main.js is two levels below the repository root.
  const usersFile =
    process.env.PORTAL_DEMO_USERS ??
    fileURLToPath(new URL('../../data/users.htpasswd', import.meta.url));
  const digestUsersFile =
    process.env.PORTAL_DEMO_DIGEST_USERS ??
    fileURLToPath(new URL('../../data/users.htdigest', import.meta.url));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a TCP port number, but is ${JSON.stringify(process.env.PORT)}.`);
  }
  const configuredKey = process.env.DEMO_JWT_SECRET;
  if (configuredKey !== undefined && Buffer.byteLength(configuredKey) < MIN_DEMO_KEY_BYTES) {
    throw new Error(
      `DEMO_JWT_SECRET must be at least ${MIN_DEMO_KEY_BYTES} bytes long; ` +
        'make one with: openssl rand -base64 32',
    );
  }
  const tokenKey = configuredKey ? Buffer.from(configuredKey, 'utf8') : randomBytes(32);

  const app = await NestFactory.create(
    AppModule.register({ usersFile, digestUsersFile, tokenKey }),
  );
  app.enableShutdownHooks();
  await app.listen(port, host);

  const address = app.getHttpServer().address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '127.0.0.1' || host === '::1' ? 'localhost' : host}:${actualPort}`;
  const logger = new Logger('Demo');
  logger.log(
    `Serving the nestjs-portal demo on ${url} (users from ${usersFile} and ${digestUsersFile}).`,
  );
  logger.log(
    configuredKey
      ? 'Bearer tokens are signed (HS256) with the key in DEMO_JWT_SECRET.'
      : 'Bearer tokens are signed (HS256) with a random key made at start-up, so they stop ' +
          'working when the demo restarts; set DEMO_JWT_SECRET to keep them.',
  );
  logger.log(
    `The demo users are listed in README.md under "Demo users"; try: ` +
      `curl --digest -u alice:wonderland ${url}/mailbox`,
  );
}

await bootstrap();
