import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { Anonymous } from '../core/credentials.js';
import { LoginDenied, LoginFailed } from '../core/errors.js';
import type { InterfaceToken } from '../core/interface-token.js';
import { Portal } from '../core/portal.js';
import {
  headerValueAsUtf8,
  readAuthorizationHeader,
  splitAuthorization,
} from '../http/authorization-header.js';
import type { CredentialFactory } from '../http/credential-factory.js';
import { MalformedCredentials } from '../http/errors.js';
import { adaptHttpExchange, type HttpExchange, pathOf } from './http-exchange.js';
import { logoutOnResponseEnd } from './logout-on-response-end.js';
import {
  AVATAR_INTERFACES_METADATA,
  PORTAL_GUARD_SETTINGS,
  SKIP_PORTAL_METADATA,
} from './portal.constants.js';
import type { PortalGuardSettings } from './portal-guard-settings.js';
import { portalHttpException } from './portal-http-exception.js';
import { getPortalSession, setPortalSession } from './portal-session.js';
import { RateLimitedLog } from './rate-limited-log.js';

/** The guard's settings for one route, read once from its metadata. */
interface RouteAuth {
  readonly skip: boolean;
  readonly interfaces: readonly InterfaceToken[];
}

/** Where a login failed, which decides the status and the message sent. */
type FailedStep = 'header' | 'anonymous' | 'login';

// Shared by every request without credentials; Anonymous has no state.
const ANONYMOUS_CREDENTIALS = Object.freeze(new Anonymous());

/**
 * Logs HTTP requests in through the `Portal`, with the credentials of their
 * `Authorization` header or as anonymous, and stores the avatar for
 * `@Avatar()` and `AvatarContext`.
 *
 * - No `Authorization` header: logs in with `Anonymous` credentials.
 * - Otherwise the scheme (the header's first token, matched case-insensitively)
 *   picks a credential factory, whose `decode` turns the rest, re-read as
 *   UTF-8, into credentials.
 * - Requests the interfaces of `@AvatarInterface` (handler, then controller),
 *   or else the module's `interfaces` option.
 *
 * Responses:
 * - 401 for an unknown scheme, a malformed header, a `LoginFailed` from
 *   decoding or checking, and an anonymous request that the portal or realm
 *   refuses, with one `WWW-Authenticate` header per credential factory, in
 *   the configured order. Only the factory whose credentials failed receives
 *   the error in `getChallenge`, so it can add `stale=true` or an `error`.
 * - 400, with the same challenges, for a `LoginFailed` carrying `status: 400`
 *   (`BadCredentialsRequest`).
 * - 403 for `LoginDenied` of a signed-in user.
 * - 500 for any other error, with Nest's generic body; the method, path and
 *   error name and message are logged (never the header), rate-limited.
 *
 * After a successful login, the realm's `logout` runs once when the response
 * is finished or the client disconnects. A failing logout is logged only.
 * Outside HTTP (microservices, WebSockets) the guard denies every request.
 */
@Injectable()
export class PortalGuard implements CanActivate {
  private readonly errorLog = new RateLimitedLog(new Logger(PortalGuard.name));
  // Route metadata by controller class, then handler.
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();
  private readonly unsupportedScheme: MalformedCredentials;

  constructor(
    private readonly portal: Portal,
    private readonly reflector: Reflector,
    @Inject(PORTAL_GUARD_SETTINGS) private readonly settings: PortalGuardSettings,
  ) {
    // One instance for every such request, so that none captures a stack trace.
    const schemes = settings.credentialFactories.map((factory) => factory.scheme);
    this.unsupportedScheme = new MalformedCredentials(
      schemes.length === 0
        ? 'This server accepts no Authorization header.'
        : `Unsupported authentication scheme; this server accepts ${schemes.join(', ')}.`,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return false;
    }
    const route = this.routeAuth(context);
    if (route.skip) {
      return true;
    }
    const http = context.switchToHttp();
    const frameworkRequest: unknown = http.getRequest();
    const exchange = adaptHttpExchange(frameworkRequest, http.getResponse());
    // Installed twice (APP_GUARD and @UseGuards), the guard logs in once.
    if (getPortalSession(exchange.nodeRequest)) {
      return true;
    }
    if (route.interfaces.length === 0) {
      return this.fail(
        exchange,
        new Error(
          'no avatar interfaces to request: add @AvatarInterface() to the handler or ' +
            'controller, or set the interfaces option of PortalModule',
        ),
      );
    }

    let factory: CredentialFactory | undefined;
    let credentials: unknown;
    try {
      const header = readAuthorizationHeader(exchange.request);
      if (header === undefined) {
        credentials = ANONYMOUS_CREDENTIALS;
      } else {
        const parts = splitAuthorization(headerValueAsUtf8(header));
        factory = this.settings.factoriesByScheme.get(parts.scheme.toLowerCase());
        if (!factory) {
          throw this.unsupportedScheme;
        }
        credentials = await factory.decode(parts.credentials, exchange.request);
      }
    } catch (error) {
      return this.reject(exchange, error, factory, 'header');
    }

    let result;
    try {
      const mind = this.settings.mind
        ? await this.settings.mind(frameworkRequest, context)
        : frameworkRequest;
      result = await this.portal.login(credentials, mind, ...route.interfaces);
    } catch (error) {
      const step = credentials === ANONYMOUS_CREDENTIALS ? 'anonymous' : 'login';
      return this.reject(exchange, error, factory, step);
    }

    const [avatarInterface, avatar, logout] = result;
    setPortalSession(exchange.nodeRequest, { avatarInterface, avatar });
    logoutOnResponseEnd(exchange.nodeResponse, logout, (error) =>
      this.errorLog.error(
        `Logout of a ${avatarInterface.name} avatar after ${describeRequest(exchange)} ` +
          `failed: ${describeError(error)}`,
      ),
    );
    return true;
  }

