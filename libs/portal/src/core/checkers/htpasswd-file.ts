import type { ICredentialsChecker } from '../checker.js';
import {
  IUsernamePassword,
  type IUsernamePassword as UsernamePasswordCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { InterfaceToken } from '../interface-token.js';
import { consoleLogger, type PortalLogger } from '../logger.js';
import type { AvatarId } from '../realm.js';
import { isSecret, secretBytes } from '../secrets.js';
import {
  BCRYPT_MAX_PASSWORD_BYTES,
  DEFAULT_DECOY_BCRYPT_COST,
  DES_CRYPT_MAX_PASSWORD_BYTES,
  type DecoyKind,
  decoyKindOf,
  type HtpasswdHash,
  makeDecoyHash,
  parseHtpasswdHash,
  type UnsupportedHash,
  verifyHtpasswdHash,
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
}

interface Entry {
  readonly hash: HtpasswdHash | UnsupportedHash;
  readonly line: number;
}

interface HtpasswdTable {
  readonly users: ReadonlyMap<string, Entry>;
  // The scheme (and bcrypt cost) of most entries: the work an unknown user gets.
  readonly decoyKind: DecoyKind;
}

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
 * Supported hashes: bcrypt (`$2y$`, `$2a$`, `$2b$`), `$apr1$`, `$1$`,
 * `{SHA}`, DES crypt, and plaintext with `allowPlaintext`. An entry with any
 * other hash is logged at load and can never log in.
 *
 * Accepts `IUsernamePassword`. Resolves to the username. Rejects with
 * `UnauthorizedLogin` for a wrong password, an unknown user, an entry that
 * cannot be verified, and a missing or unreadable file. An unknown user or an
 * unusable entry first costs a verification against a decoy hash, of the
 * scheme (and bcrypt cost) that most of the file's entries use.
 */
export class HtpasswdFile implements ICredentialsChecker<UsernamePasswordCredentials> {
  readonly credentialInterfaces: readonly InterfaceToken[] = [IUsernamePassword];

  private readonly file: PasswordFile<HtpasswdTable>;
  private readonly bcryptLongPasswords: BcryptLongPasswords;
  // At most one decoy per kind, and there are 28 bcrypt costs and 5 other schemes.
  private readonly decoys = new Map<DecoyKind, Promise<HtpasswdHash>>();

  constructor(path: string, options: HtpasswdFileOptions = {}) {
    validatePath(path, 'HtpasswdFile');
    const bcryptLongPasswords = options.bcryptLongPasswords ?? 'reject';
    if (bcryptLongPasswords !== 'reject' && bcryptLongPasswords !== 'truncate') {
      throw new TypeError("HtpasswdFile: bcryptLongPasswords must be 'reject' or 'truncate'.");
    }
    this.bcryptLongPasswords = bcryptLongPasswords;
    const allowPlaintext = options.allowPlaintext ?? false;

    this.file = new PasswordFile(
      path,
      (text, warnings) => this.parse(text, warnings, allowPlaintext),
      {
        cache: options.cache ?? true,
        logger: options.logger ?? consoleLogger('HtpasswdFile'),
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
    if (typeof credentials?.username !== 'string' || !isSecret(credentials.password)) {
      throw new UnauthorizedLogin();
    }
    const password = secretBytes(credentials.password);

    const entry = table.users.get(credentials.username);
    if (!entry || entry.hash.scheme === 'unsupported') {
      await verifyHtpasswdHash(await this.decoyHash(table.decoyKind), password);
      throw new UnauthorizedLogin();
    }

    let matched = await verifyHtpasswdHash(entry.hash, password);
    if (
      entry.hash.scheme === 'bcrypt' &&
      this.bcryptLongPasswords === 'reject' &&
      password.length > BCRYPT_MAX_PASSWORD_BYTES
    ) {
      // Verified all the same, so a long password costs what a wrong one does.
      matched = false;
    }
    if (!matched) {
      throw new UnauthorizedLogin();
    }
    return credentials.username;
  }

  // Made on first use, because a bcrypt hash takes as long as a login.
  private decoyHash(kind: DecoyKind): Promise<HtpasswdHash> {
    let decoy = this.decoys.get(kind);
    if (!decoy) {
      decoy = makeDecoyHash(kind);
      this.decoys.set(kind, decoy);
      decoy.catch(() => this.decoys.delete(kind));
    }
    return decoy;
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
      users.set(username, { hash, line: line.number });

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
