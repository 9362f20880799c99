import { jest } from '@jest/globals';

import type { ICredentialsChecker } from './checker.js';
import { AllowAnonymousAccess } from './checkers/allow-anonymous-access.js';
import { InMemoryUsernamePasswordDatabase } from './checkers/in-memory.js';
import {
  Anonymous,
  IAnonymous,
  IUsernameHashedPassword,
  IUsernamePassword,
  UsernameHashedPassword,
  UsernamePassword,
} from './credentials.js';
import {
  InvalidRealmResponse,
  LoginDenied,
  LoginFailed,
  UnauthorizedLogin,
  UnhandledCredentials,
} from './errors.js';
import {
  alsoProvides,
  defineInterface,
  Implements,
  type InterfaceToken,
} from './interface-token.js';
import { Portal } from './portal.js';
import { ANONYMOUS, type AvatarId, type IRealm, type LoginResult } from './realm.js';

interface IMailbox {
  readonly owner: string;
}
const IMailbox = defineInterface<IMailbox>('IMailbox');
interface IAdmin {
  readonly name: string;
}
const IAdmin = defineInterface<IAdmin>('IAdmin');

/** A realm that gives every avatar id a mailbox and records its calls. */
class MailboxRealm implements IRealm {
  readonly calls: Array<{ avatarId: AvatarId; mind: unknown; interfaces: InterfaceToken[] }> = [];
  logouts = 0;

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: InterfaceToken[]): LoginResult {
    this.calls.push({ avatarId, mind, interfaces });
    if (!interfaces.includes(IMailbox)) {
      throw new LoginDenied();
    }
    const owner = avatarId === ANONYMOUS ? 'anonymous' : avatarId;
    const mailbox = alsoProvides({ owner }, IMailbox);
    return [IMailbox, mailbox, () => void this.logouts++];
  }
}

/** A checker that returns a fixed avatar id and counts its calls. */
function fixedChecker(avatarId: AvatarId, ...interfaces: InterfaceToken[]) {
  const checker = {
    credentialInterfaces: interfaces,
    calls: 0,
    requestAvatarId(): AvatarId {
      checker.calls += 1;
      return avatarId;
    },
  };
  return checker;
}

// Credentials that provide two interfaces at once.
@Implements(IUsernamePassword, IUsernameHashedPassword)
class DoubleCredentials extends UsernamePassword {}

describe('Portal construction', () => {
  it('rejects a missing realm', () => {
    expect(() => new Portal(undefined as unknown as IRealm)).toThrow(/needs a realm/);
  });

  it('registers the checkers it is given, in order', () => {
    const portal = new Portal(new MailboxRealm(), [
      new AllowAnonymousAccess(),
      new InMemoryUsernamePasswordDatabase(),
    ]);
    expect(portal.listCredentialsInterfaces()).toEqual([
      IAnonymous,
      IUsernamePassword,
      IUsernameHashedPassword,
    ]);
  });
});

describe('Portal.registerChecker', () => {
  it('uses the given interfaces over the checker’s own', () => {
    const portal = new Portal(new MailboxRealm());
    portal.registerChecker(new InMemoryUsernamePasswordDatabase(), IUsernameHashedPassword);
    expect(portal.listCredentialsInterfaces()).toEqual([IUsernameHashedPassword]);
  });

  it('replaces an earlier registration and keeps its place', async () => {
    const first = fixedChecker('first', IUsernamePassword);
    const other = fixedChecker('other', IAnonymous);
    const second = fixedChecker('second', IUsernamePassword);
    const portal = new Portal(new MailboxRealm(), [first, other]);
    portal.registerChecker(second);

    expect(portal.listCredentialsInterfaces()).toEqual([IUsernamePassword, IAnonymous]);
    const [, avatar] = await portal.login(new UsernamePassword('x', 'y'), null, IMailbox);
    expect(avatar.owner).toBe('second');
    expect(first.calls).toBe(0);
  });

  it('rejects a checker without credential interfaces', () => {
    const portal = new Portal(new MailboxRealm());
    expect(() => portal.registerChecker(fixedChecker('x'))).toThrow(
      /names no credential interfaces/,
    );
  });

  it('rejects an object that is not a checker', () => {
    const portal = new Portal(new MailboxRealm());
    expect(() => portal.registerChecker({} as ICredentialsChecker)).toThrow(TypeError);
  });
});

