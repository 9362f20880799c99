import type { InterfaceToken } from '../core/interface-token.js';
import { LoginThrottle, type LoginThrottleOptions } from '../core/security/login-throttle.js';
import type { CredentialFactory, HttpRequestLike } from '../http/credential-factory.js';
import type { MindFactory, PortalOptions } from './portal-module-options.js';

/** The methods of `LoginThrottle` that the guard calls. */
export type GuardThrottle = Pick<LoginThrottle, 'check' | 'recordFailure' | 'recordSuccess'>;

/** The module options that `PortalGuard` reads, checked and indexed once at bootstrap. */
export interface PortalGuardSettings {
  /** The credential factories, in the order of the challenges of a 401. */
  readonly credentialFactories: readonly CredentialFactory[];
  /** The same factories by lower-case scheme, each list in configured order. */
  readonly factoriesByScheme: ReadonlyMap<string, readonly CredentialFactory[]>;
  /** The avatar interfaces requested where no `@AvatarInterface` applies. */
  readonly interfaces: readonly InterfaceToken[];
  /** Makes the mind from the request; undefined means the request is the mind. */
  readonly mind?: MindFactory;
  /** Limits failed logins; undefined when throttling is off. */
  readonly throttle?: GuardThrottle;
}

// RFC 9110 §11.1: auth-scheme = token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Builds the guard settings from the portal options. Throws `TypeError` for a
 * factory without a valid scheme, `getChallenge` or `decode`, or with
 * `credentialInterfaces` that are not interface tokens, and
 * `RangeError` for invalid throttle limits.
 *
 * Several factories may share a scheme (compared case-insensitively). A later
 * one without `accepts` can never decode, because the guard falls back to
 * the first of a scheme; `warn` receives a message naming it.
 */
export function createGuardSettings(
  options: PortalOptions,
  warn: (message: string) => void = () => {},
): PortalGuardSettings {
  const credentialFactories = Object.freeze([...(options.credentialFactories ?? [])]);
  const factoriesByScheme = new Map<string, CredentialFactory[]>();

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
    if (
      factory.credentialInterfaces !== undefined &&
      !(
        Array.isArray(factory.credentialInterfaces) &&
        factory.credentialInterfaces.every(isInterfaceToken)
      )
    ) {
      throw new TypeError(
        `${where} (${factory.scheme}) has credentialInterfaces that are not a list of ` +
          'interface tokens made by defineInterface().',
      );
    }
    if (factory.accepts !== undefined && typeof factory.accepts !== 'function') {
      throw new TypeError(
        `${where} (${factory.scheme}) has an accepts property that is not a function; ` +
          'remove it or make it a method.',
      );
    }

    const scheme = factory.scheme.toLowerCase();
    const sameScheme = factoriesByScheme.get(scheme);
    if (!sameScheme) {
      factoriesByScheme.set(scheme, [factory]);
      return;
    }
    if (typeof factory.accepts !== 'function') {
      warn(
        `credentialFactories[${index}] (${factory.scheme}) shares its scheme with an earlier ` +
          'factory and has no accepts() method, so it only adds a challenge: the first ' +
          `${factory.scheme} factory decodes every ${factory.scheme} header it does not take.`,
      );
    }
    sameScheme.push(factory);
  });

  return {
    credentialFactories,
    factoriesByScheme,
    interfaces: Object.freeze([...(options.interfaces ?? [])]),
    mind: options.mind,
    throttle: resolveThrottle(options.throttle),
  };
}

/**
 * Returns the factory that decodes credentials of `scheme`: the only factory
 * of that scheme, else the first whose `accepts(credentials, request)`
 * returns true, else the first of that scheme. Returns undefined when no
 * factory has the scheme.
 */
export function selectCredentialFactory(
  settings: PortalGuardSettings,
  scheme: string,
  credentials: string,
  request: HttpRequestLike,
): CredentialFactory | undefined {
  const candidates = settings.factoriesByScheme.get(scheme.toLowerCase());
  if (!candidates || candidates.length === 1) {
    return candidates?.[0];
  }
  for (const factory of candidates) {
    if (factory.accepts?.(credentials, request) === true) {
      return factory;
    }
  }
  return candidates[0];
}

function isInterfaceToken(value: unknown): value is InterfaceToken {
  const token = value as Partial<InterfaceToken> | null;
  return (
    typeof token === 'object' &&
    token !== null &&
    typeof token.name === 'string' &&
    typeof token.isOrExtends === 'function'
  );
}

function resolveThrottle(
  option: LoginThrottle | LoginThrottleOptions | false | undefined,
): GuardThrottle | undefined {
  if (option === undefined || option === false) {
    return undefined;
  }
  const candidate = option as Partial<Record<keyof GuardThrottle, unknown>>;
  const methods = [candidate.check, candidate.recordFailure, candidate.recordSuccess];
  const methodCount = methods.filter((method) => typeof method === 'function').length;
  if (methodCount === methods.length) {
    return option as GuardThrottle;
  }
  if (methodCount > 0) {
    throw new TypeError(
      'PortalModule option "throttle" has some but not all of the methods check(), ' +
        'recordFailure() and recordSuccess(); pass a LoginThrottle or its options.',
    );
  }
  return new LoginThrottle(option as LoginThrottleOptions);
}
