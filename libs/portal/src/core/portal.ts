import type { ICredentialsChecker } from './checker.js';
import { IAnonymous } from './credentials.js';
import { InvalidRealmResponse, UnhandledCredentials } from './errors.js';
import { type InterfaceToken, providedInterfaces } from './interface-token.js';
import type { AvatarId, IRealm, LoginResult, LoginResultFor, Logout } from './realm.js';

/**
 * Mediates between credentials checkers and a realm.
 *
 * A client hands `login` its credentials. The checker registered for those
 * credentials returns whose they are (the avatar id), and the realm then
 * returns that user's avatar. The caller gets the avatar and a logout that it must call
 * when the session ends.
 */
export class Portal {
  // Insertion-ordered: the order in which `login` tries credential interfaces.
  private readonly checkers = new Map<InterfaceToken, ICredentialsChecker>();

  constructor(
    readonly realm: IRealm,
    checkers: Iterable<ICredentialsChecker> = [],
  ) {
    if (!realm || typeof realm.requestAvatar !== 'function') {
      throw new TypeError('Portal needs a realm: an object with a requestAvatar() method.');
    }
    for (const checker of checkers) {
      this.registerChecker(checker);
    }
  }

  /**
   * Registers `checker` for `credentialInterfaces`, or for
   * `checker.credentialInterfaces` when none are given. A later registration
   * for an interface replaces the earlier one and keeps its place in the order.
   */
  registerChecker(checker: ICredentialsChecker, ...credentialInterfaces: InterfaceToken[]): void {
    if (!checker || typeof checker.requestAvatarId !== 'function') {
      throw new TypeError('registerChecker() needs a checker with a requestAvatarId() method.');
    }
    const interfaces =
      credentialInterfaces.length > 0 ? credentialInterfaces : checker.credentialInterfaces;
    if (!interfaces || interfaces.length === 0) {
      throw new TypeError(
        `Checker ${describe(checker)} names no credential interfaces: set its ` +
          'credentialInterfaces or pass them to registerChecker().',
      );
    }
    for (const credentialInterface of interfaces) {
      this.checkers.set(credentialInterface, checker);
    }
  }

  /** Returns the credential interfaces that have a checker, in registration order. */
  listCredentialsInterfaces(): InterfaceToken[] {
    return [...this.checkers.keys()];
  }

  /** Returns the checker that `login` would use for `credentials`, if any. */
  checkerFor(credentials: unknown): ICredentialsChecker | undefined {
    const provided = providedInterfaces(credentials);
    for (const [credentialInterface, checker] of this.checkers) {
      if (provided.has(credentialInterface)) {
        return checker;
      }
    }
    return undefined;
  }

  /**
   * Logs in: finds who `credentials` belong to and gets their avatar.
   *
   * Uses the checker of the first registered credential interface that
   * `credentials` provide, then calls
   * `realm.requestAvatar(avatarId, mind, ...interfaces)`.
   *
   * Resolves to `[interface, avatar, logout]`, where `interface` is one of
   * `interfaces` and `avatar` provides it. The caller must call `logout` once
   * the session ends; calling it again does nothing and returns the first
   * call's result.
   *
   * Never throws: every failure is a rejection. Rejects with
   * `UnhandledCredentials` when no checker accepts the credentials, with the
   * checker's error unchanged when it refuses them (the realm is then not
   * called), with the realm's error unchanged (such as `LoginDenied`), with
   * `InvalidRealmResponse` when the realm returns something other than a
   * valid triple, and with `TypeError` when `interfaces` is empty.
   */
  login<const I extends readonly InterfaceToken[]>(
    credentials: unknown,
    mind: unknown,
    ...interfaces: I
  ): Promise<LoginResultFor<I[number]>> {
    // Not an async function, which would add a promise to every login.
    return this.loginWithAvatarId(credentials, mind, ...interfaces).then(resultOf);
  }

  /**
   * Logs in as `login` does, and also returns the avatar id that the checker
   * returned: resolves to `{ avatarId, result }`, where `result` is the triple
   * that `login` resolves to. Rejects with the same errors as `login`.
   *
   * A realm's error reaches the caller unchanged, so it does not carry the
   * avatar id. A caller that needs the avatar id of a login that the realm
   * refused (an audit log of denials, say) runs the two steps itself:
   * `requestAvatarId`, then `requestAvatar`.
   */
  async loginWithAvatarId<const I extends readonly InterfaceToken[]>(
    credentials: unknown,
    mind: unknown,
    ...interfaces: I
  ): Promise<AvatarLogin<I[number]>> {
    // The steps of requestAvatarId and requestAvatar, inlined, because every
    // async call saved here saves a promise on every login.
    requireInterfaces(interfaces);
    const avatarId = await this.requireChecker(credentials).requestAvatarId(credentials);
    const response: unknown = await this.realm.requestAvatar(avatarId, mind, ...interfaces);
    return { avatarId, result: acceptRealmResponse(response, interfaces) };
  }

  /**
   * The first step of `login`: calls the checker of the first registered
   * credential interface that `credentials` provide, and resolves to the
   * avatar id it returns.
   *
   * Never throws. Rejects with `UnhandledCredentials` when no checker accepts
   * the credentials, and with the checker's error unchanged when it refuses them.
   */
  async requestAvatarId(credentials: unknown): Promise<AvatarId> {
    return this.requireChecker(credentials).requestAvatarId(credentials);
  }

