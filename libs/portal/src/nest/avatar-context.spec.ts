import { defineInterface, Implements } from '../core/interface-token.js';
import { AvatarContext } from './avatar-context.js';

interface IShip {
  readonly name: string;
}
const IShip = defineInterface<IShip>('IShip');
const IDock = defineInterface<unknown>('IDock');

@Implements(IShip)
class Ship implements IShip {
  constructor(readonly name: string) {}
}

describe('AvatarContext', () => {
  const context = new AvatarContext();
  const session = { avatarInterface: IShip, avatar: new Ship('Nautilus') };

  test('has no avatar outside run', () => {
    expect(context.current()).toBeUndefined();
    expect(context.session()).toBeUndefined();
    expect(() => context.require()).toThrow(/outside a request/);
  });

  test('returns the avatar inside run, after await too', async () => {
    await context.run(session, async () => {
      expect(context.current()).toBe(session.avatar);
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(context.current(IShip)?.name).toBe('Nautilus');
      expect(context.require(IShip).name).toBe('Nautilus');
      expect(context.session()).toBe(session);
    });
  });

  test('filters by interface', () => {
    context.run(session, () => {
      expect(context.current(IDock)).toBeUndefined();
      expect(() => context.require(IDock)).toThrow('The current avatar provides IShip, not IDock.');
    });
  });

  test('keeps concurrent sessions apart', async () => {
    const names = await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        context.run({ avatarInterface: IShip, avatar: new Ship(name) }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 3 - name.charCodeAt(0) + 97));
          return context.require(IShip).name;
        }),
      ),
    );
    expect(names).toEqual(['a', 'b', 'c']);
  });
});
