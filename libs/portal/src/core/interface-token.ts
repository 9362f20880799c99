/**
 * Runtime interface tokens.
 *
 * TypeScript interfaces vanish at run time, yet the portal picks a checker by
 * the interfaces that a credentials object provides, and checks that an avatar
 * provides the interface the realm names for it. An `InterfaceToken<T>` is the
 * run-time name of the compile-time interface `T`.
 */

/** A run-time value standing for the interface `T`. */
export interface InterfaceToken<T = unknown> {
  /** The interface's name, used in error messages and logs. */
  readonly name: string;
  /** The interfaces that this one extends, directly. */
  readonly extends: readonly InterfaceToken[];
  /**
   * Tests whether `value` provides this interface: its class (or a base class)
   * was declared with `@Implements`, or the object itself with `alsoProvides`,
   * naming this interface or one that extends it.
   */
  providedBy(value: unknown): value is T;
  /** Tests whether this interface is `other` or extends it, directly or not. */
  isOrExtends(other: InterfaceToken): boolean;
}

/** The type `T` that an `InterfaceToken<T>` stands for. */
export type InterfaceType<I> = I extends InterfaceToken<infer T> ? T : never;

/** Options of `defineInterface`. */
export interface DefineInterfaceOptions {
  /** Interfaces that the new one extends: whatever provides it provides these too. */
  extends?: readonly InterfaceToken[];
}

type Constructor = abstract new (...args: never[]) => unknown;

// Interfaces declared on a class with @Implements, own declarations only.
const declaredByClass = new WeakMap<object, readonly InterfaceToken[]>();
// Interfaces declared on a single object with alsoProvides, and the full set
// the object provides, computed once: realms call alsoProvides on every login
// and the portal checks the avatar right after.
interface ObjectDeclaration {
  readonly tokens: readonly InterfaceToken[];
  provided?: ReadonlySet<InterfaceToken>;
  // The class declarations that `provided` was computed under.
  classCache?: WeakMap<object, ReadonlySet<InterfaceToken>>;
}
const declaredByObject = new WeakMap<object, ObjectDeclaration>();
// Every interface a class provides, base classes and extended interfaces
// included. Computed on first use, because `providedBy` runs on every login.
let providedByClassCache = new WeakMap<object, ReadonlySet<InterfaceToken>>();

class Interface<T> implements InterfaceToken<T> {
  readonly extends: readonly InterfaceToken[];
  private readonly ancestors: ReadonlySet<InterfaceToken>;

  constructor(
    readonly name: string,
    bases: readonly InterfaceToken[],
  ) {
    this.extends = Object.freeze([...bases]);
    const ancestors = new Set<InterfaceToken>([this]);
    for (const base of bases) {
      addWithAncestors(ancestors, base);
    }
    this.ancestors = ancestors;
  }

  providedBy(value: unknown): value is T {
    return providedInterfaces(value).has(this);
  }

  isOrExtends(other: InterfaceToken): boolean {
    return this.ancestors.has(other);
  }

  toString(): string {
    return this.name;
  }
}

function addWithAncestors(into: Set<InterfaceToken>, token: InterfaceToken): void {
  if (into.has(token)) {
    return;
  }
  into.add(token);
  for (const base of token.extends) {
    addWithAncestors(into, base);
  }
}

function assertTokens(
  tokens: readonly unknown[],
  where: string,
): asserts tokens is InterfaceToken[] {
  for (const token of tokens) {
    if (!(token instanceof Interface)) {
      throw new TypeError(
        `${where} expects interface tokens made by defineInterface(), but got ${String(token)}.`,
      );
    }
  }
}

/**
 * Creates the run-time token of interface `T`.
 *
 * @example
 *   export interface IMailbox { messages(): string[] }
 *   export const IMailbox = defineInterface<IMailbox>('IMailbox');
 */
export function defineInterface<T>(
  name: string,
  options: DefineInterfaceOptions = {},
): InterfaceToken<T> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('defineInterface() needs a non-empty interface name.');
  }
  const bases = options.extends ?? [];
  assertTokens(bases, `defineInterface('${name}')`);
  return new Interface<T>(name, bases);
}

/**
 * Declares that instances of the decorated class provide `tokens`, and every
 * interface those extend. Subclasses inherit the declaration and may add to it.
 */
export function Implements(...tokens: InterfaceToken[]): <C extends Constructor>(target: C) => C {
  assertTokens(tokens, '@Implements()');
  return (target) => {
    const own = declaredByClass.get(target) ?? [];
    declaredByClass.set(target, Object.freeze([...own, ...tokens]));
    // A new declaration may change what subclasses provide, so drop every
    // cached set. Declarations happen while classes are defined, not per login.
    providedByClassCache = new WeakMap();
    return target;
  };
}

/**
 * Declares that one object provides `tokens` (and what they extend), on top of
 * what its class provides. Returns the object, typed as providing them.
 */
export function alsoProvides<O extends object, T>(
  object: O,
  ...tokens: InterfaceToken<T>[]
): O & T {
  assertTokens(tokens, 'alsoProvides()');
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) {
    throw new TypeError('alsoProvides() needs an object.');
  }
  const own = declaredByObject.get(object)?.tokens ?? [];
  declaredByObject.set(object, { tokens: own.length === 0 ? tokens : [...own, ...tokens] });
  return object as O & T;
}

const NOTHING: ReadonlySet<InterfaceToken> = new Set();

function providedByClass(constructor: object): ReadonlySet<InterfaceToken> {
  const cached = providedByClassCache.get(constructor);
  if (cached) {
    return cached;
  }
  const provided = new Set<InterfaceToken>();
  // Walk the constructor chain: a subclass inherits its bases' declarations.
  for (
    let current: object | null = constructor;
    current;
    current = Object.getPrototypeOf(current)
  ) {
    for (const token of declaredByClass.get(current) ?? []) {
      addWithAncestors(provided, token);
    }
  }
  providedByClassCache.set(constructor, provided);
  return provided;
}

/** Returns every interface that `value` provides, extended interfaces included. */
export function providedInterfaces(value: unknown): ReadonlySet<InterfaceToken> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return NOTHING;
  }
  const constructor = (value as { constructor?: unknown }).constructor;
  const fromClass = typeof constructor === 'function' ? providedByClass(constructor) : NOTHING;
  const fromObject = declaredByObject.get(value);
  if (!fromObject) {
    return fromClass;
  }
  if (fromObject.provided && fromObject.classCache === providedByClassCache) {
    return fromObject.provided;
  }
  const provided = new Set(fromClass);
  for (const token of fromObject.tokens) {
    addWithAncestors(provided, token);
  }
  fromObject.provided = provided;
  fromObject.classCache = providedByClassCache;
  return provided;
}
