import { SetMetadata } from '@nestjs/common';

import type { InterfaceToken } from '../core/interface-token.js';
import { AVATAR_INTERFACES_METADATA } from './portal.constants.js';
import { isInterfaceToken } from './validate-portal-options.js';

/**
 * Sets the avatar interfaces that `PortalGuard` requests from the realm for a
 * controller or a handler, most preferred first. A handler's list replaces
 * its controller's, which replaces the module's `interfaces` option.
 *
 * @example
 *   @AvatarInterface(IMailbox)
 *   @Get('mailbox')
 *   mailbox(@Avatar() mailbox: IMailbox) { ... }
 */
export function AvatarInterface<T>(
  ...interfaces: InterfaceToken<T>[]
): ClassDecorator & MethodDecorator {
  if (interfaces.length === 0) {
    throw new TypeError('@AvatarInterface() needs at least one interface token.');
  }
  for (const token of interfaces) {
    if (!isInterfaceToken(token)) {
      throw new TypeError(
        `@AvatarInterface() expects interface tokens made by defineInterface(), but got ${String(token)}.`,
      );
    }
  }
  return SetMetadata(AVATAR_INTERFACES_METADATA, Object.freeze([...interfaces]));
}
