import type { InterfaceToken } from '../core/interface-token.js';
import type { CredentialFactory } from '../http/credential-factory.js';
import type { MindFactory, PortalOptions } from './portal-module-options.js';

/** The module options that `PortalGuard` reads, checked and indexed once at bootstrap. */
export interface PortalGuardSettings {
  /** The credential factories, in the order of the challenges of a 401. */
  readonly credentialFactories: readonly CredentialFactory[];
  /** The same factories by lower-case scheme, for case-insensitive matching. */
  readonly factoriesByScheme: ReadonlyMap<string, CredentialFactory>;
  /** The avatar interfaces requested where no `@AvatarInterface` applies. */
  readonly interfaces: readonly InterfaceToken[];
  /** Makes the mind from the request; undefined means the request is the mind. */
  readonly mind?: MindFactory;
}

// RFC 9110 §11.1: auth-scheme = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Builds the guard settings from the portal options. Throws `TypeError` for a
 * factory without a valid scheme, `getChallenge` or `decode`, and for two
 * factories of one scheme (schemes are case-insensitive).
 */
export function createGuardSettings(options: PortalOptions): PortalGuardSettings {
  const credentialFactories = Object.freeze([...(options.credentialFactories ?? [])]);
  const factoriesByScheme = new Map<string, CredentialFactory>();

  credentialFactories.forEach((factory, index) => {
    const where = `PortalModule option "credentialFactories[${index}]"`;
    if (typeof factory !== 'object' || factory === null) {
      throw new TypeError(`${where} must be a credential factory object.`);
    }
    if (typeof factory.scheme !== 'string' || !TOKEN.test(factory.scheme)) {
      throw new TypeError(`${where} needs a scheme that is an HTTP token, such as "Basic".`);
    }
    if (typeof factory.getChallenge !== 'function' || typeof factory.decode !== 'function') {
      throw new TypeError(
        `${where} (${factory.scheme}) needs getChallenge() and decode() methods.`,
      );
    }
    const scheme = factory.scheme.toLowerCase();
    if (factoriesByScheme.has(scheme)) {
      throw new TypeError(
        `${where} repeats the scheme ${factory.scheme}; give one factory per scheme.`,
      );
    }
    factoriesByScheme.set(scheme, factory);
  });

  return {
    credentialFactories,
    factoriesByScheme,
    interfaces: Object.freeze([...(options.interfaces ?? [])]),
    mind: options.mind,
  };
}
