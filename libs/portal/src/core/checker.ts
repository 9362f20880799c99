/** The contract of credentials checkers. */
import type { InterfaceToken } from './interface-token.js';
import type { AvatarId } from './realm.js';

/**
 * Decides who credentials belong to.
 *
 * `credentialInterfaces` names the credential interfaces the checker accepts;
 * the portal only passes it credentials that provide one of them.
 * `requestAvatarId` returns (or resolves to) the avatar id, or throws (or
 * rejects with) a `LoginFailed`, usually `UnauthorizedLogin`, when the
 * credentials are wrong. An unknown user and a wrong password must get the
 * same error and, as far as the checker can manage, the same amount of work.
 */
export interface ICredentialsChecker<C = unknown> {
  readonly credentialInterfaces: readonly InterfaceToken[];
  requestAvatarId(credentials: C): AvatarId | Promise<AvatarId>;
}
