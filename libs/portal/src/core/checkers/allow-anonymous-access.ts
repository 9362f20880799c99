import type { ICredentialsChecker } from '../checker.js';
import { IAnonymous } from '../credentials.js';
import { ANONYMOUS, type AvatarId } from '../realm.js';

/** Lets anonymous credentials in as the avatar id `ANONYMOUS`. */
export class AllowAnonymousAccess implements ICredentialsChecker {
  readonly credentialInterfaces = [IAnonymous] as const;

  requestAvatarId(): AvatarId {
    return ANONYMOUS;
  }
}
