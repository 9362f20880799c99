/**
 * A realm, avatars and controllers shared by the e2e tests: IIdentity for
 * everyone, IMailbox for signed-in users, IAdmin for admins. The realm counts
 * logins and logouts per avatar id.
 */
import { Controller, Get, Injectable, UseGuards } from '@nestjs/common';
import {
  ANONYMOUS,
  Avatar,
  AvatarInterface,
  type AvatarId,
  defineInterface,
  Implements,
  type InterfaceToken,
  type IRealm,
  type LoginResult,
  LoginDenied,
  PortalGuard,
} from 'nestjs-portal';

export interface ITestIdentity {
  readonly name: string;
}
export const ITestIdentity = defineInterface<ITestIdentity>('ITestIdentity');
export interface ITestMailbox {
  readonly name: string;
}
export const ITestMailbox = defineInterface<ITestMailbox>('ITestMailbox');
export interface ITestAdmin {
  readonly name: string;
}
export const ITestAdmin = defineInterface<ITestAdmin>('ITestAdmin');

@Implements(ITestIdentity)
class TestIdentity {
  constructor(readonly name: string) {}
}
@Implements(ITestMailbox)
class TestMailbox {
  constructor(readonly name: string) {}
}
@Implements(ITestAdmin)
class TestAdmin {
  constructor(readonly name: string) {}
}

/** Login and logout counts of the test realm. */
export class RealmCounters {
  logins = 0;
  logouts = 0;
  readonly logoutsByUser = new Map<string, number>();

  reset(): void {
    this.logins = 0;
    this.logouts = 0;
    this.logoutsByUser.clear();
  }
}

@Injectable()
export class TestRealm implements IRealm {
  static readonly admins = new Set(['admin']);
  readonly counters = new RealmCounters();
  /** Replaced by tests that need a failing logout. */
  onLogout: (name: string) => void | Promise<void> = () => {};

  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: InterfaceToken[]): LoginResult {
    const name = avatarId === ANONYMOUS ? 'anonymous' : avatarId;
    const signedIn = avatarId !== ANONYMOUS;
    for (const avatarInterface of interfaces) {
      let avatar: object | undefined;
      if (avatarInterface === ITestIdentity) {
        avatar = new TestIdentity(name);
      } else if (avatarInterface === ITestMailbox && signedIn) {
        avatar = new TestMailbox(name);
      } else if (avatarInterface === ITestAdmin && signedIn && TestRealm.admins.has(name)) {
        avatar = new TestAdmin(name);
      }
      if (avatar) {
        this.counters.logins++;
        return [avatarInterface, avatar, () => this.logout(name)];
      }
    }
    throw new LoginDenied(`${name} may not have ${interfaces.map((i) => i.name).join(', ')}.`);
  }

  private logout(name: string): void | Promise<void> {
    this.counters.logouts++;
    this.counters.logoutsByUser.set(name, (this.counters.logoutsByUser.get(name) ?? 0) + 1);
    return this.onLogout(name);
  }
}

/** The JSON body of each test route: the interface the realm chose and the avatar's name. */
export interface AvatarBody {
  interface: string;
  name: string;
}

@UseGuards(PortalGuard)
@Controller()
export class TestAvatarController {
  @AvatarInterface(ITestIdentity)
  @Get('whoami')
  whoami(@Avatar() identity: ITestIdentity): AvatarBody {
    return { interface: ITestIdentity.name, name: identity.name };
  }

  @AvatarInterface(ITestMailbox)
  @Get('mailbox')
  mailbox(@Avatar() mailbox: ITestMailbox): AvatarBody {
    return { interface: ITestMailbox.name, name: mailbox.name };
  }

  @AvatarInterface(ITestAdmin)
  @Get('admin')
  admin(@Avatar() admin: ITestAdmin): AvatarBody {
    return { interface: ITestAdmin.name, name: admin.name };
  }
}
