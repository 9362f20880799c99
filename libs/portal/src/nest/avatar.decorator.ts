import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import type { InterfaceToken } from '../core/interface-token.js';
import { getPortalSession } from './portal-session.js';

function avatarOfRequest(avatarInterface: InterfaceToken | undefined, context: ExecutionContext) {
  const request: unknown = context.switchToHttp().getRequest();
  const session = getPortalSession(request);
  if (!session) {
    const { method, url } = request as { method?: string; url?: string };
    throw new Error(
      `@Avatar() found no avatar for ${method} ${url?.split('?')[0]}: protect the route ` +
        'with PortalGuard, and do not exempt it with @SkipPortal().',
    );
  }
  if (avatarInterface && !avatarInterface.providedBy(session.avatar)) {
    return undefined;
  }
  return session.avatar;
}

const avatarParameter = createParamDecorator(avatarOfRequest);

/**
 * Injects the avatar that `PortalGuard` got from the realm for this request.
 *
 * With an interface token, injects the avatar only when it provides that
 * interface, and undefined otherwise; useful when `@AvatarInterface` lists
 * several. Without a guard that let the request in, the handler fails with
 * an error (a 500), because that is a bug in the route's setup.
 *
 * @example
 *   @AvatarInterface(IAdmin, IMailbox)
 *   @Get('inbox')
 *   inbox(@Avatar(IAdmin) admin: IAdmin | undefined, @Avatar() avatar: IAdmin | IMailbox) {}
 */
export function Avatar<T = unknown>(avatarInterface?: InterfaceToken<T>): ParameterDecorator {
  return avatarParameter(avatarInterface);
}
