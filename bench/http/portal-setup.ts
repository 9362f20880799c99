/**
 * The PortalGuard side of the bench app: realm, checkers, factories and one
 * controller per route prefix.
 */
import { Controller, Get, type Type, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  alsoProvides,
  AllowAnonymousAccess,
  ANONYMOUS,
  Avatar,
  AvatarContextInterceptor,
  AvatarInterface,
  type AvatarId,
  BasicCredentialFactory,
  BearerCredentialFactory,
  defineInterface,
  DigestCredentialFactory,
  HtpasswdFile,
  type ICredentialsChecker,
  type InterfaceToken,
  InMemoryUsernamePasswordDatabase,
  type IRealm,
  IUsernameHashedPassword,
  IUsernamePassword,
  JwtBearerChecker,
  LoginDenied,
  type LoginResult,
  PortalGuard,
  type PortalLogger,
  type PortalModuleOptions,
} from 'nestjs-portal';

import { BENCH_REALM, type ServerConfig } from './routes.js';

/** The avatar of a signed-in user. */
export interface IUser {
  readonly name: string;
}
export const IUser = defineInterface<IUser>('IUser');

/** The avatar of an anonymous visitor, which only the anonymous route requests. */
export interface IVisitor {
  readonly name: string;
}
export const IVisitor = defineInterface<IVisitor>('IVisitor');

const noLogout = (): void => {};

/** Gives every signed-in user an `IUser`, and anonymous clients an `IVisitor` where requested. */
class BenchRealm implements IRealm {
  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: InterfaceToken[]): LoginResult {
    if (avatarId === ANONYMOUS) {
      if (interfaces.includes(IVisitor)) {
        return [IVisitor, alsoProvides({ name: 'anonymous' }, IVisitor), noLogout];
      }
      throw new LoginDenied('This route needs a signed-in user.');
    }
    if (interfaces.includes(IUser)) {
      return [IUser, alsoProvides({ name: avatarId }, IUser), noLogout];
    }
    throw new LoginDenied();
  }
}

type PasswordCredentials = IUsernamePassword | IUsernameHashedPassword;

/**
 * Sends the users of the htpasswd file to the file checker and everyone else
 * to the in-memory one. A portal has one checker per credential interface, and
 * the bench serves both stores from one app; the cost is one `Set` lookup.
 */
class UserStoreChecker implements ICredentialsChecker<PasswordCredentials> {
  readonly credentialInterfaces = [IUsernamePassword, IUsernameHashedPassword] as const;

  constructor(
    private readonly memory: InMemoryUsernamePasswordDatabase,
    private readonly file: HtpasswdFile,
    private readonly fileUsernames: ReadonlySet<string>,
  ) {}

  requestAvatarId(credentials: PasswordCredentials): AvatarId | Promise<AvatarId> {
    // The file contains bcrypt hashes, which cannot check Digest responses.
    if (this.fileUsernames.has(credentials.username) && IUsernamePassword.providedBy(credentials)) {
      return this.file.requestAvatarId(credentials);
    }
    return this.memory.requestAvatarId(credentials);
  }
}

// Load lines are not needed during a run; warnings and errors still show.
const quietLogger: PortalLogger = {
  log: () => {},
  warn: (message) => console.error(`[bench] ${message}`),
  error: (message) => console.error(`[bench] ${message}`),
};

/** Builds the `PortalModule` options of the bench app from the server configuration. */
export function portalOptions(config: ServerConfig): PortalModuleOptions {
  const memory = new InMemoryUsernamePasswordDatabase(config.memoryUsers);
  const file = new HtpasswdFile(config.htpasswdPath, { logger: quietLogger });
  return {
    realm: new BenchRealm(),
    checkers: [
      new UserStoreChecker(memory, file, new Set(config.fileUsernames)),
      new JwtBearerChecker({ key: Buffer.from(config.jwtKey, 'base64url'), algorithms: ['HS256'] }),
      new AllowAnonymousAccess(),
    ],
    credentialFactories: [
      new BasicCredentialFactory(BENCH_REALM),
      new DigestCredentialFactory('SHA-256', BENCH_REALM, {
        secret: Buffer.from(config.digestSecret, 'base64url'),
      }),
      new BearerCredentialFactory(BENCH_REALM),
    ],
    // Registered on the portal controllers below instead, so that the bare
    // and passport routes do not pay for it.
    avatarContext: false,
  };
}

// Every portal route does what an application would: PortalGuard, the
// AvatarContext interceptor (on by default in PortalModule) and @Avatar().
function portalController(
  path: string,
  avatarInterface: InterfaceToken<IUser>,
  avatarContext: boolean,
): Type {
  @UseGuards(PortalGuard)
  @UseInterceptors(...(avatarContext ? [AvatarContextInterceptor] : []))
  @AvatarInterface(avatarInterface)
  @Controller(path)
  class PortalRouteController {
    @Get()
    read(@Avatar() avatar: IUser): { name: string } {
      return { name: avatar.name };
    }
  }
  return PortalRouteController;
}

/** Builds the controllers of the PortalGuard routes, which accept whichever scheme the client sends. */
export function portalControllers(config: ServerConfig): Type[] {
  return [
    portalController('portal/basic', IUser, config.avatarContext),
    portalController('portal/htpasswd', IUser, config.avatarContext),
    portalController('portal/digest', IUser, config.avatarContext),
    portalController('portal/bearer', IUser, config.avatarContext),
    portalController('portal/anonymous', IVisitor, config.avatarContext),
  ];
}
