/**
 * The routes under load and the messages between the benchmark's processes.
 * Everything here is plain data, because it crosses process boundaries as JSON.
 */

export type AdapterName = 'express' | 'fastify';

/** The realm name of every challenge, and the Digest realm the clients hash. */
export const BENCH_REALM = 'bench';

/** The server process's configuration, read at start from the JSON file named by its argument. */
export interface ServerConfig {
  readonly adapter: AdapterName;
  /** Plain passwords of the in-memory users, shared by PortalGuard and passport. */
  readonly memoryUsers: Readonly<Record<string, string>>;
  /** The htpasswd file with bcrypt hashes of the file users. */
  readonly htpasswdPath: string;
  /** The usernames in that file, which the server sends to the file checker. */
  readonly fileUsernames: readonly string[];
  /** HS256 key of the JWTs, base64url. */
  readonly jwtKey: string;
  /** Key that signs Digest nonces, base64url. */
  readonly digestSecret: string;
  /** Whether the PortalGuard controllers run the `AvatarContextInterceptor`. */
  readonly avatarContext: boolean;
}

/** The recipe for the `Authorization` header that the load generator sends on a route. */
export type AuthorizationSpec =
  | { readonly kind: 'none' }
  | { readonly kind: 'static'; readonly value: string }
  | {
      readonly kind: 'digest';
      readonly algorithm: 'SHA-256' | 'MD5';
      readonly username: string;
      readonly password: string;
      /**
       * `challenge`: each connection fetches its own challenge before the run
       * and counts `nc` up on that nonce. `client`: each connection makes up
       * a nonce, for a server that sends no usable challenge.
       */
      readonly nonce: 'challenge' | 'client';
    };

export type GuardName = 'none' | 'PortalGuard' | '@nestjs/passport';

/** One row of the benchmark: a request that the load generator repeats. */
export interface RouteSpec {
  readonly id: string;
  readonly guard: GuardName;
  /** The scheme and checker, as shown in the table. */
  readonly description: string;
  readonly outcome: 'success' | 'failure';
  readonly path: string;
  readonly authorization: AuthorizationSpec;
  /** Every response must have this status, or the row is invalid. */
  readonly expectedStatus: 200 | 401;
  /** For a failure: how many `WWW-Authenticate` lines the response must carry. */
  readonly expectedChallenges?: number;
  /** For a success: the avatar name that the body must contain. */
  readonly expectedName?: string;
}

/** One autocannon run that the load runner performs. */
export interface LoadStep {
  readonly routeId: string;
  readonly phase: 'warmup' | 'measure' | 'profile';
  /** 1-based round of a measured step, 0 otherwise. */
  readonly round: number;
  readonly seconds: number;
}

/** The load runner's work, read from the JSON file named by its argument. */
export interface LoadPlan {
  readonly origin: string;
  /** Process id of the server, for its CPU time from /proc (Linux); 0 skips it. */
  readonly serverPid: number;
  readonly connections: number;
  readonly routes: readonly RouteSpec[];
  readonly steps: readonly LoadStep[];
}

/** One result line that the load runner prints, as JSON, per step. */
export interface StepResult {
  readonly type: 'step';
  readonly routeId: string;
  readonly phase: LoadStep['phase'];
  readonly round: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyP99Ms: number;
  /** Response counts by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: number;
  readonly timeouts: number;
  /** Reasons the step does not count; empty when every response was as expected. */
  readonly problems: readonly string[];
  /** CPU time of the server and of the load runner, as a share of one core. */
  readonly serverCpu: number | null;
  readonly generatorCpu: number;
  /** The run's start and end on the monotonic clock, in microseconds (as V8 profiles use). */
  readonly startMicros: number;
  readonly endMicros: number;
}
