/**
 * The `@nestjs/passport` side of the bench app: passport-http's Basic and
 * Digest strategies, written the way the Nest documentation shows, reading
 * the same users as the PortalGuard routes.
 */
import { readFileSync } from 'node:fs';

import {
  Controller,
  Get,
  Inject,
  Injectable,
  type Provider,
  Req,
  type Type,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard, PassportStrategy } from '@nestjs/passport';
import bcrypt from 'bcrypt';
import { secretsEqual } from 'nestjs-portal';
import { BasicStrategy, DigestStrategy, type DigestStrategyOptions } from 'passport-http';

import { BENCH_REALM, type ServerConfig } from './routes.js';

export const SERVER_CONFIG = Symbol('SERVER_CONFIG');

interface PassportUser {
  readonly name: string;
}

// Compared against when a user is unknown, as the portal's checkers do.
const DECOY_PASSWORD = 'decoy-password-of-no-user';

/** Basic against the in-memory users, compared in constant time like the portal's checker. */
@Injectable()
class MemoryBasicStrategy extends PassportStrategy(BasicStrategy, 'basic-memory') {
  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {
    super({ realm: BENCH_REALM });
  }

  validate(username: string, password: string): PassportUser {
    const stored = Object.hasOwn(this.config.memoryUsers, username)
      ? this.config.memoryUsers[username]
      : undefined;
    const matches = secretsEqual(password, stored ?? DECOY_PASSWORD);
    if (stored === undefined || !matches) {
      throw new UnauthorizedException();
    }
    return { name: username };
  }
}

/** Basic against the bcrypt hashes of the same htpasswd file that `HtpasswdFile` reads. */
@Injectable()
class HtpasswdBasicStrategy extends PassportStrategy(BasicStrategy, 'basic-htpasswd') {
  private readonly hashes: ReadonlyMap<string, string>;
  private readonly decoyHash: string;

  constructor(@Inject(SERVER_CONFIG) config: ServerConfig) {
    super({ realm: BENCH_REALM });
    const entries = readFileSync(config.htpasswdPath, 'utf8')
      .split('\n')
      .filter((line) => line.includes(':'))
      .map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
      });
    this.hashes = new Map(entries);
    this.decoyHash = entries[0]?.[1] ?? '';
  }

  async validate(username: string, password: string): Promise<PassportUser> {
    const hash = this.hashes.get(username);
    const matches = await bcrypt.compare(password, hash ?? this.decoyHash);
    if (hash === undefined || !matches) {
      throw new UnauthorizedException();
    }
    return { name: username };
  }
}

/**
 * Digest (passport-http supports MD5 only) against the plain passwords of the
 * in-memory users. passport-http checks neither the nonce nor `nc`.
 */
// The mixin appends its callback, which passport-http takes as the `secret`
// function; passport-http's types end with an optional `validate` instead.
const DigestStrategyWithSecret = PassportStrategy(
  DigestStrategy,
  'digest-memory',
) as unknown as new (options: DigestStrategyOptions) => DigestStrategy;

@Injectable()
class MemoryDigestStrategy extends DigestStrategyWithSecret {
  constructor(@Inject(SERVER_CONFIG) private readonly config: ServerConfig) {
    super({ realm: BENCH_REALM, qop: 'auth' });
  }

  // The strategy's `secret` callback: the user and the password to hash with.
  validate(username: string): [PassportUser, string] | [false] {
    if (!Object.hasOwn(this.config.memoryUsers, username)) {
      return [false];
    }
    return [{ name: username }, this.config.memoryUsers[username]!];
  }
}

function passportController(path: string, strategy: string): Type {
  @UseGuards(AuthGuard(strategy))
  @Controller(path)
  class PassportRouteController {
    @Get()
    read(@Req() request: { user: PassportUser }): { name: string } {
      return { name: request.user.name };
    }
  }
  return PassportRouteController;
}

export const PASSPORT_CONTROLLERS: readonly Type[] = [
  passportController('passport/basic', 'basic-memory'),
  passportController('passport/htpasswd', 'basic-htpasswd'),
  passportController('passport/digest', 'digest-memory'),
];

export const PASSPORT_STRATEGIES: readonly Provider[] = [
  MemoryBasicStrategy,
  HtpasswdBasicStrategy,
  MemoryDigestStrategy,
];
