import { randomBytes } from 'node:crypto';

import type { ICredentialsChecker } from '../checker.js';
import {
  IUsernameHashedPassword,
  IUsernamePassword,
  type IUsernameHashedPassword as UsernameHashedPasswordCredentials,
  type IUsernamePassword as UsernamePasswordCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { AvatarId } from '../realm.js';
import type { Secret } from '../secrets.js';

/**
 * Checks usernames and passwords against plain-text passwords kept in memory.
 * Meant for tests, demos and small fixed user lists; the passwords live in the
 * process as given.
 *
 * Accepts `IUsernamePassword` and `IUsernameHashedPassword`. An unknown user
 * costs the same comparison as a wrong password and gets the same error.
 */
export class InMemoryUsernamePasswordDatabase implements ICredentialsChecker<
  UsernamePasswordCredentials | UsernameHashedPasswordCredentials
> {
  readonly credentialInterfaces = [IUsernamePassword, IUsernameHashedPassword] as const;

  private readonly users = new Map<string, Secret>();
  // Compared against when the user is unknown, so that both cases do the same work.
  private readonly decoyPassword = randomBytes(32).toString('base64url');

  constructor(users: Iterable<readonly [string, Secret]> | Record<string, Secret> = {}) {
    const entries = Symbol.iterator in users ? users : Object.entries(users);
    for (const [username, password] of entries as Iterable<readonly [string, Secret]>) {
      this.addUser(username, password);
    }
  }

  /** Adds a user, or replaces the password of an existing one. */
  addUser(username: string, password: Secret): this {
    if (typeof username !== 'string') {
      throw new TypeError('addUser() needs the username as a string.');
    }
    this.users.set(username, password);
    return this;
  }

  async requestAvatarId(
    credentials: UsernamePasswordCredentials | UsernameHashedPasswordCredentials,
  ): Promise<AvatarId> {
    const stored = this.users.get(credentials.username);
    const matches = await credentials.checkPassword(stored ?? this.decoyPassword);
    if (stored === undefined || !matches) {
      throw new UnauthorizedLogin();
    }
    return credentials.username;
  }
}
