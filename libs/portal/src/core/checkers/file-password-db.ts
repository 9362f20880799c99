import { randomBytes } from 'node:crypto';

import type { ICredentialsChecker } from '../checker.js';
import {
  IUsernameHashedPassword,
  IUsernamePassword,
  type IUsernameHashedPassword as UsernameHashedPasswordCredentials,
  type IUsernamePassword as UsernamePasswordCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { InterfaceToken } from '../interface-token.js';
import { consoleLogger, type PortalLogger } from '../logger.js';
import type { AvatarId } from '../realm.js';
import { isSecret, type Secret, secretsEqual } from '../secrets.js';
import type {
  VerificationCache,
  VerificationCacheOptions,
} from '../security/verification-cache.js';
import {
  maxFileBytesOption,
  numberedLines,
  type ParsedPasswordFile,
  type ParseWarnings,
  PasswordFile,
  trimTrailingAsciiWhitespace,
  validatePath,
} from './password-file.js';
import { verificationCacheOption } from './verification-cache-option.js';

/**
 * Hashes a login's password so that it can be compared with the stored
 * field: receives the username as the client sent it, the password the
 * client sent, and the stored field (for a salt, say), and returns (or
 * resolves to) the value that must equal the stored field.
 */
export type PasswordHashFunction = (
  username: string,
  candidate: Secret,
  stored: string,
) => Secret | Promise<Secret>;

/** Options of `FilePasswordDB`. */
export interface FilePasswordDBOptions {
  /** The string between fields. Default `':'`. */
  delimiter?: string;
  /** The 0-based index of the field holding the username. Default 0. */
  usernameField?: number;
  /** The 0-based index of the field holding the password. Default 1. */
  passwordField?: number;
  /** Whether usernames must match in case. Default true. */
  caseSensitive?: boolean;
  /**
   * Hashes the client's password for comparison with the stored field. When
   * set, the checker accepts only `IUsernamePassword`. Default: none, and the
   * stored field is the plain password.
   */
  hash?: PasswordHashFunction;
  /** Whether to keep the parsed file and reload it only when it changes. Default false. */
  cache?: boolean;
  /** Receives load lines, warnings about skipped lines, and read errors. */
  logger?: PortalLogger;
  /** The largest file read, in bytes. Default 64 MiB. */
  maxFileBytes?: number;
  /**
   * Remembers successful logins checked with `hash`, so that repeated logins
   * with the same password skip a slow hash function: a `VerificationCache`
   * (which may be shared between checkers), options for a new one, or false.
   * Needs `hash`. Default false. A user's remembered verifications are
   * forgotten when the file changes that user's entry or removes it.
   */
  verificationCache?: VerificationCache | VerificationCacheOptions | false;
}

interface Entry {
  readonly username: string;
  readonly password: string;
  readonly line: number;
}

interface UserTable {
  readonly users: ReadonlyMap<string, Entry>;
  // The first entry's stored field, passed to `hash` for unknown users so that
  // the hash function gets a value of the usual format and does the usual work.
  readonly decoyStored?: string;
}

type Credentials = UsernamePasswordCredentials | UsernameHashedPasswordCredentials;

let nextCheckerNumber = 1;

/**
 * Checks usernames and passwords against a file of delimited fields, one user
 * per line, with the behaviour of Twisted's `FilePasswordDB`.
 *
 * Each line loses its trailing whitespace (CR included) and is split at
 * `delimiter`. The fields at `usernameField` and `passwordField` are the
 * username and the stored password. Empty lines and lines that start with `#`
 * are skipped. A line with too few fields is skipped with a warning naming its
 * line number. The first line of a username wins.
 *
 * Without `hash`, the stored field is the plain password and the checker
 * calls `credentials.checkPassword(stored)`, so it accepts `IUsernamePassword`
 * and `IUsernameHashedPassword`. With `hash`, it accepts `IUsernamePassword`
 * only and compares `hash(username, password, stored)` with the stored field
 * in constant time.
 *
 * With `hash` and `verificationCache`, a successful login is remembered, so
 * that the same password skips `hash` until the entry expires or the user's
 * line changes.
 *
 * Resolves to the username as written in the file. Rejects with
 * `UnauthorizedLogin` for a wrong password, an unknown user (after a
 * comparison against a decoy, so that both cost the same) and a missing or
 * unreadable file.
 */
export class FilePasswordDB implements ICredentialsChecker<Credentials> {
  readonly credentialInterfaces: readonly InterfaceToken[];

  private readonly file: PasswordFile<UserTable>;
  private readonly caseSensitive: boolean;
  private readonly hash?: PasswordHashFunction;
  private readonly logger: PortalLogger;
  // Compared against when the user is unknown, without a hash function.
  private readonly decoyPassword = randomBytes(32).toString('base64url');
  private hashFailureReportedForVersion = -1;
  private readonly verificationCache?: VerificationCache;
  // Keeps this checker's entries apart in a VerificationCache shared with others.
  private readonly cacheId = `FilePasswordDB#${nextCheckerNumber++}`;
  // The table the last login saw, to find the users whose entries changed.
  private seenTable?: UserTable;

  constructor(path: string, options: FilePasswordDBOptions = {}) {
    validatePath(path, 'FilePasswordDB');
    const delimiter = options.delimiter ?? ':';
    const usernameField = options.usernameField ?? 0;
    const passwordField = options.passwordField ?? 1;
    if (typeof delimiter !== 'string' || delimiter.length === 0) {
      throw new TypeError('FilePasswordDB: delimiter must be a non-empty string.');
    }
    for (const [name, value] of [
      ['usernameField', usernameField],
      ['passwordField', passwordField],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new TypeError(`FilePasswordDB: ${name} must be a whole number from 0 up.`);
      }
    }
    if (options.hash !== undefined && typeof options.hash !== 'function') {
      throw new TypeError('FilePasswordDB: hash must be a function.');
    }
    this.verificationCache = verificationCacheOption(options.verificationCache, 'FilePasswordDB');
    if (this.verificationCache && options.hash === undefined) {
      throw new TypeError(
        'FilePasswordDB: verificationCache needs the hash option; without it the stored ' +
          'password is compared directly, and there is no slow hash to skip.',
      );
    }

    this.caseSensitive = options.caseSensitive ?? true;
    this.hash = options.hash;
    this.logger = options.logger ?? consoleLogger('FilePasswordDB');
    this.credentialInterfaces = this.hash
      ? [IUsernamePassword]
      : [IUsernamePassword, IUsernameHashedPassword];

    const layout = { delimiter, usernameField, passwordField };
    this.file = new PasswordFile(path, (text, warnings) => this.parse(text, warnings, layout), {
      cache: options.cache ?? false,
      logger: this.logger,
      maxFileBytes: maxFileBytesOption(options.maxFileBytes, 'FilePasswordDB'),
    });
  }

  /** The path of the password file. */
  get path(): string {
    return this.file.path;
  }

  async requestAvatarId(credentials: Credentials): Promise<AvatarId> {
    const table = await this.file.read();
    this.forgetChangedUsers(table);
    if (typeof credentials?.username !== 'string') {
      throw new UnauthorizedLogin();
    }

    // A cached verification is consulted only after this lookup, so a user
    // removed from the file is rejected as soon as the file is reloaded.
    const entry = table.users.get(this.lookupKey(credentials.username));
    const matched = this.hash
      ? await this.matchHashed(credentials, entry, table)
      : await credentials.checkPassword(entry?.password ?? this.decoyPassword);

    if (!entry || matched !== true) {
      throw new UnauthorizedLogin();
    }
    return entry.username;
  }

  private async matchHashed(
    credentials: Credentials,
    entry: Entry | undefined,
    table: UserTable,
  ): Promise<boolean> {
    const hash = this.hash as PasswordHashFunction;
    // The portal routes only IUsernamePassword here. A direct call with other
    // credentials has no password to hash.
    if (!IUsernamePassword.providedBy(credentials) || !isSecret(credentials.password)) {
      return false;
    }
    const stored = entry?.password ?? table.decoyStored ?? this.decoyPassword;

    // The key contains the stored field, so that a verification made against an
    // older entry never vouches for a newer one. It also contains the username
    // as sent, because `hash` receives that. Entries are filed under the
    // file's username, which `forgetUser` matches.
    const cacheKey = JSON.stringify([this.cacheId, stored, credentials.username]);
    const cache = entry ? this.verificationCache : undefined;
    if (entry && cache?.has(cacheKey, entry.username, credentials.password)) {
      return true;
    }

    let hashed: Secret;
    try {
      hashed = await hash(credentials.username, credentials.password, stored);
    } catch (error) {
      if (entry) {
        this.reportHashFailure(entry, error);
      }
      return false;
    }
    const matched = secretsEqual(hashed, stored);
    if (entry && matched) {
      cache?.remember(cacheKey, entry.username, credentials.password);
    }
    return matched;
  }

  // Forgets per user rather than clearing everything, so a file edit that
  // changes one password keeps every other user's cached verification.
  private forgetChangedUsers(table: UserTable): void {
    const previous = this.seenTable;
    if (!this.verificationCache || previous === table) {
      return;
    }
    this.seenTable = table;
    if (!previous) {
      return;
    }
    for (const [key, entry] of previous.users) {
      const current = table.users.get(key);
      if (current?.password !== entry.password || current.username !== entry.username) {
        this.verificationCache.forgetUser(entry.username);
      }
    }
  }

  private reportHashFailure(entry: Entry, error: unknown): void {
    // Once per version of the file: the same broken entry fails every login.
    if (this.hashFailureReportedForVersion === this.file.version) {
      return;
    }
    this.hashFailureReportedForVersion = this.file.version;
    const kind = error instanceof Error ? error.name : typeof error;
    this.logger.error(
      `The hash function threw ${kind} for the entry of user ${JSON.stringify(entry.username)} ` +
        `on line ${entry.line} of ${this.file.path}; its logins are rejected. Check the ` +
        'stored value on that line and the hash function.',
    );
  }

  private lookupKey(username: string): string {
    return this.caseSensitive ? username : username.toLowerCase();
  }

  private parse(
    text: string,
    warnings: ParseWarnings,
    layout: { delimiter: string; usernameField: number; passwordField: number },
  ): ParsedPasswordFile<UserTable> {
    const users = new Map<string, Entry>();
    const fieldsNeeded = Math.max(layout.usernameField, layout.passwordField) + 1;
    let decoyStored: string | undefined;

    for (const line of numberedLines(text)) {
      const content = trimTrailingAsciiWhitespace(line.text);
      if (content === '' || content.startsWith('#')) {
        continue;
      }
      const fields = content.split(layout.delimiter);
      if (fields.length < fieldsNeeded) {
        // The content is not logged: a short line may be a bare password.
        warnings.warn(
          `skipped, because it has ${fields.length} field(s) and the username and ` +
            `password fields need ${fieldsNeeded} (delimiter ${JSON.stringify(layout.delimiter)}).`,
          line.number,
        );
        continue;
      }

      const username = fields[layout.usernameField];
      const password = fields[layout.passwordField];
      decoyStored ??= password;
      const key = this.lookupKey(username);
      if (!users.has(key)) {
        users.set(key, { username, password, line: line.number });
      }
    }
    return { table: { users, decoyStored }, entries: users.size };
  }
}