describe('Portal.login', () => {
  it('resolves to the interface, the avatar and a logout', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
    const mind = { peer: '127.0.0.1' };

    const [avatarInterface, avatar, logout] = await portal.login(
      new UsernamePassword('alice', 'secret'),
      mind,
      IMailbox,
    );

    expect(avatarInterface).toBe(IMailbox);
    expect(avatar.owner).toBe('alice');
    expect(realm.calls).toEqual([{ avatarId: 'alice', mind, interfaces: [IMailbox] }]);
    await logout();
    expect(realm.logouts).toBe(1);
  });

  it('passes every requested interface to the realm in order', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm, [new AllowAnonymousAccess()]);
    await portal.login(new Anonymous(), null, IAdmin, IMailbox);
    expect(realm.calls[0]?.interfaces).toEqual([IAdmin, IMailbox]);
    expect(realm.calls[0]?.avatarId).toBe(ANONYMOUS);
  });

  it('uses the checker of the first registered interface the credentials provide', async () => {
    const hashedChecker = fixedChecker('from-hashed', IUsernameHashedPassword);
    const plainChecker = fixedChecker('from-plain', IUsernamePassword);
    const portal = new Portal(new MailboxRealm(), [hashedChecker, plainChecker]);

    const [, avatar] = await portal.login(new DoubleCredentials('u', 'p'), null, IMailbox);

    expect(avatar.owner).toBe('from-hashed');
    expect(plainChecker.calls).toBe(0);
  });

  it('follows registration order, not the order the credentials declare', async () => {
    const portal = new Portal(new MailboxRealm(), [
      fixedChecker('from-plain', IUsernamePassword),
      fixedChecker('from-hashed', IUsernameHashedPassword),
    ]);
    const [, avatar] = await portal.login(new DoubleCredentials('u', 'p'), null, IMailbox);
    expect(avatar.owner).toBe('from-plain');
  });

  it('awaits a checker that returns a promise', async () => {
    const portal = new Portal(new MailboxRealm(), [
      {
        credentialInterfaces: [IAnonymous],
        requestAvatarId: async () => 'later',
      },
    ]);
    const [, avatar] = await portal.login(new Anonymous(), null, IMailbox);
    expect(avatar.owner).toBe('later');
  });

  it('awaits a realm that returns a promise', async () => {
    const realm: IRealm = {
      requestAvatar: async () => [IMailbox, alsoProvides({ owner: 'async' }, IMailbox), () => {}],
    };
    const portal = new Portal(realm, [new AllowAnonymousAccess()]);
    const [, avatar] = await portal.login(new Anonymous(), null, IMailbox);
    expect(avatar.owner).toBe('async');
  });

  it('turns a synchronous checker throw into a rejection', async () => {
    const error = new UnauthorizedLogin();
    const portal = new Portal(new MailboxRealm(), [
      {
        credentialInterfaces: [IAnonymous],
        requestAvatarId: () => {
          throw error;
        },
      },
    ]);
    const pending = portal.login(new Anonymous(), null, IMailbox);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBe(error);
  });

  it('passes checker errors through unchanged and skips the realm', async () => {
    const realm = new MailboxRealm();
    const error = new RangeError('database is down');
    const portal = new Portal(realm, [
      { credentialInterfaces: [IAnonymous], requestAvatarId: () => Promise.reject(error) },
    ]);
    await expect(portal.login(new Anonymous(), null, IMailbox)).rejects.toBe(error);
    expect(realm.calls).toHaveLength(0);
  });

  it('passes the realm’s LoginDenied through', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);
    await expect(portal.login(new Anonymous(), null, IAdmin)).rejects.toBeInstanceOf(LoginDenied);
  });

  it('rejects unhandled credentials, naming what they provide', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);
    const pending = portal.login(new UsernamePassword('a', 'b'), null, IMailbox);
    await expect(pending).rejects.toBeInstanceOf(UnhandledCredentials);
    await expect(pending).rejects.toThrow(
      'No checker is registered for credentials providing IUsernamePassword, ICredentials; ' +
        'registered: IAnonymous. Register a checker for one of the interfaces these ' +
        'credentials provide.',
    );
  });

  it('names AllowAnonymousAccess for unhandled anonymous credentials', async () => {
    const portal = new Portal(new MailboxRealm(), [new InMemoryUsernamePasswordDatabase()]);

    await expect(portal.login(new Anonymous(), null, IMailbox)).rejects.toThrow(
      'No checker is registered for credentials providing IAnonymous, ICredentials; ' +
        'registered: IUsernamePassword, IUsernameHashedPassword. Add AllowAnonymousAccess ' +
        "(or the checker string 'anonymous') to let in requests without credentials.",
    );
  });

  it('rejects credentials that provide nothing', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);
    await expect(portal.login({ username: 'x' }, null, IMailbox)).rejects.toThrow(
      'No checker is registered for credentials providing (none); registered: IAnonymous. ' +
        'Declare what the credentials provide with @Implements on their class or with ' +
        'alsoProvides().',
    );
  });

  it('rejects a login without interfaces with a TypeError', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);
    const pending = (portal.login as (c: unknown, m: unknown) => Promise<unknown>)(
      new Anonymous(),
      null,
    );
    await expect(pending).rejects.toBeInstanceOf(TypeError);
  });

  it('returns the realm itself', () => {
    const realm = new MailboxRealm();
    expect(new Portal(realm).realm).toBe(realm);
  });

  describe('logout', () => {
    it('runs the realm’s logout once however often it is called', async () => {
      const realm = new MailboxRealm();
      const portal = new Portal(realm, [new AllowAnonymousAccess()]);
      const [, , logout] = await portal.login(new Anonymous(), null, IMailbox);

      const results = await Promise.all([logout(), logout(), logout()]);
      await logout();

      expect(realm.logouts).toBe(1);
      expect(results).toEqual([undefined, undefined, undefined]);
    });

    it('turns a throwing logout into a rejection, once', async () => {
      let calls = 0;
      const realm: IRealm = {
        requestAvatar: () => [
          IMailbox,
          alsoProvides({ owner: 'x' }, IMailbox),
          () => {
            calls += 1;
            throw new Error('cleanup failed');
          },
        ],
      };
      const portal = new Portal(realm, [new AllowAnonymousAccess()]);
      const [, , logout] = await portal.login(new Anonymous(), null, IMailbox);

      await expect(logout()).rejects.toThrow('cleanup failed');
      await expect(logout()).rejects.toThrow('cleanup failed');
      expect(calls).toBe(1);
    });
  });

  describe('checks the realm’s answer', () => {
    const mailbox = alsoProvides({ owner: 'x' }, IMailbox);
    const cases: Array<[string, unknown, RegExp]> = [
      [
        'not an array',
        { avatar: mailbox },
        /must return \[interface, avatar, logout\] from requestAvatar\(\), but returned an object/,
      ],
      ['a pair', [IMailbox, mailbox], /but returned an array of 2/],
      ['undefined', undefined, /but returned undefined/],
      [
        'an interface not requested',
        [IAdmin, mailbox, () => {}],
        /interface IAdmin, which was not requested; requested: IMailbox/,
      ],
      [
        'a string for the interface',
        ['IMailbox', mailbox, () => {}],
        /interface string, which was not requested/,
      ],
      [
        'an avatar not providing it',
        [IMailbox, { owner: 'x' }, () => {}],
        /avatar for IMailbox does not provide IMailbox; it provides \(none\)/,
      ],
      [
        'a logout that is not a function',
        [IMailbox, mailbox, 'bye'],
        /logout for IMailbox must be a function, but is string/,
      ],
    ];

    it.each(cases)('rejects %s', async (_case, answer, message) => {
      const realm = { requestAvatar: () => answer } as unknown as IRealm;
      const portal = new Portal(realm, [new AllowAnonymousAccess()]);
      const pending = portal.login(new Anonymous(), null, IMailbox);
      await expect(pending).rejects.toBeInstanceOf(InvalidRealmResponse);
      await expect(pending).rejects.toThrow(message);
    });

    it('is not a LoginFailed', () => {
      expect(new InvalidRealmResponse('x')).not.toBeInstanceOf(LoginFailed);
    });
  });
});

