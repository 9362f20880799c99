import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { Anonymous } from '../core/credentials.js';
import { LoginDenied, LoginFailed, UnhandledCredentials } from '../core/errors.js';
import type { InterfaceToken } from '../core/interface-token.js';
import { Portal } from '../core/portal.js';
import type { AvatarId, Logout } from '../core/realm.js';
import type { LoginFailureReason } from '../core/security/audit.js';
import type { ThrottleDecision } from '../core/security/login-throttle.js';
import {
  headerValueAsUtf8,
  readAuthorizationHeader,
  splitAuthorization,
} from '../http/authorization-header.js';
import type { CredentialFactory } from '../http/credential-factory.js';
import { BadCredentialsRequest, MalformedCredentials, StaleNonce } from '../http/errors.js';
import { describeError } from './describe-error.js';
import {
  adaptHttpExchange,
  clientAddressOf,
  type HttpExchange,
  pathOf,
  requestIdOf,
} from './http-exchange.js';
import { logoutOnResponseEnd } from './logout-on-response-end.js';
import {
  AVATAR_INTERFACES_METADATA,
  PORTAL_GUARD_SETTINGS,
  SKIP_PORTAL_METADATA,
} from './portal.constants.js';
import { PortalAudit } from './portal-audit.js';
import {
  type GuardThrottle,
  type PortalGuardSettings,
  selectCredentialFactory,
} from './portal-guard-settings.js';
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

/**
 * The details of one login attempt that throttling and audit events need.
 * Collected only while either of them is on.
 */
