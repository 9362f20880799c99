/**
 * The avatar id of a login, recorded for the audit events of `PortalGuard`,
 * because `Portal.login` returns the avatar but not the id that the checker
 * returned.
 */
import type { InterfaceToken } from '../core/interface-token.js';
import type { AvatarId, IRealm, LoginResult } from '../core/realm.js';

/**
 * A mind that the guard passes to `Portal.login` in place of the real one.
 * The realm that `recordAvatarIds` wraps stores the avatar id here and hands
 * the application's realm `mind`, so the application never receives this object.
 */
export class RecordingMind {
  /** The avatar id the checker returned; undefined until the realm is called. */
  avatarId?: AvatarId;

  constructor(readonly mind: unknown) {}
}

const RECORDS_AVATAR_IDS = Symbol('nestjs-portal.records-avatar-ids');

/**
 * Wraps `realm` so that `requestAvatar` records the avatar id on a
 * `RecordingMind` and passes the mind inside it on; any other mind passes
 * through unchanged. Other properties are read from and written to `realm`
 * itself (methods are bound to it), so `portal.realm.someMethod()` and
 * `portal.realm instanceof MyRealm` work as before.
 *
 * NOTE: `portal.realm === myRealm` is false, and `Object.keys(portal.realm)`
 * is empty. A core `Portal.login` that also returned the avatar id would make
 * this wrapper unnecessary.
 */
export function recordAvatarIds(realm: IRealm): IRealm {
  const requestAvatar = (
    avatarId: AvatarId,
    mind: unknown,
    ...interfaces: InterfaceToken[]
  ): LoginResult | Promise<LoginResult> => {
    if (mind instanceof RecordingMind) {
      mind.avatarId = avatarId;
      return realm.requestAvatar(avatarId, mind.mind, ...interfaces);
    }
    return realm.requestAvatar(avatarId, mind, ...interfaces);
  };

  // The proxy's target is an empty object with the realm's prototype, not the
  // realm, because a proxy must report a frozen target's own values unchanged,
  // and a frozen realm is allowed.
  const target = Object.create(Object.getPrototypeOf(realm) as object | null) as IRealm;
  return new Proxy(target, {
    get(_target, property) {
      if (property === 'requestAvatar') {
        return requestAvatar;
      }
      if (property === RECORDS_AVATAR_IDS) {
        return true;
      }
      const value: unknown = Reflect.get(realm, property, realm);
      return typeof value === 'function' ? value.bind(realm) : value;
    },
    set: (_target, property, value) => Reflect.set(realm, property, value, realm),
    has: (_target, property) => Reflect.has(realm, property),
  });
}

/** Tests whether `realm` was made by `recordAvatarIds`. */
export function recordsAvatarIds(realm: unknown): boolean {
  return (
    typeof realm === 'object' &&
    realm !== null &&
    (realm as { [RECORDS_AVATAR_IDS]?: unknown })[RECORDS_AVATAR_IDS] === true
  );
}
