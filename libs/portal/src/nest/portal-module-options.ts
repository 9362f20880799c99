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
import type { AuditListener, AuditLogListenerOptions } from '../core/security/audit.js';
import type { LoginThrottle, LoginThrottleOptions } from '../core/security/login-throttle.js';
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

/** The audit events of `PortalGuard`: listeners, and the default log. */
export interface PortalAuditOptions {
  /**
   * Listeners that receive every event, before the default log and before
   * listeners added with `PortalAudit.addListener`. Default: none.
   */
  listeners?: readonly AuditListener[];
  /**
   * The default listener, which writes events through Nest's `Logger` under
   * the context `PortalAudit`: successes, logouts and handshake steps at
   * debug, other failed logins as warnings, at most 5 lines per reason and
   * client address a minute. `true` for those defaults, options to change the
   * rate limit, or `false` to leave the log out. Default true.
   */
  log?: boolean | AuditLogListenerOptions;
}

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
   * The credential factories, in the order of the `WWW-Authenticate` headers
   * of a 401. Several may share a scheme (Digest SHA-256 and Digest MD5): the
   * guard decodes with the first of them whose `accepts` takes the header, or
   * else the first of them. Default: none, so only anonymous logins are
   * possible and a 401 carries no challenge.
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
  /**
   * Limits failed logins per username and per client address: an attempt
   * past a limit gets 429 with `Retry-After`, and its credentials are not
   * checked. A `LoginThrottle` (or an object with its `check`,
   * `recordFailure` and `recordSuccess` methods), the options of a new
   * `LoginThrottle` (`{}` for its defaults: 10 failures per username and 100
   * per address in 15 minutes), or false. Default false.
   */
  throttle?: LoginThrottle | LoginThrottleOptions | false;
  /**
   * Audit events of the guard (`login.succeeded`, `login.failed`, `logout`).
   * Default `{ log: true }`. `false` leaves out the configured listeners and
   * the log; listeners added with `PortalAudit.addListener` still receive
   * events.
   */
  audit?: PortalAuditOptions | false;
}

/** Options of the module itself, not of the portal, so they cannot come from an async factory. */
interface PortalModuleSettings {
  /** Registers the module globally, so other modules need not import it. Default false. */
  isGlobal?: boolean;
  /**
   * Registers the interceptor that makes `AvatarContext.current()` work in
   * services (an `APP_INTERCEPTOR`). Default false, because its
   * AsyncLocalStorage slows every request of the process on Node 20.
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
