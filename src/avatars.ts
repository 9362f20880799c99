/** The demo's avatar interfaces and the classes that provide them. */
import { defineInterface, Implements } from 'nestjs-portal';

/** The client's identity: every request gets one, anonymous requests included. */
export interface IIdentity {
  /** The username, or `anonymous`. */
  readonly name: string;
  readonly anonymous: boolean;
}
export const IIdentity = defineInterface<IIdentity>('IIdentity');

/** One message in a mailbox. */
export interface Message {
  readonly from: string;
  readonly subject: string;
}

/** A signed-in user's mailbox. */
export interface IMailbox {
  readonly owner: string;
  messages(): readonly Message[];
}
export const IMailbox = defineInterface<IMailbox>('IMailbox');

/** The right to get demo bearer tokens, for a user who signed in with a password. */
export interface ITokenIssuer {
  /** The username that tokens are issued for. */
  readonly name: string;
}
export const ITokenIssuer = defineInterface<ITokenIssuer>('ITokenIssuer');

/** The administration console, for admins only. */
export interface IAdmin {
  readonly name: string;
  /** Usernames that have signed in since the server started. */
  knownUsers(): readonly string[];
}
export const IAdmin = defineInterface<IAdmin>('IAdmin');

@Implements(IIdentity)
export class Identity implements IIdentity {
  constructor(
    readonly name: string,
    readonly anonymous: boolean,
  ) {}
}

@Implements(IMailbox)
export class Mailbox implements IMailbox {
  constructor(
    readonly owner: string,
    private readonly inbox: readonly Message[],
  ) {}

  messages(): readonly Message[] {
    return this.inbox;
  }
}

@Implements(ITokenIssuer)
export class TokenIssuer implements ITokenIssuer {
  constructor(readonly name: string) {}
}

@Implements(IAdmin)
export class AdminConsole implements IAdmin {
  constructor(
    readonly name: string,
    private readonly users: () => readonly string[],
  ) {}

  knownUsers(): readonly string[] {
    return this.users();
  }
}
