import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PortalGuard, PortalModule } from 'nestjs-portal';

import { AdminController } from './admin.controller.js';
import { IIdentity } from './avatars.js';
import { demoCredentialFactories } from './credential-factories.js';
import { DemoRealm } from './demo.realm.js';
import { DemoTokens } from './demo-tokens.js';
import { HealthController } from './health.controller.js';
import { MailService } from './mail.service.js';
import { MailboxController } from './mailbox.controller.js';
import { TokenController } from './token.controller.js';
import { WhoamiController } from './whoami.controller.js';

/** Options of the demo app. */
export interface DemoOptions {
  /** The htpasswd file of the demo users, for Basic. */
  usersFile: string;
  /** The htdigest file of the demo users (MD5 and SHA-256 lines), for Digest. */
  digestUsersFile: string;
  /** The HS256 key of demo bearer tokens, at least 32 bytes. */
  tokenKey: Uint8Array;
}

/**
 * The demo: every route is behind `PortalGuard` (an `APP_GUARD`), which
 * requests `IIdentity` unless a route sets other interfaces; `/health` is
 * exempt. Throttling and the audit log are on with their defaults.
 *
 * Checkers by credential interface: `IAnonymous` → `AllowAnonymousAccess`,
 * `IUsernamePassword` (Basic) → `HtpasswdFile`, `IUsernameDigestHash`
 * (Digest) → `HtdigestFile`, `IToken` (Bearer) → `JwtBearerChecker`.
 */
@Module({})
export class AppModule {
  static register(options: DemoOptions): DynamicModule {
    const tokens = new DemoTokens(options.tokenKey);
    return {
      module: AppModule,
      imports: [
        PortalModule.forRoot({
          realm: DemoRealm,
          checkers: [
            'anonymous',
            `htpasswd:${options.usersFile}`,
            `htdigest:${options.digestUsersFile}`,
            tokens.checker(),
          ],
          credentialFactories: demoCredentialFactories(),
          interfaces: [IIdentity],
          throttle: {},
          audit: { log: true },
          // MailService reads the avatar through AvatarContext.
          avatarContext: true,
        }),
      ],
      controllers: [
        WhoamiController,
        MailboxController,
        AdminController,
        TokenController,
        HealthController,
      ],
      providers: [
        MailService,
        { provide: DemoTokens, useValue: tokens },
        { provide: APP_GUARD, useClass: PortalGuard },
      ],
    };
  }
}
