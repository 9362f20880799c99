import type { InterfaceToken } from '../core/interface-token.js';
import type { PortalAuditOptions, PortalOptions } from './portal-module-options.js';

/**
 * Checks the shape of the portal options, so that a mistake fails at
 * bootstrap with a message naming the option instead of on the first request.
 * Returns the options; throws `TypeError`.
 */
export function validatePortalOptions(options: unknown): PortalOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('PortalModule needs an options object with at least a realm.');
  }
  const { realm, checkers, credentialFactories, interfaces, mind, throttle, audit } =
    options as PortalOptions;

  if (
    typeof realm !== 'function' &&
    (typeof realm !== 'object' || realm === null || typeof realm.requestAvatar !== 'function')
  ) {
    throw new TypeError(
      'PortalModule option "realm" must be a realm (an object with requestAvatar()) or an ' +
        'injectable realm class.',
    );
  }
  if (checkers !== undefined) {
    requireArray(checkers, 'checkers').forEach((checker, index) => {
      const valid =
        typeof checker === 'string' ||
        typeof checker === 'function' ||
        (typeof checker === 'object' &&
          checker !== null &&
          typeof (checker as { requestAvatarId?: unknown }).requestAvatarId === 'function');
      if (!valid) {
        throw new TypeError(
          `PortalModule option "checkers[${index}]" must be a checker (an object with ` +
            'requestAvatarId()), an injectable checker class, or a checker string.',
        );
      }
    });
  }
  if (credentialFactories !== undefined) {
    requireArray(credentialFactories, 'credentialFactories');
  }
  if (interfaces !== undefined) {
    requireArray(interfaces, 'interfaces').forEach((token, index) => {
      if (!isInterfaceToken(token)) {
        throw new TypeError(
          `PortalModule option "interfaces[${index}]" must be an interface token made by ` +
            'defineInterface().',
        );
      }
    });
  }
  if (mind !== undefined && typeof mind !== 'function') {
    throw new TypeError('PortalModule option "mind" must be a function of the request.');
  }
  if (throttle !== undefined && throttle !== false && !isNonArrayObject(throttle)) {
    throw new TypeError(
      'PortalModule option "throttle" must be a LoginThrottle, LoginThrottleOptions ' +
        '(such as {} for the defaults) or false.',
    );
  }
  if (audit !== undefined && audit !== false) {
    validateAuditOptions(audit);
  }
  return options as PortalOptions;
}

function validateAuditOptions(audit: unknown): void {
  if (!isNonArrayObject(audit)) {
    throw new TypeError(
      'PortalModule option "audit" must be an object such as { listeners, log } or false.',
    );
  }
  const { listeners, log } = audit as PortalAuditOptions;
  if (listeners !== undefined) {
    requireArray(listeners, 'audit.listeners').forEach((listener, index) => {
      if (typeof listener !== 'function') {
        throw new TypeError(
          `PortalModule option "audit.listeners[${index}]" must be a function of the audit event.`,
        );
      }
    });
  }
  if (log !== undefined && typeof log !== 'boolean' && !isNonArrayObject(log)) {
    throw new TypeError(
      'PortalModule option "audit.log" must be true, false or AuditLogListenerOptions.',
    );
  }
}

function isNonArrayObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireArray(value: unknown, name: string): readonly unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`PortalModule option "${name}" must be an array.`);
  }
  return value;
}

/** Tests whether a value looks like a token made by `defineInterface()`. */
export function isInterfaceToken(value: unknown): value is InterfaceToken {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as InterfaceToken).name === 'string' &&
    typeof (value as InterfaceToken).providedBy === 'function' &&
    typeof (value as InterfaceToken).isOrExtends === 'function'
  );
}