describe('InMemoryUsernamePasswordDatabase', () => {
  const database = new InMemoryUsernamePasswordDatabase({ alice: 'wonderland', empty: '' });

  it('returns the username for the right password', async () => {
    await expect(
      database.requestAvatarId(new UsernamePassword('alice', 'wonderland')),
    ).resolves.toBe('alice');
  });

  it('accepts IUsernameHashedPassword credentials', async () => {
    await expect(
      database.requestAvatarId(new UsernameHashedPassword('alice', 'wonderland')),
    ).resolves.toBe('alice');
  });

  it('accepts an empty password only when the stored one is empty', async () => {
    await expect(database.requestAvatarId(new UsernamePassword('empty', ''))).resolves.toBe(
      'empty',
    );
    await expect(
      database.requestAvatarId(new UsernamePassword('alice', '')),
    ).rejects.toBeInstanceOf(UnauthorizedLogin);
  });

  it('gives an unknown user the same error as a wrong password', async () => {
    const wrongPassword = await database
      .requestAvatarId(new UsernamePassword('alice', 'nope'))
      .catch((error: unknown) => error);
    const unknownUser = await database
      .requestAvatarId(new UsernamePassword('nosuchuser', 'nope'))
      .catch((error: unknown) => error);

    expect(unknownUser).toBeInstanceOf(UnauthorizedLogin);
    expect(wrongPassword).toBeInstanceOf(UnauthorizedLogin);
    expect((unknownUser as UnauthorizedLogin).message).toBe(
      (wrongPassword as UnauthorizedLogin).message,
    );
    expect((unknownUser as UnauthorizedLogin).code).toBe('ERR_UNAUTHORIZED_LOGIN');
  });

  it('compares a password for an unknown user too', async () => {
    const credentials = new UsernamePassword('nosuchuser', 'guess');
    const checkPassword = jest.spyOn(credentials, 'checkPassword');
    await expect(database.requestAvatarId(credentials)).rejects.toBeInstanceOf(UnauthorizedLogin);
    expect(checkPassword).toHaveBeenCalledTimes(1);
  });

  it('accepts entries as pairs and addUser replaces a password', async () => {
    const pairs = new InMemoryUsernamePasswordDatabase([['bob', 'one']]);
    pairs.addUser('bob', 'two');
    await expect(pairs.requestAvatarId(new UsernamePassword('bob', 'two'))).resolves.toBe('bob');
    await expect(pairs.requestAvatarId(new UsernamePassword('bob', 'one'))).rejects.toBeInstanceOf(
      UnauthorizedLogin,
    );
  });
});

