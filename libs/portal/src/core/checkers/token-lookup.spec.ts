import { UnauthorizedLogin } from '../errors.js';
import { Portal } from '../portal.js';
import { defineInterface, Implements } from '../interface-token.js';
import type { IRealm } from '../realm.js';
import { BearerToken } from '../token-credentials.js';
import { TokenLookupChecker } from './token-lookup.js';

const tokens = new Map([['opaque-token-1', 'alice']]);

describe('TokenLookupChecker', () => {
  const checker = new TokenLookupChecker(async (token) => tokens.get(token));

  it('returns the avatar id that the lookup finds', async () => {
    await expect(checker.requestAvatarId(new BearerToken('opaque-token-1'))).resolves.toBe('alice');
  });

  it.each([undefined, null])('rejects a token the lookup answers with %p', async (answer) => {
    const rejecting = new TokenLookupChecker(() => answer);

    await expect(rejecting.requestAvatarId(new BearerToken('x'))).rejects.toThrow(
      UnauthorizedLogin,
    );
  });

  it('passes on an error of the lookup itself', async () => {
    const failing = new TokenLookupChecker(async () => {
      throw new Error('database is down');
    });

    await expect(failing.requestAvatarId(new BearerToken('x'))).rejects.toThrow('database is down');
  });

  it('rejects a lookup answer that is no avatar id', async () => {
    const broken = new TokenLookupChecker(() => 42 as unknown as string);

    await expect(broken.requestAvatarId(new BearerToken('x'))).rejects.toThrow(TypeError);
  });

  it('logs in through a portal', async () => {
    const IUser = defineInterface<User>('ITokenLookupTestUser');
    @Implements(IUser)
    class User {
      constructor(readonly name: string) {}
    }
    const realm: IRealm = { requestAvatar: (id) => [IUser, new User(String(id)), () => undefined] };
    const portal = new Portal(realm, [checker]);

    const [, avatar] = await portal.login(new BearerToken('opaque-token-1'), null, IUser);
    const refused = portal.login(new BearerToken('unknown'), null, IUser);

    expect(avatar).toEqual(new User('alice'));
    await expect(refused).rejects.toThrow(UnauthorizedLogin);
  });
});
