import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

import type { ICredentialsChecker } from '../core/checker.js';
import { CheckerRegistry } from './checker-registry.js';
import { CredentialsCheckerMetadata } from './credentials-checker.decorator.js';
import { PORTAL_GUARD_SETTINGS, PORTAL_LOGGER_CONTEXT } from './portal.constants.js';
import type { PortalGuardSettings } from './portal-guard-settings.js';
import { uncheckedFactoryWarnings } from './unchecked-factories.js';

/**
 * Finds the providers marked with `@CredentialsChecker` once every provider
 * of the application exists, and registers them on the portal, in the order
 * in which Nest scanned them, after the checkers of the module options.
 * Then, with every checker known, logs a warning for each credential factory
 * whose credentials no checker accepts.
 */
@Injectable()
export class CheckerDiscovery implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly registry: CheckerRegistry,
    @Inject(PORTAL_GUARD_SETTINGS) private readonly settings: PortalGuardSettings,
  ) {}

  onModuleInit(): void {
    const seen = new Set<unknown>();
    const wrappers = this.discovery.getProviders({ metadataKey: CredentialsCheckerMetadata.KEY });

    for (const wrapper of wrappers) {
      const className =
        (wrapper.metatype as { name?: string } | null)?.name || String(wrapper.name);
      const label = `${className} (@CredentialsChecker in ${wrapper.host?.name ?? 'a module'})`;
      if (!wrapper.isDependencyTreeStatic()) {
        throw new TypeError(
          `Checker ${label} is request-scoped or transient, or depends on such a provider; ` +
            'the portal needs one instance for the whole application.',
        );
      }
      const checker = wrapper.instance as ICredentialsChecker | undefined;
      if (!checker || seen.has(checker)) {
        continue;
      }
      seen.add(checker);
      if (typeof checker.requestAvatarId !== 'function') {
        throw new TypeError(`Checker ${label} has no requestAvatarId() method.`);
      }

      const credentialInterfaces = this.discovery.getMetadataByDecorator(
        CredentialsCheckerMetadata,
        wrapper,
      );
      this.registry.register({ checker, label, credentialInterfaces });
    }

    this.warnAboutUncheckedFactories();
  }

  private warnAboutUncheckedFactories(): void {
    const registered = this.registry.portal.listCredentialsInterfaces();
    const logger = new Logger(PORTAL_LOGGER_CONTEXT);
    for (const warning of uncheckedFactoryWarnings(this.settings.credentialFactories, registered)) {
      logger.warn(warning);
    }
  }
}
