import {
  alsoProvides,
  defineInterface,
  Implements,
  type InterfaceToken,
  providedInterfaces,
} from './interface-token.js';

interface IAnimal {
  readonly legs: number;
}
const IAnimal = defineInterface<IAnimal>('IAnimal');
interface IDog extends IAnimal {
  bark(): string;
}
const IDog = defineInterface<IDog>('IDog', { extends: [IAnimal] });
interface IPet {
  readonly owner: string;
}
const IPet = defineInterface<IPet>('IPet');
const IUnrelated = defineInterface('IUnrelated');

@Implements(IDog)
class Dog implements IDog {
  readonly legs = 4;
  bark(): string {
    return 'woof';
  }
}

@Implements(IPet)
class PetDog extends Dog implements IPet {
  readonly owner = 'alice';
}

class PlainSubclass extends Dog {}

describe('defineInterface', () => {
  it('keeps the name and the direct bases', () => {
    expect(IDog.name).toBe('IDog');
    expect(IDog.extends).toEqual([IAnimal]);
    expect(String(IDog)).toBe('IDog');
  });

  it('rejects an empty name', () => {
    expect(() => defineInterface('')).toThrow(TypeError);
  });

  it('rejects bases that are not tokens', () => {
    expect(() => defineInterface('IBad', { extends: [{} as unknown as InterfaceToken] })).toThrow(
      /expects interface tokens made by defineInterface/,
    );
  });

  it('knows which interfaces it extends', () => {
    const IPuppy = defineInterface('IPuppy', { extends: [IDog] });
    expect(IPuppy.isOrExtends(IPuppy)).toBe(true);
    expect(IPuppy.isOrExtends(IDog)).toBe(true);
    expect(IPuppy.isOrExtends(IAnimal)).toBe(true);
    expect(IAnimal.isOrExtends(IDog)).toBe(false);
  });
});

describe('Implements', () => {
  it('makes instances provide the declared interface', () => {
    expect(IDog.providedBy(new Dog())).toBe(true);
  });

  it('makes instances provide extended interfaces', () => {
    expect(IAnimal.providedBy(new Dog())).toBe(true);
  });

  it('does not make instances provide unrelated interfaces', () => {
    expect(IPet.providedBy(new Dog())).toBe(false);
    expect(IUnrelated.providedBy(new Dog())).toBe(false);
  });

  it('is inherited by subclasses', () => {
    expect(IDog.providedBy(new PlainSubclass())).toBe(true);
    expect(IAnimal.providedBy(new PlainSubclass())).toBe(true);
  });

  it('lets subclasses add interfaces without changing the base', () => {
    expect(IPet.providedBy(new PetDog())).toBe(true);
    expect(IDog.providedBy(new PetDog())).toBe(true);
    expect(IPet.providedBy(new Dog())).toBe(false);
  });

  it('applies a later declaration to an already checked subclass', () => {
    class Base {}
    class Derived extends Base {}
    const ILate = defineInterface('ILate');
    expect(ILate.providedBy(new Derived())).toBe(false);
    Implements(ILate)(Base);
    expect(ILate.providedBy(new Derived())).toBe(true);
  });

  it('rejects values that are not tokens', () => {
    expect(() => Implements('IDog' as unknown as InterfaceToken)).toThrow(TypeError);
  });
});

describe('alsoProvides', () => {
  it('declares interfaces on one object only', () => {
    const pet = alsoProvides({ owner: 'bob' }, IPet);
    expect(IPet.providedBy(pet)).toBe(true);
    expect(IPet.providedBy({ owner: 'bob' })).toBe(false);
  });

  it('adds to what the class provides', () => {
    const dog = alsoProvides(new Dog(), IPet);
    expect(IPet.providedBy(dog)).toBe(true);
    expect(IDog.providedBy(dog)).toBe(true);
    expect(IPet.providedBy(new Dog())).toBe(false);
  });

  it('includes extended interfaces', () => {
    const dog = alsoProvides({ legs: 3, bark: () => 'arf' }, IDog);
    expect(IAnimal.providedBy(dog)).toBe(true);
  });

  it('works on objects without a prototype', () => {
    const bare = alsoProvides(Object.create(null) as object, IPet);
    expect(IPet.providedBy(bare)).toBe(true);
  });

  it('rejects primitives', () => {
    expect(() => alsoProvides(42 as unknown as object, IPet)).toThrow(TypeError);
  });
});

describe('providedBy', () => {
  it.each([null, undefined, 0, 'IDog', true, Symbol('x')])('is false for %p', (value) => {
    expect(IDog.providedBy(value)).toBe(false);
  });

  it('lists every interface an object provides', () => {
    expect([...providedInterfaces(new PetDog())].map((token) => token.name).sort()).toEqual([
      'IAnimal',
      'IDog',
      'IPet',
    ]);
  });
});

describe('alsoProvides after a class declaration changes', () => {
  it('sees interfaces declared on the class later', () => {
    class Later {}
    const ILater = defineInterface('ILaterClass');
    const object = alsoProvides(new Later(), IPet);
    expect(IPet.providedBy(object)).toBe(true);
    expect(ILater.providedBy(object)).toBe(false);

    Implements(ILater)(Later);
    expect(ILater.providedBy(object)).toBe(true);
    expect(IPet.providedBy(object)).toBe(true);
  });

  it('adds to an earlier alsoProvides on the same object', () => {
    const object = alsoProvides({}, IPet);
    expect(IAnimal.providedBy(object)).toBe(false);
    alsoProvides(object, IDog);
    expect(IAnimal.providedBy(object)).toBe(true);
    expect(IPet.providedBy(object)).toBe(true);
  });
});
