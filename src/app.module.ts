import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PortalGuard, PortalModule } from 'nestjs-portal';

import { AdminController } from './admin.controller.js';
import { IIdentity } from './avatars.js';
import { demoCredentialFactories } from './credential-factories.js';
import { DemoRealm } from './demo.realm.js';
import { HealthController } from './health.controller.js';
import { MailService } from './mail.service.js';
import { MailboxController } from './mailbox.controller.js';
import { WhoamiController } from './whoami.controller.js';

/** Options of the demo app. */
export interface DemoOptions {
  /** The htpasswd file of the demo users. */
  usersFile: string;
}

/**
 * The demo: every route is behind `PortalGuard` (an `APP_GUARD`), which
 * requests `IIdentity` unless a route sets other interfaces; `/health` is exempt.
 */
@Module({})
export class AppModule {
  static register(options: DemoOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PortalModule.forRoot({
          realm: DemoRealm,
          checkers: ['anonymous', `htpasswd:${options.usersFile}`],
          credentialFactories: demoCredentialFactories(),
          interfaces: [IIdentity],
        }),
      ],
      controllers: [WhoamiController, MailboxController, AdminController, HealthController],
      providers: [MailService, { provide: APP_GUARD, useClass: PortalGuard }],
    };
  }
}
