/**
 * The current request's avatar for code that has no access to the request,
 * kept in an `AsyncLocalStorage` for the duration of the handler.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { Injectable } from '@nestjs/common';

import type { InterfaceToken } from '../core/interface-token.js';
import type { PortalSession } from './portal-session.js';

// One store for the process: each request runs its handler inside its own
// session, so concurrent requests never see each other's avatar.
const sessionStorage = new AsyncLocalStorage<PortalSession>();

/**
 * Reads the avatar of the request being handled, from any singleton service,
 * without request-scoped providers.
 *
 * With the `avatarContext: true` option, `PortalModule` registers an
 * interceptor (an `APP_INTERCEPTOR`). It runs each handler that `PortalGuard`
 * let in with an avatar inside that request's session, so everything the
 * handler calls, synchronously or after an `await`, reads that avatar. Outside such a
 * handler (bootstrap code, a route exempt with `@SkipPortal`, a guard or
 * middleware that runs before the interceptor) there is no current avatar.
 *
 * @example
 *   @Injectable()
 *   class MailService {
 *     constructor(private readonly avatars: AvatarContext) {}
 *     unread(): number {
 *       return this.avatars.require(IMailbox).unreadCount();
 *     }
 *   }
 */
@Injectable()
export class AvatarContext {
  /**
   * Returns the current avatar, or undefined when there is none. With an
   * interface token, also returns undefined when the avatar does not provide it.
   */
  current(): unknown;
  current<T>(avatarInterface: InterfaceToken<T>): T | undefined;
  current<T>(avatarInterface?: InterfaceToken<T>): unknown {
    const session = sessionStorage.getStore();
    if (!session) {
      return undefined;
    }
    if (avatarInterface && !avatarInterface.providedBy(session.avatar)) {
      return undefined;
    }
    return session.avatar;
  }

  /**
   * Returns the current avatar; throws an `Error` when there is none or, with
   * an interface token, when it does not provide that interface.
   */
  require(): unknown;
  require<T>(avatarInterface: InterfaceToken<T>): T;
  require<T>(avatarInterface?: InterfaceToken<T>): unknown {
    const session = sessionStorage.getStore();
    if (!session) {
      throw new Error(
        'AvatarContext.require() was called outside a request that PortalGuard let in ' +
          'with an avatar. Set avatarContext: true in PortalModule.forRoot() to keep the ' +
          'avatar for services.',
      );
    }
    if (avatarInterface && !avatarInterface.providedBy(session.avatar)) {
      throw new Error(
        `The current avatar provides ${session.avatarInterface.name}, not ${avatarInterface.name}.`,
      );
    }
    return session.avatar;
  }

  /** Returns the current session (the avatar and the interface the realm chose), if any. */
  session(): PortalSession | undefined {
    return sessionStorage.getStore();
  }

  /**
   * Runs `callback` with `session` as the current one, and returns its result.
   * For code outside HTTP handlers (queue consumers, scripts, tests) that
   * logged in through `Portal.login` itself.
   */
  run<R>(session: PortalSession, callback: () => R): R {
    return sessionStorage.run(session, callback);
  }
}
