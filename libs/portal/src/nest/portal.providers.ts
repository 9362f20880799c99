/** The providers that `PortalModule.forRoot` and `forRootAsync` have in common. */
import { Logger, type Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';

import { Portal } from '../core/portal.js';
import type { IRealm } from '../core/realm.js';
import { AvatarContext } from './avatar-context.js';
import { AvatarContextInterceptor } from './avatar-context.interceptor.js';
import { CheckerDiscovery } from './checker-discovery.js';
import { CheckerRegistry, type LabelledChecker } from './checker-registry.js';
import {
  PORTAL_CHECKERS,
  PORTAL_GUARD_SETTINGS,
  PORTAL_LOGGER_CONTEXT,
  PORTAL_MODULE_OPTIONS,
  PORTAL_REALM,
} from './portal.constants.js';
import { PortalGuard } from './portal.guard.js';
import { createPortalAudit, PortalAudit } from './portal-audit.js';
import { createGuardSettings } from './portal-guard-settings.js';
import type { PortalOptions } from './portal-module-options.js';

/**
 * Returns the providers built on the options, the realm and the checkers
 * (which each entry point provides its own way).
 */
export function sharedPortalProviders(avatarContext: boolean | undefined): Provider[] {
  const logger = new Logger(PORTAL_LOGGER_CONTEXT);
  const providers: Provider[] = [
    {
      provide: PORTAL_GUARD_SETTINGS,
      useFactory: (options: PortalOptions) => {
        const settings = createGuardSettings(options, (message) => logger.warn(message));
        if (settings.credentialFactories.length === 0) {
          logger.warn(
            'No credential factories are configured: only anonymous logins are possible, and ' +
              '401 responses carry no WWW-Authenticate challenge.',
          );
        }
        return settings;
      },
      inject: [PORTAL_MODULE_OPTIONS],
    },
    {
      provide: CheckerRegistry,
      useFactory: (realm: IRealm, checkers: readonly LabelledChecker[]) => {
        const registry = new CheckerRegistry(new Portal(realm), logger);
        for (const checker of checkers) {
          registry.register(checker);
        }
        return registry;
      },
      inject: [PORTAL_REALM, PORTAL_CHECKERS],
    },
    {
      provide: Portal,
      useFactory: (registry: CheckerRegistry) => registry.portal,
      inject: [CheckerRegistry],
    },
    {
      provide: PortalAudit,
      useFactory: (options: PortalOptions) => createPortalAudit(options.audit),
      inject: [PORTAL_MODULE_OPTIONS],
    },
    CheckerDiscovery,
    AvatarContext,
    PortalGuard,
  ];
  // Opt-in: on Node 20 the first AsyncLocalStorage.run() turns on promise hooks
  // for the whole process, which slowed every route, unguarded ones too, by
  // roughly 20-40% in the benchmark.
  if (avatarContext === true) {
    providers.push({ provide: APP_INTERCEPTOR, useClass: AvatarContextInterceptor });
  }
  return providers;
}

/**
 * The providers other modules may inject; `PortalGuard` needs the portal, its
 * settings and `PortalAudit`.
 */
export const PORTAL_EXPORTS = [
  Portal,
  AvatarContext,
  PortalAudit,
  PortalGuard,
  PORTAL_GUARD_SETTINGS,
];
