import {
  type DynamicModule,
  Module,
  type OnModuleInit,
  type Provider,
  type Type,
} from '@nestjs/common';
import { DiscoveryModule, ModuleRef, ModulesContainer } from '@nestjs/core';

import type { ICredentialsChecker } from '../core/checker.js';
import type { IRealm } from '../core/realm.js';
import { PORTAL_CHECKERS, PORTAL_MODULE_OPTIONS, PORTAL_REALM } from './portal.constants.js';
import { PORTAL_EXPORTS, sharedPortalProviders } from './portal.providers.js';
import type {
  PortalModuleAsyncOptions,
  PortalModuleOptions,
  PortalOptions,
  PortalOptionsFactory,
} from './portal-module-options.js';
import { resolveCheckers } from './resolve-checkers.js';
import { validatePortalOptions } from './validate-portal-options.js';

/**
 * Provides the application's `Portal`, `PortalGuard`, `AvatarContext` and `PortalAudit`.
 *
 * Call `forRoot` or `forRootAsync` once per application; a second call fails
 * at bootstrap, since an application has one portal. Other modules that use
 * `PortalGuard` or inject `Portal` need its exports: set `isGlobal`, or call
 * `forRoot` in a shared module that lists `PortalModule` in its exports and
 * import that module where needed.
 *
 * A realm or checker given as a class is instantiated by Nest in this
 * module, so its constructor may inject providers of the `imports` option
 * and of global modules. With `forRoot` such classes are providers of this
 * module: one instance per class, with Nest's lifecycle hooks, found by
 * `app.get(RealmClass, { strict: false })`. With `forRootAsync` they are
 * made by `ModuleRef.create` once the options exist, which calls no hooks.
 */
@Module({})
export class PortalModule implements OnModuleInit {
  constructor(private readonly modules: ModulesContainer) {}

  /** Configures the module with options known at import time. */
  static forRoot(options: PortalModuleOptions): DynamicModule {
    const { isGlobal, avatarContext, imports, ...portalOptions } = options ?? ({} as never);
    const checkerOptions = Array.isArray(portalOptions.checkers) ? portalOptions.checkers : [];
    const checkerClasses = [
      ...new Set(
        checkerOptions.filter(
          (checker): checker is Type<ICredentialsChecker> => typeof checker === 'function',
        ),
      ),
    ];

    // A realm class is a provider of this module (so it can be injected by
    // its class elsewhere with strict: false) and PORTAL_REALM is its alias.
    const realmProviders: Provider[] =
      typeof portalOptions.realm === 'function'
        ? [portalOptions.realm, { provide: PORTAL_REALM, useExisting: portalOptions.realm }]
        : [
            {
              provide: PORTAL_REALM,
              useFactory: (validated: PortalOptions) => validated.realm,
              inject: [PORTAL_MODULE_OPTIONS],
            },
          ];

    return {
      module: PortalModule,
      global: isGlobal ?? false,
      imports: [DiscoveryModule, ...(imports ?? [])],
      providers: [
        {
          provide: PORTAL_MODULE_OPTIONS,
          useFactory: () => validatePortalOptions(portalOptions),
        },
        ...realmProviders,
        ...checkerClasses,
        {
          provide: PORTAL_CHECKERS,
          useFactory: (validated: PortalOptions, ...instances: ICredentialsChecker[]) =>
            resolveCheckers(
              validated.checkers,
              (checkerClass) => instances[checkerClasses.indexOf(checkerClass)]!,
            ),
          inject: [PORTAL_MODULE_OPTIONS, ...checkerClasses],
        },
        ...sharedPortalProviders(avatarContext),
      ],
      exports: PORTAL_EXPORTS,
    };
  }

  /**
   * Configures the module with options made at bootstrap, by `useFactory`
   * (with `inject`), by a `useClass` options factory, or by a `useExisting`
   * one. `isGlobal`, `avatarContext` and `imports` are given here directly.
   */
  static forRootAsync(options: PortalModuleAsyncOptions): DynamicModule {
    const { isGlobal, avatarContext, imports } = options ?? ({} as never);
    return {
      module: PortalModule,
      global: isGlobal ?? false,
      imports: [DiscoveryModule, ...(imports ?? [])],
      providers: [
        ...asyncOptionsProviders(options),
        {
          provide: PORTAL_REALM,
          useFactory: (validated: PortalOptions, moduleRef: ModuleRef) =>
            typeof validated.realm === 'function'
              ? moduleRef.create(validated.realm as Type<IRealm>)
              : validated.realm,
          inject: [PORTAL_MODULE_OPTIONS, ModuleRef],
        },
        {
          provide: PORTAL_CHECKERS,
          useFactory: (validated: PortalOptions, moduleRef: ModuleRef) =>
            resolveCheckers(validated.checkers, (checkerClass) => moduleRef.create(checkerClass)),
          inject: [PORTAL_MODULE_OPTIONS, ModuleRef],
        },
        ...sharedPortalProviders(avatarContext),
      ],
      exports: PORTAL_EXPORTS,
    };
  }

  /**
   * Fails bootstrap when the application contains more than one PortalModule.
   * Nest makes a separate module for every `forRoot` or `forRootAsync` call,
   * even when the options are the same object.
   */
  onModuleInit(): void {
    let count = 0;
    for (const module of this.modules.values()) {
      if (module.metatype === PortalModule) {
        count++;
      }
    }
    if (count > 1) {
      throw new Error(
        `PortalModule.forRoot() or forRootAsync() is called ${count} times in this ` +
          'application, but an application has one portal, and Nest makes a separate ' +
          'PortalModule for each call, even with the same options. Call it once: either with ' +
          'isGlobal: true in the root module, or in one shared module that imports ' +
          'PortalModule.forRoot(...) and lists PortalModule in its exports, and that the ' +
          'feature modules import instead.',
      );
    }
  }
}

function asyncOptionsProviders(options: PortalModuleAsyncOptions): Provider[] {
  const { useFactory, useClass, useExisting, inject } = options ?? {};
  const sources = [useFactory, useClass, useExisting].filter((value) => value !== undefined);
  if (sources.length !== 1) {
    throw new TypeError(
      'PortalModule.forRootAsync() needs exactly one of useFactory, useClass and useExisting.',
    );
  }

  if (useFactory) {
    return [
      {
        provide: PORTAL_MODULE_OPTIONS,
        useFactory: async (...args: never[]) => validatePortalOptions(await useFactory(...args)),
        inject: inject ?? [],
      },
    ];
  }
  const factoryToken = (useClass ?? useExisting)!;
  const providers: Provider[] = [
    {
      provide: PORTAL_MODULE_OPTIONS,
      useFactory: async (factory: PortalOptionsFactory) =>
        validatePortalOptions(await factory.createPortalOptions()),
      inject: [factoryToken],
    },
  ];
  if (useClass) {
    providers.push({ provide: useClass, useClass });
  }
  return providers;
}
