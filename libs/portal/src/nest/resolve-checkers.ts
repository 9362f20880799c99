import type { Type } from '@nestjs/common';

import type { ICredentialsChecker } from '../core/checker.js';
import { checkerClassName, type LabelledChecker } from './checker-registry.js';
import { parseCheckerString } from './checker-strings.js';
import type { CheckerOption } from './portal-module-options.js';

/** Makes an instance of an injectable checker class, through Nest. */
export type CheckerClassResolver = (
  checkerClass: Type<ICredentialsChecker>,
  index: number,
) => ICredentialsChecker | Promise<ICredentialsChecker>;

/**
 * Turns the `checkers` option into checker instances with labels: strings
 * through `parseCheckerString`, classes through `resolveClass`, instances as
 * they are. Throws `InvalidCheckerString` for a bad string and `TypeError`
 * for a class whose instance has no `requestAvatarId()`.
 */
export async function resolveCheckers(
  checkers: readonly CheckerOption[] | undefined,
  resolveClass: CheckerClassResolver,
): Promise<LabelledChecker[]> {
  const resolved: LabelledChecker[] = [];
  for (const [index, option] of (checkers ?? []).entries()) {
    const where = `checkers[${index}]`;
    if (typeof option === 'string') {
      const checker = parseCheckerString(option);
      const kind = option.split(':', 1)[0];
      resolved.push({ checker, label: `${checkerClassName(checker)} (${where}, "${kind}")` });
    } else if (typeof option === 'function') {
      const checker = await resolveClass(option, index);
      if (typeof checker?.requestAvatarId !== 'function') {
        throw new TypeError(
          `Checker class ${option.name} (${where}) has no requestAvatarId() method.`,
        );
      }
      resolved.push({ checker, label: `${option.name} (${where})` });
    } else {
      resolved.push({ checker: option, label: `${checkerClassName(option)} (${where})` });
    }
  }
  return resolved;
}