describe('errors', () => {
  it.each([
    [LoginFailed, 'ERR_LOGIN_FAILED'],
    [UnauthorizedLogin, 'ERR_UNAUTHORIZED_LOGIN'],
    [UnhandledCredentials, 'ERR_UNHANDLED_CREDENTIALS'],
    [LoginDenied, 'ERR_LOGIN_DENIED'],
  ])('%p has its name, code and base classes', (ErrorClass, code) => {
    const error = new ErrorClass();
    expect(error).toBeInstanceOf(LoginFailed);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(ErrorClass.name);
    expect(error.code).toBe(code);
  });
});

describe('LoginFailed stack', () => {
  it('holds the name and message but no frames', () => {
    const error = new UnauthorizedLogin();
    expect(error.stack).toBe('UnauthorizedLogin: Invalid username or password.');
  });

  it('leaves the stack trace limit of other errors alone', () => {
    const limit = Error.stackTraceLimit;
    new LoginDenied();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('x').stack).toContain('\n    at ');
  });
});

describe('Portal.loginWithAvatarId', () => {
  it('resolves to the avatar id and the login result', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
    const mind = { peer: '127.0.0.1' };

    const { avatarId, result } = await portal.loginWithAvatarId(
      new UsernamePassword('alice', 'secret'),
      mind,
      IMailbox,
    );
    const [avatarInterface, avatar, logout] = result;

    expect(avatarId).toBe('alice');
    expect(avatarInterface).toBe(IMailbox);
    expect(avatar.owner).toBe('alice');
    expect(realm.calls).toEqual([{ avatarId: 'alice', mind, interfaces: [IMailbox] }]);
    await logout();
    await logout();
    expect(realm.logouts).toBe(1);
  });

  it('gives ANONYMOUS for anonymous credentials', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);

    const { avatarId } = await portal.loginWithAvatarId(new Anonymous(), null, IMailbox);

    expect(avatarId).toBe(ANONYMOUS);
  });

  it('rejects with the checker error and skips the realm', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);

    const pending = portal.loginWithAvatarId(
      new UsernamePassword('alice', 'wrong'),
      null,
      IMailbox,
    );

    await expect(pending).rejects.toBeInstanceOf(UnauthorizedLogin);
    expect(realm.calls).toHaveLength(0);
  });

  it('rejects with the realm error unchanged', async () => {
    const denial = new LoginDenied('no admin for you');
    const realm: IRealm = {
      requestAvatar: () => {
        throw denial;
      },
    };
    const portal = new Portal(realm, [new AllowAnonymousAccess()]);

    await expect(portal.loginWithAvatarId(new Anonymous(), null, IAdmin)).rejects.toBe(denial);
  });

  it('rejects an invalid realm answer', async () => {
    const realm = { requestAvatar: () => [IAdmin, {}, () => {}] } as unknown as IRealm;
    const portal = new Portal(realm, [new AllowAnonymousAccess()]);

    await expect(portal.loginWithAvatarId(new Anonymous(), null, IMailbox)).rejects.toBeInstanceOf(
      InvalidRealmResponse,
    );
  });

  it('rejects unhandled credentials', async () => {
    const portal = new Portal(new MailboxRealm(), [new AllowAnonymousAccess()]);

    await expect(
      portal.loginWithAvatarId(new UsernamePassword('a', 'b'), null, IMailbox),
    ).rejects.toBeInstanceOf(UnhandledCredentials);
  });

  it('rejects no interfaces before calling the checker', async () => {
    const checker = fixedChecker('x', IAnonymous);
    const portal = new Portal(new MailboxRealm(), [checker]);

    const pending = (portal.loginWithAvatarId as (c: unknown, m: unknown) => Promise<unknown>)(
      new Anonymous(),
      null,
    );

    await expect(pending).rejects.toThrow(
      'A Portal login needs at least one avatar interface to request; none was given.',
    );
    expect(checker.calls).toBe(0);
  });
});

