import type { ICredentialsChecker } from '../checker.js';
import {
  IUsernamePassword,
  type IUsernamePassword as UsernamePasswordCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { InterfaceToken } from '../interface-token.js';
import { consoleLogger, type PortalLogger } from '../logger.js';
import type { AvatarId } from '../realm.js';
import { isSecret, type Secret, secretBytes } from '../secrets.js';
import type {
  VerificationCache,
  VerificationCacheOptions,
} from '../security/verification-cache.js';
import {
  BCRYPT_MAX_PASSWORD_BYTES,
  DEFAULT_DECOY_BCRYPT_COST,
  DEFAULT_MIN_BCRYPT_COST,
  DES_CRYPT_MAX_PASSWORD_BYTES,
  type DecoyKind,
  decoyKindOf,
  type HtpasswdHash,
  isSlowHash,
  makeDecoyHash,
  parseHtpasswdHash,
  type UnsupportedHash,
  verifyHtpasswdHash,
  weakHashReason,
} from './htpasswd-hashes.js';
import {
  maxFileBytesOption,
  numberedLines,
  type ParsedPasswordFile,
  type ParseWarnings,
  PasswordFile,
  trimAsciiWhitespace,
  validatePath,
} from './password-file.js';
import { verificationCacheOption } from './verification-cache-option.js';
import { type WeakHashHook, WeakHashNotifier } from './weak-hash-notifier.js';

export type { WeakHashScheme } from './htpasswd-hashes.js';
export type { WeakHashEvent, WeakHashHook } from './weak-hash-notifier.js';

/**
 * The handling of a password longer than 72 UTF-8 bytes against a bcrypt
 * entry, since bcrypt ignores every byte after the 72nd. `'reject'` rejects
 * the login. `'truncate'` accepts it when the first 72 bytes match, as Apache
 * does.
 */
export type BcryptLongPasswords = 'reject' | 'truncate';

/** Options of `HtpasswdFile`. */
export interface HtpasswdFileOptions {
  /** Whether to keep the parsed file and reload it only when it changes. Default true. */
  cache?: boolean;
  /**
   * Whether a field that is no recognised hash is a plaintext password, as
   * Apache on Windows and NetWare reads it. Default false, as on Linux: such
   * entries are logged at load and every login for them is rejected.
   */
  allowPlaintext?: boolean;
  /** Passwords over 72 UTF-8 bytes against bcrypt entries. Default `'reject'`. */
  bcryptLongPasswords?: BcryptLongPasswords;
  /** Receives load lines, warnings about entries, and read errors. */
  logger?: PortalLogger;
  /** The largest file read, in bytes. Default 64 MiB. */
  maxFileBytes?: number;
  /**
   * Remembers successful bcrypt and argon2id verifications, so that repeated
   * logins with the same password skip the hash: a `VerificationCache` (which
   * may be shared between checkers), options for a new one, or false. Default
   * false. A user's remembered verifications are forgotten when the file
   * changes that user's entry or removes it.
   */
  verificationCache?: VerificationCache | VerificationCacheOptions | false;
  /**
   * Receives the username and password after a successful login against a
   * weak stored hash (plaintext, `{SHA}`, `$apr1$`, `$1$`, DES crypt, or bcrypt
   * below `minBcryptCost`), once per user and stored hash, so that the
   * application can store a stronger hash. Runs after the login resolves.
   * Default: none.
   */
  onWeakHash?: WeakHashHook;
  /** The bcrypt cost below which `onWeakHash` reports a bcrypt entry, 4 to 31. Default 10. */
  minBcryptCost?: number;
}

interface Entry {
  readonly hash: HtpasswdHash | UnsupportedHash;
  // The hash field as written, to detect a changed entry and for onWeakHash.
  readonly field: string;
  readonly line: number;
}

interface UsableEntry extends Entry {
  readonly hash: HtpasswdHash;
}

function isUsable(entry: Entry): entry is UsableEntry {
  return entry.hash.scheme !== 'unsupported';
}

interface HtpasswdTable {
  readonly users: ReadonlyMap<string, Entry>;
  // The scheme and cost of most entries: the work an unknown user gets.
  readonly decoyKind: DecoyKind;
}

// The decoys kept per checker. Each is a hash of a random password.
const MAX_DECOYS = 8;

let nextCheckerNumber = 1;

/**
 * Checks usernames and passwords against a file written by Apache's
 * `htpasswd`, read the way Apache's server (mod_authn_file) reads it.
 *
 * Each line is trimmed of leading and trailing whitespace (CR included), and
 * blank lines and lines starting with `#` are skipped. The username is the
 * text before the first `:` and the hash runs to the next `:` or the end of
 * the line, so a third field is a comment, as nginx allows. The first line of
 * a username wins, and usernames are case-sensitive.
 *
 * Supported hashes: bcrypt (`$2y$`, `$2a$`, `$2b$`), argon2id (`$argon2id$`,
 * which Apache cannot read), `$apr1$`, `$1$`, `{SHA}`, DES crypt, and
 * plaintext with `allowPlaintext`. An entry with any other hash is logged at
 * load and can never log in. bcrypt and argon2id are verified in libuv's
 * thread pool, the others on the event loop.
 *
 * Accepts `IUsernamePassword`. Resolves to the username. Rejects with
 * `UnauthorizedLogin` for a wrong password, an unknown user, an entry that
 * cannot be verified, and a missing or unreadable file. An unknown user or an
 * unusable entry first costs a verification against a decoy hash, of the
 * scheme and cost (bcrypt cost, or argon2id parameters) that most of the
 * file's entries use.
 *
 * With `verificationCache`, a successful bcrypt or argon2id verification is
 * remembered, and with `onWeakHash` the application receives the password of
 * a user whose stored hash is weak, to rehash it.
 */
export class HtpasswdFile implements ICredentialsChecker<UsernamePasswordCredentials> {
  readonly credentialInterfaces: readonly InterfaceToken[] = [IUsernamePassword];

  private readonly file: PasswordFile<HtpasswdTable>;
  private readonly logger: PortalLogger;
  private readonly bcryptLongPasswords: BcryptLongPasswords;
  // Oldest first. Only the file's most common kind is used at a time, so the
  // bound matters only for a file whose argon2id parameters keep changing.
  private readonly decoys = new Map<DecoyKind, Promise<HtpasswdHash>>();
  private readonly verificationCache?: VerificationCache;
  // Keeps this checker's entries apart in a VerificationCache shared with others.
  private readonly cacheId = `HtpasswdFile#${nextCheckerNumber++}`;
  private readonly weakHashNotifier?: WeakHashNotifier;
  private readonly minBcryptCost: number;
  // The table the last login saw, to find the users whose entries changed.
  private seenTable?: HtpasswdTable;
  private verifyFailureReportedForVersion = -1;

  constructor(path: string, options: HtpasswdFileOptions = {}) {
    validatePath(path, 'HtpasswdFile');
    const bcryptLongPasswords = options.bcryptLongPasswords ?? 'reject';
    if (bcryptLongPasswords !== 'reject' && bcryptLongPasswords !== 'truncate') {
      throw new TypeError("HtpasswdFile: bcryptLongPasswords must be 'reject' or 'truncate'.");
    }
    this.bcryptLongPasswords = bcryptLongPasswords;
    const allowPlaintext = options.allowPlaintext ?? false;
    this.logger = options.logger ?? consoleLogger('HtpasswdFile');

    this.minBcryptCost = options.minBcryptCost ?? DEFAULT_MIN_BCRYPT_COST;
    if (
      !Number.isInteger(this.minBcryptCost) ||
      this.minBcryptCost < 4 ||
      this.minBcryptCost > 31
    ) {
      throw new TypeError('HtpasswdFile: minBcryptCost must be a whole number from 4 to 31.');
    }
    if (options.onWeakHash !== undefined) {
      if (typeof options.onWeakHash !== 'function') {
        throw new TypeError('HtpasswdFile: onWeakHash must be a function.');
      }
      this.weakHashNotifier = new WeakHashNotifier(options.onWeakHash, this.logger);
    }
    this.verificationCache = verificationCacheOption(options.verificationCache, 'HtpasswdFile');

    this.file = new PasswordFile(
      path,
      (text, warnings) => this.parse(text, warnings, allowPlaintext),
      {
        cache: options.cache ?? true,
        logger: this.logger,
        maxFileBytes: maxFileBytesOption(options.maxFileBytes, 'HtpasswdFile'),
      },
    );
  }

  /** The path of the password file. */
  get path(): string {
    return this.file.path;
  }

  async requestAvatarId(credentials: UsernamePasswordCredentials): Promise<AvatarId> {
    const table = await this.file.read();
    this.forgetChangedUsers(table);
    if (typeof credentials?.username !== 'string' || !isSecret(credentials.password)) {
      throw new UnauthorizedLogin();
    }
    const username = credentials.username;
    const password = secretBytes(credentials.password);

    // A cached verification is consulted only after this lookup, so a user
    // removed from the file is rejected as soon as the file is reloaded.
    const entry = table.users.get(username);
    if (!entry || !isUsable(entry)) {
      await this.verifyDecoy(table.decoyKind, password);
      throw new UnauthorizedLogin();
    }

    if (!(await this.matches(username, entry, password))) {
      throw new UnauthorizedLogin();
    }
    this.reportWeakHash(username, entry, credentials.password);
    return username;
  }

  private async matches(username: string, entry: UsableEntry, password: Buffer): Promise<boolean> {
    const cache = isSlowHash(entry.hash) ? this.verificationCache : undefined;
    // The stored hash is part of the key, so a verification made against an
    // older entry can never vouch for a newer one, however the logins interleave.
    const cacheKey = JSON.stringify([this.cacheId, entry.field]);
    if (cache?.has(cacheKey, username, password)) {
      return true;
    }

    let matched: boolean;
    try {
      matched = await verifyHtpasswdHash(entry.hash, password);
    } catch (error) {
      this.reportVerifyFailure(`the ${entry.hash.scheme} hash of line ${entry.line}`, error);
      return false;
    }
    if (
      entry.hash.scheme === 'bcrypt' &&
      this.bcryptLongPasswords === 'reject' &&
      password.length > BCRYPT_MAX_PASSWORD_BYTES
    ) {
      // Verified all the same, so a long password costs what a wrong one does.
      matched = false;
    }

    if (matched) {
      cache?.remember(cacheKey, username, password);
    }
    return matched;
  }

  private async verifyDecoy(kind: DecoyKind, password: Buffer): Promise<void> {
    try {
      await verifyHtpasswdHash(await this.decoyHash(kind), password);
    } catch (error) {
      this.reportVerifyFailure(`the decoy hash (${kind})`, error);
    }
  }

  // Made on first use, because a bcrypt hash takes as long as a login.
  private decoyHash(kind: DecoyKind): Promise<HtpasswdHash> {
    let decoy = this.decoys.get(kind);
    if (!decoy) {
      decoy = makeDecoyHash(kind);
      this.decoys.set(kind, decoy);
      decoy.catch(() => this.decoys.delete(kind));
      if (this.decoys.size > MAX_DECOYS) {
        this.decoys.delete(this.decoys.keys().next().value as DecoyKind);
      }
    }
    return decoy;
  }

  private reportWeakHash(username: string, entry: UsableEntry, password: Secret): void {
    if (!this.weakHashNotifier || entry.hash.scheme === 'argon2id') {
      return;
    }
    const reason = weakHashReason(entry.hash, this.minBcryptCost);
    if (reason !== undefined) {
      this.weakHashNotifier.notify({
        username,
        password,
        scheme: entry.hash.scheme,
        reason,
        storedHash: entry.field,
      });
    }
  }

  // Forgets per user rather than clearing everything, so a file edit that
  // changes one password keeps every other user's cached verification.
  private forgetChangedUsers(table: HtpasswdTable): void {
    const previous = this.seenTable;
    if (previous === table || (!this.verificationCache && !this.weakHashNotifier)) {
      return;
    }
    this.seenTable = table;
    if (!previous) {
      return;
    }
    for (const [username, entry] of previous.users) {
      if (table.users.get(username)?.field !== entry.field) {
        this.verificationCache?.forgetUser(username);
        this.weakHashNotifier?.forgetUser(username);
      }
    }
  }

  private reportVerifyFailure(hashDescription: string, error: unknown): void {
    // Once per version of the file: the same entry fails every login.
    if (this.verifyFailureReportedForVersion === this.file.version) {
      return;
    }
    this.verifyFailureReportedForVersion = this.file.version;
    // The name only: a message could quote what was being hashed.
    const kind = error instanceof Error ? error.name : typeof error;
    this.logger.error(
      `Verifying ${hashDescription} of ${this.file.path} failed with ${kind}, so the login was rejected. ` +
        'Check that the stored parameters fit this machine, and rehash the entry if not.',
    );
  }

  // mod_authn_file: a line is trimmed (ap_cfg_getline), skipped when blank or
  // starting with '#', and read as user ':' hash [ ':' anything ]. The first
  // line of a user is the one Apache uses.
  private parse(
    text: string,
    warnings: ParseWarnings,
    allowPlaintext: boolean,
  ): ParsedPasswordFile<HtpasswdTable> {
    const users = new Map<string, Entry>();
    const kindCounts = new Map<DecoyKind, number>();
    let bcryptEntries = 0;

    for (const line of numberedLines(text)) {
      const content = trimAsciiWhitespace(line.text);
      if (content === '' || content.startsWith('#')) {
        continue;
      }
      const colon = content.indexOf(':');
      const username = colon === -1 ? content : content.slice(0, colon);
      const rest = colon === -1 ? '' : content.slice(colon + 1);
      const end = rest.indexOf(':');
      const field = end === -1 ? rest : rest.slice(0, end);

      const earlier = users.get(username);
      if (earlier) {
        warnings.warn(
          `user ${JSON.stringify(username)} is ignored, because line ${earlier.line} ` +
            'defines it first.',
          line.number,
        );
        continue;
      }

      const hash =
        colon === -1
          ? { scheme: 'unsupported' as const, reason: 'the line has no ":"' }
          : parseHtpasswdHash(field, allowPlaintext);
      users.set(username, { hash, field, line: line.number });

      if (hash.scheme === 'unsupported') {
        // Without a ':' the whole line could be a password, so it is not named.
        const who = colon === -1 ? 'the line' : `user ${JSON.stringify(username)}`;
        warnings.warn(`${who} can never log in: ${hash.reason}.`, line.number);
        continue;
      }
      if (hash.scheme === 'des-crypt') {
        warnings.warn(
          `user ${JSON.stringify(username)} has a DES crypt hash, which uses only the first ` +
            `${DES_CRYPT_MAX_PASSWORD_BYTES} bytes of a password: longer passwords log in ` +
            `when their first ${DES_CRYPT_MAX_PASSWORD_BYTES} bytes match. Rehash it with ` +
            'htpasswd -B.',
          line.number,
        );
      }
      if (hash.scheme === 'bcrypt') {
        bcryptEntries += 1;
      }
      const kind = decoyKindOf(hash);
      kindCounts.set(kind, (kindCounts.get(kind) ?? 0) + 1);
    }

    if (bcryptEntries > 0 && this.bcryptLongPasswords === 'truncate') {
      warnings.warn(
        `${bcryptEntries} bcrypt entries use only the first ${BCRYPT_MAX_PASSWORD_BYTES} bytes ` +
          "of a password, and bcryptLongPasswords is 'truncate': a longer password logs in " +
          `when its first ${BCRYPT_MAX_PASSWORD_BYTES} bytes match.`,
      );
    }
    return { table: { users, decoyKind: mostCommon(kindCounts) }, entries: users.size };
  }
}

// Ties go to the kind seen first, because a Map iterates in insertion order.
function mostCommon(counts: ReadonlyMap<DecoyKind, number>): DecoyKind {
  let best: DecoyKind = `bcrypt:${DEFAULT_DECOY_BCRYPT_COST}`;
  let bestCount = 0;
  for (const [kind, count] of counts) {
    if (count > bestCount) {
      best = kind;
      bestCount = count;
    }
  }
  return best;
}
