/** The realm: what a signed-in (or anonymous) user gets. */
import type { InterfaceToken } from './interface-token.js';

/**
 * Who the credentials belong to, as a checker decides: a username (or any
 * other stable id) for a signed-in user, or `ANONYMOUS` for a client that
 * sent no credentials and was let in as nobody in particular.
 */
export const ANONYMOUS: unique symbol = Symbol('nestjs-portal.anonymous');
export type AvatarId = string | typeof ANONYMOUS;

/**
 * Ends the user's session with the avatar and releases what the realm set up
 * for it. The caller of `Portal.login` must call it once the session ends, and
 * the guard does so when the response ends.
 */
export type Logout = () => void | Promise<void>;

/** The realm's result: the interface it chose, the avatar providing it, and its logout. */
export type LoginResult<T = unknown> = readonly [InterfaceToken<T>, T, Logout];

/** The `LoginResult` union for a list of requested interface tokens. */
export type LoginResultFor<I> = I extends InterfaceToken<infer T> ? LoginResult<T> : never;

/**
 * Turns an avatar id into an avatar.
 *
 * `requestAvatar` receives the avatar id that a checker returned, the mind
 * (the client side of the session; the HTTP request for the guard) and the
 * interfaces the caller accepts, most preferred first. It returns the first of
 * those interfaces that it can give this avatar id, an avatar providing it and
 * a logout, or rejects with `LoginDenied` when it gives none of them.
 */
export interface IRealm {
  requestAvatar(
    avatarId: AvatarId,
    mind: unknown,
    ...interfaces: InterfaceToken[]
  ): LoginResult | Promise<LoginResult>;
}
