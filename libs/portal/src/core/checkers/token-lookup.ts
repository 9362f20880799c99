import type { ICredentialsChecker } from '../checker.js';
import { UnauthorizedLogin } from '../errors.js';
import type { AvatarId } from '../realm.js';
import { IToken, type IToken as TokenCredentials } from '../token-credentials.js';

/**
 * Finds who an opaque token belongs to: resolves to the avatar id, or to null
 * or undefined for an unknown, expired or revoked token.
 */
export type TokenLookup = (
  token: string,
) => AvatarId | null | undefined | Promise<AvatarId | null | undefined>;

/**
 * Checks opaque tokens (API keys, session tokens, OAuth access tokens that a
 * server stores) with an application's lookup function.
 *
 * Rejects with `UnauthorizedLogin` when the lookup finds nothing. An error
 * thrown by the lookup itself (a database that is down) is passed on as it is,
 * since it is no failed login.
 */
export class TokenLookupChecker implements ICredentialsChecker<TokenCredentials> {
  readonly credentialInterfaces = [IToken] as const;

  constructor(private readonly lookup: TokenLookup) {
    if (typeof lookup !== 'function') {
      throw new TypeError('TokenLookupChecker needs a lookup function: (token) => avatar id.');
    }
  }

  async requestAvatarId(credentials: TokenCredentials): Promise<AvatarId> {
    const avatarId = await this.lookup(credentials.token);
    if (avatarId === null || avatarId === undefined) {
      throw new UnauthorizedLogin('Invalid or expired access token.');
    }
    if (typeof avatarId !== 'string' && typeof avatarId !== 'symbol') {
      throw new TypeError(
        'The token lookup must resolve to an avatar id (a string), null or undefined.',
      );
    }
    return avatarId;
  }
}
