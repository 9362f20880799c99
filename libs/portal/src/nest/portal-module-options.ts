/** The options of `PortalModule.forRoot` and `PortalModule.forRootAsync`. */
import type {
  ExecutionContext,
  InjectionToken,
  ModuleMetadata,
  OptionalFactoryDependency,
  Type,
} from '@nestjs/common';

import type { ICredentialsChecker } from '../core/checker.js';
import type { InterfaceToken } from '../core/interface-token.js';
import type { IRealm } from '../core/realm.js';
import type { CredentialFactory } from '../http/credential-factory.js';

/** A realm instance, or an injectable realm class that Nest instantiates. */
export type RealmOption = IRealm | Type<IRealm>;

/**
 * A checker instance, an injectable checker class that Nest instantiates, or a
 * checker string such as `memory:alice:secret` (see `parseCheckerString`).
 */
export type CheckerOption = ICredentialsChecker | Type<ICredentialsChecker> | string;

/**
 * Makes the mind that `Portal.login` passes to the realm, from the framework's
 * request object (Express `Request` or `FastifyRequest`). May be async.
 */
export type MindFactory = (request: unknown, context: ExecutionContext) => unknown;

/** The parts of the portal and its guard: realm, checkers, factories, interfaces, mind. */
export interface PortalOptions {
  /** The realm that turns avatar ids into avatars. Required. */
  realm: RealmOption;
  /**
   * Checkers, registered in this order before any `@CredentialsChecker`
   * provider. A later checker for the same credential interface replaces an
   * earlier one, with a warning. Default: none.
   */
  checkers?: readonly CheckerOption[];
  /**
   * One factory per HTTP authentication scheme, in the order of the
   * `WWW-Authenticate` headers of a 401. Default: none, so only anonymous
   * logins are possible and a 401 carries no challenge.
   */
  credentialFactories?: readonly CredentialFactory[];
  /**
   * The avatar interfaces that the guard requests where no `@AvatarInterface`
   * applies, most preferred first. Default: none, so every guarded route needs
   * `@AvatarInterface`.
   */
  interfaces?: readonly InterfaceToken[];
  /** Makes the mind passed to the realm. Default: the framework's request object. */
  mind?: MindFactory;
}

/** Options of the module itself, not of the portal, so they cannot come from an async factory. */
interface PortalModuleSettings {
  /** Registers the module globally, so other modules need not import it. Default false. */
  isGlobal?: boolean;
  /**
   * Registers the interceptor that makes `AvatarContext.current()` work in
   * services (an `APP_INTERCEPTOR`). Default true.
   */
  avatarContext?: boolean;
  /** Modules whose exported providers a realm or checker class may inject. */
  imports?: ModuleMetadata['imports'];
}

/** Options of `PortalModule.forRoot`. */
export interface PortalModuleOptions extends PortalOptions, PortalModuleSettings {}

/** A class that makes the portal options, for `forRootAsync({ useClass })` or `useExisting`. */
export interface PortalOptionsFactory {
  createPortalOptions(): PortalOptions | Promise<PortalOptions>;
}

/** Options of `PortalModule.forRootAsync`: exactly one of `useFactory`, `useClass`, `useExisting`. */
export interface PortalModuleAsyncOptions extends PortalModuleSettings {
  /** Makes the options from the providers listed in `inject`. */
  useFactory?: (...args: never[]) => PortalOptions | Promise<PortalOptions>;
  /** Providers passed to `useFactory`, in order. */
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  /** A `PortalOptionsFactory` class that the module instantiates. */
  useClass?: Type<PortalOptionsFactory>;
  /** An existing `PortalOptionsFactory` provider, from `imports` or a global module. */
  useExisting?: InjectionToken;
}