  private routeAuth(context: ExecutionContext): RouteAuth {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.routes.get(controller);
    if (!byHandler) {
      byHandler = new WeakMap();
      this.routes.set(controller, byHandler);
    }
    let route = byHandler.get(handler);
    if (!route) {
      const targets = [handler, controller];
      route = {
        skip: this.reflector.getAllAndOverride<boolean>(SKIP_PORTAL_METADATA, targets) === true,
        interfaces:
          this.reflector.getAllAndOverride<readonly InterfaceToken[] | undefined>(
            AVATAR_INTERFACES_METADATA,
            targets,
          ) ?? this.settings.interfaces,
      };
      byHandler.set(handler, route);
    }
    return route;
  }

  // Rejects a failed login with 400 or 401 and the challenges, with 403, or with 500.
  private async reject(
    exchange: HttpExchange,
    error: unknown,
    failedFactory: CredentialFactory | undefined,
    step: FailedStep,
  ): Promise<never> {
    if (!(error instanceof LoginFailed)) {
      return this.fail(exchange, error);
    }
    if (error instanceof LoginDenied && step === 'login') {
      throw portalHttpException(403, error.message);
    }

    const badRequest = (error as { status?: unknown }).status === 400;
    try {
      const challenges = await this.challenges(exchange, failedFactory, error);
      if (challenges.length > 0) {
        // An array gives one header line per challenge, on both adapters.
        exchange.nodeResponse.setHeader('WWW-Authenticate', challenges);
      }
    } catch (challengeError) {
      // A factory threw, or returned a value that is no valid header value.
      return this.fail(exchange, challengeError);
    }

    if (badRequest) {
      throw portalHttpException(400, error.message);
    }
    throw portalHttpException(401, unauthorizedMessage(error, step));
  }

  private challenges(
    exchange: HttpExchange,
    failedFactory: CredentialFactory | undefined,
    error: LoginFailed,
  ): string[] | Promise<string[]> {
    const factories = this.settings.credentialFactories;
    const values = factories.map((factory) =>
      factory.getChallenge(exchange.request, factory === failedFactory ? error : undefined),
    );
    if (values.every((value) => typeof value === 'string')) {
      return values as string[];
    }
    return Promise.all(values).then((resolved) =>
      resolved.map((value, index) => {
        if (typeof value !== 'string') {
          throw new TypeError(
            `The ${factories[index]!.scheme} credential factory returned a challenge that is ` +
              `not a string, but ${typeof value}.`,
          );
        }
        return value;
      }),
    );
  }

  private fail(exchange: HttpExchange, error: unknown): never {
    this.errorLog.error(
      `${describeRequest(exchange)} failed in PortalGuard: ${describeError(error)}`,
    );
    throw portalHttpException(500, 'Internal server error');
  }
}

// A decoding error describes the header's syntax, written by the factory for
// the client. A checker's or realm's message is replaced, so that every
// failed login reads the same whatever the checker wrote.
function unauthorizedMessage(error: LoginFailed, step: FailedStep): string {
  switch (step) {
    case 'header':
      return error.message;
    case 'anonymous':
      return 'Authentication required.';
    case 'login':
      return 'Invalid credentials.';
  }
}

function describeRequest(exchange: HttpExchange): string {
  return `${exchange.request.method} ${pathOf(exchange.request.url)}`;
}

// Duck-typed, because errors made by Node itself can come from another realm
// (a VM context, a test runner) where instanceof Error is false.
function describeError(error: unknown): string {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && typeof message === 'string') {
    return `${name}: ${message}`;
  }
  return `a thrown ${error === null ? 'null' : typeof error}`;
}
