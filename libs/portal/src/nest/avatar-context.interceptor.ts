import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';

import { AvatarContext } from './avatar-context.js';
import { getPortalSession } from './portal-session.js';

/**
 * Runs each HTTP handler that `PortalGuard` let in with an avatar inside that
 * request's `AvatarContext` session. Requests without a session pass through
 * untouched.
 */
@Injectable()
export class AvatarContextInterceptor implements NestInterceptor {
  constructor(private readonly avatarContext: AvatarContext) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const session = getPortalSession(context.switchToHttp().getRequest());
    if (!session) {
      return next.handle();
    }
    // Nest calls the handler when the observable is subscribed, so
    // subscribing inside run() starts the handler inside the session.
    return new Observable((subscriber) =>
      this.avatarContext.run(session, () => next.handle().subscribe(subscriber)),
    );
  }
}
