/** Injection tokens and metadata keys of the Nest layer. Internal except where index.ts exports them. */

/** The options given to `PortalModule.forRoot` or made by `forRootAsync`. */
export const PORTAL_MODULE_OPTIONS = Symbol('nestjs-portal.module-options');
/** The realm instance, once Nest has resolved it. */
export const PORTAL_REALM = Symbol('nestjs-portal.realm');
/** The checkers from the module options, resolved to instances with a label each. */
export const PORTAL_CHECKERS = Symbol('nestjs-portal.checkers');
/** The guard's settings: credential factories by scheme, default interfaces, mind factory. */
export const PORTAL_GUARD_SETTINGS = Symbol('nestjs-portal.guard-settings');

/** The logger context of `PortalModule`'s bootstrap messages. */
export const PORTAL_LOGGER_CONTEXT = 'PortalModule';

/** Metadata key of `@AvatarInterface`. */
export const AVATAR_INTERFACES_METADATA = 'nestjs-portal:avatar-interfaces';
/** Metadata key of `@SkipPortal`. */
export const SKIP_PORTAL_METADATA = 'nestjs-portal:skip-portal';