interface WatchedAttempt {
  /** The factory's scheme in lower case, or `anonymous`. */
  scheme: string;
  /** The username of the credentials, once decoded, when they carry one. */
  username?: string;
  /** The client address as the HTTP adapter reports it. */
  readonly address?: string;
  /** The request id of audit events; undefined when no events are emitted. */
  readonly requestId?: string;
  /** The checker's avatar id, once known; recorded with audit events only. */
  avatarId?: AvatarId;
}

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
 *   UTF-8, into credentials. Of several factories of one scheme, the first
 *   whose `accepts` takes the header decodes it, or else the first of them.
 * - With throttling on, credentials other than `Anonymous` are checked
 *   against the limits before the portal checks them.
 * - Requests the interfaces of `@AvatarInterface` (handler, then controller),
 *   or else the module's `interfaces` option.
 *
 * Responses:
 * - 401 for an unknown scheme, a malformed header, a `LoginFailed` from
 *   decoding or checking, and an anonymous request that the portal or realm
 *   refuses, with one `WWW-Authenticate` header per credential factory, in
 *   the configured order. Only the factory that decoded the failed credentials
 *   receives the error in `getChallenge`, so it can add `stale=true` or an
 *   `error`.
 * - 400, with the same challenges, for a `LoginFailed` carrying `status: 400`
 *   (`BadCredentialsRequest`) and for a request with more than one
 *   `Authorization` header.
 * - 403 for `LoginDenied` of a signed-in user, with the challenge of the
 *   factory that decoded the credentials when its `getChallenge` returns
 *   one for the `LoginDenied` (Bearer's `insufficient_scope`).
 * - 429 with `Retry-After` when the throttle refuses the attempt; the
 *   credentials are then not checked.
 * - 500 for any other error, with Nest's generic body; the method, path and
 *   error name and message are logged (never the header), rate-limited.
 *
 * An `UnhandledCredentials` for credentials from a factory means that no
 * checker accepts that scheme's credentials, a server misconfiguration: the
 * client gets the usual 401, and a warning naming the scheme is logged
 * (rate-limited with the errors).
 *
 * Every outcome except 500 is also an audit event (see `PortalAudit`), and a
 * failed login other than a handshake step or a denial counts against the
 * throttle's limits.
 *
 * After a successful login, the realm's `logout` runs once when the response
 * is finished or the client disconnects. A failing logout is logged only.
 * Outside HTTP (microservices, WebSockets) the guard denies every request.
 */
@Injectable()
export class PortalGuard implements CanActivate {
  private readonly log = new RateLimitedLog(new Logger(PortalGuard.name));
  // Route metadata by controller class, then handler.
  private readonly routes = new WeakMap<object, WeakMap<object, RouteAuth>>();
  private readonly unsupportedScheme: MalformedCredentials;
  private readonly audit: PortalAudit;

  constructor(
    private readonly portal: Portal,
    private readonly reflector: Reflector,
    @Inject(PORTAL_GUARD_SETTINGS) private readonly settings: PortalGuardSettings,
    @Optional() audit?: PortalAudit,
  ) {
    this.audit = audit ?? new PortalAudit();
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

    const attempt = this.watchAttempt(frameworkRequest, exchange);

    let factory: CredentialFactory | undefined;
    let credentials: unknown;
    try {
      const header = readAuthorizationHeader(exchange.request);
      if (header === undefined) {
        credentials = ANONYMOUS_CREDENTIALS;
      } else {
        const parts = splitAuthorization(headerValueAsUtf8(header));
        factory = selectCredentialFactory(
          this.settings,
          parts.scheme,
          parts.credentials,
          exchange.request,
        );
        if (!factory) {
          throw this.unsupportedScheme;
        }
        if (attempt) {
          attempt.scheme = factory.scheme.toLowerCase();
        }
        credentials = await factory.decode(parts.credentials, exchange.request);
      }
    } catch (error) {
      return this.reject(exchange, error, factory, 'header', attempt);
    }

    if (attempt) {
      attempt.username = usernameOf(credentials);
      const throttle = this.settings.throttle;
      if (throttle && credentials !== ANONYMOUS_CREDENTIALS) {
        await this.enforceThrottle(exchange, throttle, attempt);
      }
    }

    let result;
    try {
      const mind = this.settings.mind
        ? await this.settings.mind(frameworkRequest, context)
        : frameworkRequest;
      if (attempt?.requestId === undefined) {
        result = await this.portal.login(credentials, mind, ...route.interfaces);
      } else {
        // Audit events name the avatar id, also of a login the realm denies,
        // so the two steps of login run here one by one.
        attempt.avatarId = await this.portal.requestAvatarId(credentials);
        result = await this.portal.requestAvatar(attempt.avatarId, mind, ...route.interfaces);
      }
    } catch (error) {
      const step = credentials === ANONYMOUS_CREDENTIALS ? 'anonymous' : 'login';
      return this.reject(exchange, error, factory, step, attempt);
    }

    const [avatarInterface, avatar, logout] = result;
    setPortalSession(exchange.nodeRequest, { avatarInterface, avatar });
    const sessionLogout = attempt ? this.loginSucceeded(attempt, avatarInterface, logout) : logout;
    logoutOnResponseEnd(exchange.nodeResponse, sessionLogout, (error) =>
      this.log.error(
        `Logout of the ${avatarInterface.name} avatar after ${describeRequest(exchange)} ` +
          `failed: ${describeError(error)}`,
      ),
    );
    return true;
  }

  // Returns undefined while throttling and audit events are both off, so that
  // the request costs no more than without them.
  private watchAttempt(
    frameworkRequest: unknown,
    exchange: HttpExchange,
  ): WatchedAttempt | undefined {
    const audited = this.audit.enabled;
    if (!audited && this.settings.throttle === undefined) {
      return undefined;
    }
    return {
      scheme: 'anonymous',
      address: clientAddressOf(frameworkRequest, exchange.nodeRequest),
      requestId: audited ? requestIdOf(exchange.request) : undefined,
    };
  }

  // Throws the 429 response, with Retry-After, when a limit has been passed.
  // A throttle that fails (a store that cannot be reached) leads to a 500.
  private async enforceThrottle(
    exchange: HttpExchange,
    throttle: GuardThrottle,
    attempt: WatchedAttempt,
  ): Promise<void> {
    let decision: ThrottleDecision;
    try {
      decision = await throttle.check({ username: attempt.username, address: attempt.address });
    } catch (error) {
      return this.fail(exchange, error);
    }
    if (decision.allowed) {
      return;
    }

    if (attempt.requestId !== undefined) {
      this.audit.emit({
        type: 'login.failed',
        reason: 'throttled',
        username: attempt.username,
        scheme: attempt.scheme,
        address: attempt.address,
        requestId: attempt.requestId,
        time: new Date(),
      });
    }
    exchange.nodeResponse.setHeader('Retry-After', String(decision.retryAfterSeconds));
    throw portalHttpException(
      429,
      `Too many failed logins; try again in ${decision.retryAfterSeconds} seconds.`,
    );
  }

  // Resets the username's failure count, emits login.succeeded, and returns
  // the logout to bind to the response, which emits logout.
  private loginSucceeded(
    attempt: WatchedAttempt,
    avatarInterface: InterfaceToken,
    logout: Logout,
  ): Logout {
    const throttle = this.settings.throttle;
    if (throttle && attempt.username !== undefined) {
      this.resetThrottle(throttle, attempt.username);
    }

    const avatarId = attempt.avatarId;
    if (
      attempt.requestId === undefined ||
      avatarId === undefined ||
      !this.audit.wantsSuccessEvents
    ) {
      return logout;
    }
    const { scheme, address, requestId } = attempt;
    this.audit.emit({
      type: 'login.succeeded',
      avatarId,
      avatarInterface: avatarInterface.name,
      scheme,
      address,
      requestId,
      time: new Date(),
    });
    const startedAt = Date.now();
    return () => {
      try {
        return logout();
      } finally {
        this.audit.emit({
          type: 'logout',
          avatarId,
          durationMs: Date.now() - startedAt,
          scheme,
          address,
          requestId,
          time: new Date(),
        });
      }
    };
  }

  // Not awaited: the login has succeeded whatever the store does.
  private resetThrottle(throttle: GuardThrottle, username: string): void {
    const logFailure = (error: unknown): void =>
      this.log.error(`Resetting the failed-login count failed: ${describeError(error)}`);
    try {
      Promise.resolve(throttle.recordSuccess({ username })).catch(logFailure);
    } catch (error) {
      logFailure(error);
    }
  }

  // Counts a failed login against the throttle's limits, unless it is a
  // handshake step or a denial (the password was right), and emits login.failed.
  private async recordFailedLogin(
    attempt: WatchedAttempt,
    error: LoginFailed,
    step: FailedStep,
    factoryFound: boolean,
  ): Promise<void> {
    // Without a factory the header named no usable scheme, or was repeated.
    const noFactory = step === 'header' && !factoryFound;
    const unknownScheme = noFactory && !(error instanceof BadCredentialsRequest);
    const denied = error instanceof LoginDenied;
    const handshake = step === 'anonymous' || error instanceof StaleNonce;

    const throttle = this.settings.throttle;
    if (throttle && !handshake && !denied) {
      try {
        await throttle.recordFailure({ username: attempt.username, address: attempt.address });
      } catch (throttleError) {
        this.log.error(`Counting a failed login failed: ${describeError(throttleError)}`);
      }
    }

    if (attempt.requestId !== undefined) {
      let reason: LoginFailureReason = 'bad_credentials';
      if (unknownScheme) {
        reason = 'unknown_scheme';
      } else if (denied) {
        reason = 'denied';
      }
      this.audit.emit({
        type: 'login.failed',
        reason,
        username: attempt.username,
        avatarId: denied ? attempt.avatarId : undefined,
        handshake: handshake ? true : undefined,
        scheme: noFactory ? '-' : attempt.scheme,
        address: attempt.address,
        requestId: attempt.requestId,
        time: new Date(),
      });
    }
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
    attempt: WatchedAttempt | undefined,
  ): Promise<never> {
    if (!(error instanceof LoginFailed)) {
      return this.fail(exchange, error);
    }
    if (attempt) {
      await this.recordFailedLogin(attempt, error, step, failedFactory !== undefined);
    }
    if (step === 'login' && error instanceof UnhandledCredentials) {
      this.log.warn(
        `${describeRequest(exchange)}: no checker accepts ${failedFactory?.scheme ?? 'its'} ` +
          `credentials, so the request got 401 (a server misconfiguration). ${error.message}`,
      );
    }
    if (error instanceof LoginDenied && step === 'login') {
      return this.forbid(exchange, error, failedFactory);
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

  // Rejects with 403 and the challenge of the factory that decoded the
  // credentials, when it has one for the denial.
  private async forbid(
    exchange: HttpExchange,
    error: LoginDenied,
    factory: CredentialFactory | undefined,
  ): Promise<never> {
    try {
      const challenge = await factory?.getChallenge(exchange.request, error);
      if (challenge !== undefined) {
        if (typeof challenge !== 'string') {
          throw notAString(factory!, challenge);
        }
        exchange.nodeResponse.setHeader('WWW-Authenticate', challenge);
      }
    } catch (challengeError) {
      return this.fail(exchange, challengeError);
    }
    throw portalHttpException(403, error.message);
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
          throw notAString(factories[index]!, value);
        }
        return value;
      }),
    );
  }

  private fail(exchange: HttpExchange, error: unknown): never {
    this.log.error(`${describeRequest(exchange)} failed in PortalGuard: ${describeError(error)}`);
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

function notAString(factory: CredentialFactory, challenge: unknown): TypeError {
  if (challenge === undefined) {
    return new TypeError(
      `The ${factory.scheme} credential factory returned no challenge for a 400 or 401 ` +
        'response, which must carry one; only a 403 may go without.',
    );
  }
  return new TypeError(
    `The ${factory.scheme} credential factory returned a challenge that is not a string, ` +
      `but ${typeof challenge}.`,
  );
}

function describeRequest(exchange: HttpExchange): string {
  return `${exchange.request.method} ${pathOf(exchange.request.url)}`;
}

// The username that throttling counts and audit events name, when the
// credentials carry one as a string (Basic, Digest; not Bearer).
function usernameOf(credentials: unknown): string | undefined {
  const username = (credentials as { username?: unknown } | null)?.username;
  return typeof username === 'string' ? username : undefined;
}
