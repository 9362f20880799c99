import { Injectable } from '@nestjs/common';
import {
  ANONYMOUS,
  type AvatarId,
  type InterfaceToken,
  type IRealm,
  type LoginResult,
  LoginDenied,
} from 'nestjs-portal';

import {
  AdminConsole,
  IAdmin,
  IIdentity,
  IMailbox,
  Identity,
  ITokenIssuer,
  Mailbox,
  TokenIssuer,
} from './avatars.js';

/** The demo users who get the `IAdmin` avatar. */
export const DEMO_ADMINS: ReadonlySet<string> = new Set(['admin']);

// Bounds the list that the admin console shows.
const MAX_KNOWN_USERS = 1000;

/**
 * The demo's realm: `IIdentity` for everyone (anonymous included), `IMailbox`
 * for every signed-in user, `ITokenIssuer` for a user who signed in with a
 * password (Basic or Digest, not a bearer token), `IAdmin` for the users in
 * `DEMO_ADMINS`. It gives the first requested interface it can and denies the
 * rest with `LoginDenied`.
 */
@Injectable()
export class DemoRealm implements IRealm {
  private readonly knownUsers = new Set<string>();

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: InterfaceToken[]): LoginResult {
    const name = avatarId === ANONYMOUS ? undefined : avatarId;
    if (name !== undefined && this.knownUsers.size < MAX_KNOWN_USERS) {
      this.knownUsers.add(name);
    }

    for (const avatarInterface of interfaces) {
      if (avatarInterface === IIdentity) {
        return [IIdentity, new Identity(name ?? 'anonymous', name === undefined), noLogout];
      }
      if (avatarInterface === IMailbox && name !== undefined) {
        return [IMailbox, new Mailbox(name, welcomeMessages(name)), noLogout];
      }
      if (avatarInterface === ITokenIssuer && name !== undefined && signedInWithPassword(mind)) {
        return [ITokenIssuer, new TokenIssuer(name), noLogout];
      }
      if (avatarInterface === IAdmin && name !== undefined && DEMO_ADMINS.has(name)) {
        return [IAdmin, new AdminConsole(name, () => [...this.knownUsers]), noLogout];
      }
    }
    const requested = interfaces.map((token) => token.name).join(', ');
    if (name === undefined) {
      throw new LoginDenied(`Sign in to get ${requested}.`);
    }
    if (interfaces.includes(ITokenIssuer)) {
      throw new LoginDenied('Tokens are issued to a login with a password (Basic or Digest).');
    }
    throw new LoginDenied(`User ${name} may not have ${requested}.`);
  }
}

// The mind is the framework's request, so the realm can tell how the user
// signed in, and a token cannot be exchanged for a fresh one.
function signedInWithPassword(mind: unknown): boolean {
  const authorization = (mind as { headers?: Record<string, unknown> } | null)?.headers
    ?.authorization;
  return typeof authorization === 'string' && /^(basic|digest) /i.test(authorization);
}

// The demo's avatars hold no resources, so there is nothing to release.
function noLogout(): void {}

function welcomeMessages(name: string) {
  return [
    { from: 'postmaster', subject: `Welcome, ${name}` },
    { from: 'nestjs-portal', subject: 'Your avatar came from the DemoRealm' },
  ];
}
