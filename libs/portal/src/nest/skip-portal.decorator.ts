import { SetMetadata } from '@nestjs/common';

import { SKIP_PORTAL_METADATA } from './portal.constants.js';

/**
 * Exempts a controller or handler from `PortalGuard`, typically a health
 * check when the guard is installed for the whole app with `APP_GUARD`. The
 * guard lets such requests through without a login, so they have no avatar:
 * `@Avatar()` fails there, and `AvatarContext.current()` returns undefined.
 *
 * `@SkipPortal(false)` on a handler puts the guard back for that handler in
 * an exempt controller.
 */
export function SkipPortal(skip = true): ClassDecorator & MethodDecorator {
  return SetMetadata(SKIP_PORTAL_METADATA, skip);
}