describe('Portal.requestAvatarId', () => {
  it('resolves to the checker answer', async () => {
    const checker = fixedChecker('bob', IUsernamePassword);
    const portal = new Portal(new MailboxRealm(), [checker]);

    await expect(portal.requestAvatarId(new UsernamePassword('b', 'p'))).resolves.toBe('bob');
    expect(checker.calls).toBe(1);
  });

  it('turns a synchronous checker throw into a rejection', async () => {
    const error = new UnauthorizedLogin();
    const portal = new Portal(new MailboxRealm(), [
      {
        credentialInterfaces: [IAnonymous],
        requestAvatarId: () => {
          throw error;
        },
      },
    ]);

    const pending = portal.requestAvatarId(new Anonymous());

    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBe(error);
  });

  it('rejects unhandled credentials', async () => {
    const portal = new Portal(new MailboxRealm());

    await expect(portal.requestAvatarId(new Anonymous())).rejects.toBeInstanceOf(
      UnhandledCredentials,
    );
  });
});

describe('Portal.requestAvatar', () => {
  it('asks the realm without a checker', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm);

    const [avatarInterface, avatar] = await portal.requestAvatar('carol', 'mind', IMailbox);

    expect(avatarInterface).toBe(IMailbox);
    expect(avatar.owner).toBe('carol');
    expect(realm.calls).toEqual([{ avatarId: 'carol', mind: 'mind', interfaces: [IMailbox] }]);
  });

  it('turns a synchronous realm throw into a rejection', async () => {
    const portal = new Portal(new MailboxRealm());

    const pending = portal.requestAvatar('carol', null, IAdmin);

    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBeInstanceOf(LoginDenied);
  });

  it('rejects no interfaces without calling the realm', async () => {
    const realm = new MailboxRealm();
    const portal = new Portal(realm);

    const pending = (portal.requestAvatar as (id: AvatarId, m: unknown) => Promise<unknown>)(
      'carol',
      null,
    );

    await expect(pending).rejects.toBeInstanceOf(TypeError);
    expect(realm.calls).toHaveLength(0);
  });
});