  /**
   * The second step of `login`: calls
   * `realm.requestAvatar(avatarId, mind, ...interfaces)`, validates its result,
   * and resolves to `[interface, avatar, logout]` with a logout that runs the
   * realm's logout at most once. The caller must call `logout` once the
   * session ends.
   *
   * Never throws. Rejects with the realm's error unchanged (such as
   * `LoginDenied`), with `InvalidRealmResponse` when the realm returns
   * something other than a valid triple, and with `TypeError` when
   * `interfaces` is empty (the realm is then not called).
   */
  async requestAvatar<const I extends readonly InterfaceToken[]>(
    avatarId: AvatarId,
    mind: unknown,
    ...interfaces: I
  ): Promise<LoginResultFor<I[number]>> {
    requireInterfaces(interfaces);
    const response: unknown = await this.realm.requestAvatar(avatarId, mind, ...interfaces);
    return acceptRealmResponse(response, interfaces);
  }

  // Throws UnhandledCredentials, saying what the credentials provide, what is
  // registered, and what to add, when no checker accepts them.
  private requireChecker(credentials: unknown): ICredentialsChecker {
    const checker = this.checkerFor(credentials);
    if (checker) {
      return checker;
    }

    const provided = providedInterfaces(credentials);
    const found =
      `No checker is registered for credentials providing ${listNames(provided)}; ` +
      `registered: ${listNames(this.checkers.keys())}.`;
    if (provided.has(IAnonymous)) {
      throw new UnhandledCredentials(
        `${found} Add AllowAnonymousAccess (or the checker string 'anonymous') to let in ` +
          'requests without credentials.',
      );
    }
    if (provided.size === 0) {
      throw new UnhandledCredentials(
        `${found} Declare what the credentials provide with @Implements on their class ` +
          'or with alsoProvides().',
      );
    }
    throw new UnhandledCredentials(
      `${found} Register a checker for one of the interfaces these credentials provide.`,
    );
  }
}

/** The result of `Portal.loginWithAvatarId`: the avatar id and the login result. */
export interface AvatarLogin<I> {
  /** The avatar id that the checker returned. */
  readonly avatarId: AvatarId;
  /** `[interface, avatar, logout]`, as `Portal.login` resolves to it. */
  readonly result: LoginResultFor<I>;
}

function resultOf<I>(login: AvatarLogin<I>): LoginResultFor<I> {
  return login.result;
}

function requireInterfaces(interfaces: readonly InterfaceToken[]): void {
  if (interfaces.length === 0) {
    throw new TypeError(
      'A Portal login needs at least one avatar interface to request; none was given.',
    );
  }
}

// Validates the realm's result and makes its logout run at most once.
function acceptRealmResponse<I extends readonly InterfaceToken[]>(
  response: unknown,
  requested: I,
): LoginResultFor<I[number]> {
  const [avatarInterface, avatar, logout] = validateRealmResponse(response, requested);
  return [avatarInterface, avatar, logoutOnce(logout)] as unknown as LoginResultFor<I[number]>;
}

function validateRealmResponse(result: unknown, requested: readonly InterfaceToken[]): LoginResult {
  if (!Array.isArray(result) || result.length !== 3) {
    throw new InvalidRealmResponse(
      'The realm must return [interface, avatar, logout] from requestAvatar(), ' +
        `but returned ${describeValue(result)}.`,
    );
  }
  const [avatarInterface, avatar, logout] = result as [unknown, unknown, unknown];
  if (!requested.includes(avatarInterface as InterfaceToken)) {
    throw new InvalidRealmResponse(
      `The realm returned interface ${describeValue(avatarInterface)}, which was ` +
        `not requested; requested: ${listNames(requested)}.`,
    );
  }
  const token = avatarInterface as InterfaceToken;
  if (!token.providedBy(avatar)) {
    throw new InvalidRealmResponse(
      `The realm's avatar for ${token.name} does not provide ${token.name}; it provides ` +
        `${listNames(providedInterfaces(avatar))}. Declare it with @Implements(${token.name}) ` +
        `on its class or alsoProvides(avatar, ${token.name}).`,
    );
  }
  if (typeof logout !== 'function') {
    throw new InvalidRealmResponse(
      `The realm's logout for ${token.name} must be a function, but is ${describeValue(logout)}.`,
    );
  }
  return [token, avatar, logout as Logout];
}

function logoutOnce(logout: Logout): Logout {
  let outcome: Promise<void> | undefined;
  return () => {
    // Run the realm's logout once; later calls get the same outcome.
    outcome ??= (async () => logout())();
    return outcome;
  };
}

function listNames(tokens: Iterable<InterfaceToken>): string {
  const names = [...tokens].map((token) => token.name);
  return names.length > 0 ? names.join(', ') : '(none)';
}

function describe(checker: object): string {
  return checker.constructor?.name || 'object';
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `an array of ${value.length}`;
  }
  if (typeof value === 'object' && 'name' in value && 'providedBy' in value) {
    return String((value as InterfaceToken).name);
  }
  return typeof value === 'object' ? `an object (${describe(value)})` : typeof value;
}
