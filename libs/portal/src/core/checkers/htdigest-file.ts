import { createHash, randomBytes } from 'node:crypto';

import type { ICredentialsChecker } from '../checker.js';
import {
  IUsernameDigestHash,
  IUsernamePassword,
  type IUsernameDigestHash as UsernameDigestHashCredentials,
  type IUsernamePassword as UsernamePasswordCredentials,
} from '../credentials.js';
import { UnauthorizedLogin } from '../errors.js';
import type { InterfaceToken } from '../interface-token.js';
import { consoleLogger, type PortalLogger } from '../logger.js';
import type { AvatarId } from '../realm.js';
import { isSecret, secretBytes, secretsEqual } from '../secrets.js';
import {
  maxFileBytesOption,
  numberedLines,
  type ParsedPasswordFile,
  type ParseWarnings,
  PasswordFile,
  trimAsciiWhitespace,
  validatePath,
} from './password-file.js';

/** Options of `HtdigestFile`. */
export interface HtdigestFileOptions {
  /**
   * The realm whose entries this checker uses. Required for
   * `IUsernamePassword` logins, which are accepted only when it is set. Digest
   * credentials that carry a `realm` must carry this one. Default: none, and
   * digest credentials are looked up in the realm they carry.
   */
  realm?: string;
  /** Whether to keep the parsed file and reload it only when it changes. Default true. */
  cache?: boolean;
  /** Receives load lines, warnings about entries, and read errors. */
  logger?: PortalLogger;
  /** The largest file read, in bytes. Default 64 MiB. */
  maxFileBytes?: number;
}

interface Entry {
  // Lowercase hex, or undefined when the line's HA1 is malformed.
  readonly ha1?: string;
  readonly line: number;
}

type Credentials = UsernameDigestHashCredentials | UsernamePasswordCredentials;

// HA1 = MD5(username ":" realm ":" password), in hex (RFC 7616, section 3.4.2).
const HA1 = /^[0-9a-fA-F]{32}$/;

/**
 * Checks credentials against a file written by Apache's `htdigest`: one
 * `user:realm:HA1` line per user and realm, where HA1 is the hex MD5 of
 * `user:realm:password`. Lines are read as Apache's mod_authn_file reads
 * them: trimmed, blank and `#` lines skipped, the first line of a user and
 * realm wins.
 *
 * Accepts `IUsernameDigestHash`, looking the entry up by username and by the
 * credentials' `realm` property (or the `realm` option when they carry none),
 * and calling `credentials.checkHash(HA1)`. With the `realm` option it also
 * accepts `IUsernamePassword` and compares the MD5 of `user:realm:password`
 * with the stored HA1 in constant time.
 *
 * Resolves to the username. Rejects with `UnauthorizedLogin` for a wrong
 * password, an unknown user (after a check against a decoy HA1), credentials
 * for another realm than the `realm` option, a malformed entry, and a missing
 * or unreadable file.
 */
export class HtdigestFile implements ICredentialsChecker<Credentials> {
  readonly credentialInterfaces: readonly InterfaceToken[];

  private readonly file: PasswordFile<ReadonlyMap<string, Entry>>;
  private readonly realm?: string;
  private readonly logger: PortalLogger;
  private readonly decoyHa1 = randomBytes(16).toString('hex');
  private missingRealmReported = false;

  constructor(path: string, options: HtdigestFileOptions = {}) {
    validatePath(path, 'HtdigestFile');
    if (options.realm !== undefined && typeof options.realm !== 'string') {
      throw new TypeError('HtdigestFile: realm must be a string.');
    }
    this.realm = options.realm;
    this.logger = options.logger ?? consoleLogger('HtdigestFile');
    // Without a realm a plain password cannot be hashed into an HA1, so Basic
    // credentials are not routed here at all.
    this.credentialInterfaces =
      this.realm === undefined ? [IUsernameDigestHash] : [IUsernameDigestHash, IUsernamePassword];

    this.file = new PasswordFile(path, parseHtdigest, {
      cache: options.cache ?? true,
      logger: this.logger,
      maxFileBytes: maxFileBytesOption(options.maxFileBytes, 'HtdigestFile'),
    });
  }

  /** The path of the password file. */
  get path(): string {
    return this.file.path;
  }

  async requestAvatarId(credentials: Credentials): Promise<AvatarId> {
    const table = await this.file.read();
    if (typeof credentials?.username !== 'string') {
      throw new UnauthorizedLogin();
    }

    if (IUsernameDigestHash.providedBy(credentials)) {
      return this.checkDigest(credentials, table);
    }
    if (IUsernamePassword.providedBy(credentials) && this.realm !== undefined) {
      return this.checkPassword(credentials, this.realm, table);
    }
    throw new UnauthorizedLogin();
  }

  private async checkDigest(
    credentials: UsernameDigestHashCredentials,
    table: ReadonlyMap<string, Entry>,
  ): Promise<AvatarId> {
    const carried = (credentials as { realm?: unknown }).realm;
    const realm = typeof carried === 'string' ? carried : this.realm;
    if (realm === undefined) {
      this.reportMissingRealm();
      throw new UnauthorizedLogin();
    }

    const entry =
      this.realm === undefined || realm === this.realm
        ? lookup(table, credentials.username, realm)
        : undefined;
    const matched = await credentials.checkHash(entry?.ha1 ?? this.decoyHa1);
    if (!entry?.ha1 || matched !== true) {
      throw new UnauthorizedLogin();
    }
    return credentials.username;
  }

  private checkPassword(
    credentials: UsernamePasswordCredentials,
    realm: string,
    table: ReadonlyMap<string, Entry>,
  ): AvatarId {
    if (!isSecret(credentials.password)) {
      throw new UnauthorizedLogin();
    }
    const entry = lookup(table, credentials.username, realm);
    const ha1 = createHash('md5')
      .update(`${credentials.username}:${realm}:`, 'utf8')
      .update(secretBytes(credentials.password))
      .digest('hex');
    const matched = secretsEqual(ha1, entry?.ha1 ?? this.decoyHa1);
    if (!entry?.ha1 || !matched) {
      throw new UnauthorizedLogin();
    }
    return credentials.username;
  }

  private reportMissingRealm(): void {
    if (this.missingRealmReported) {
      return;
    }
    this.missingRealmReported = true;
    this.logger.error(
      `HtdigestFile (${this.file.path}) received digest credentials without a realm ` +
        'property and has no realm option, so it rejects them; set the realm option.',
    );
  }
}

function lookup(
  table: ReadonlyMap<string, Entry>,
  username: string,
  realm: string,
): Entry | undefined {
  return table.get(tableKey(username, realm));
}

// JSON keeps the key unambiguous even for a username or realm with a ':'.
function tableKey(username: string, realm: string): string {
  return JSON.stringify([username, realm]);
}

// mod_authn_file reads a trimmed line as user ':' realm ':' HA1 [ ':' anything ].
function parseHtdigest(
  text: string,
  warnings: ParseWarnings,
): ParsedPasswordFile<ReadonlyMap<string, Entry>> {
  const table = new Map<string, Entry>();

  for (const line of numberedLines(text)) {
    const content = trimAsciiWhitespace(line.text);
    if (content === '' || content.startsWith('#')) {
      continue;
    }
    const [username, realm, field] = content.split(':');
    if (realm === undefined) {
      // The whole line could be a password, so it is not named.
      warnings.warn('skipped, because it has no ":" between user and realm.', line.number);
      continue;
    }

    const key = tableKey(username, realm);
    const earlier = table.get(key);
    if (earlier) {
      warnings.warn(
        `user ${JSON.stringify(username)} in realm ${JSON.stringify(realm)} is ignored, ` +
          `because line ${earlier.line} defines it first.`,
        line.number,
      );
      continue;
    }

    const valid = field !== undefined && HA1.test(field);
    table.set(key, { ha1: valid ? field.toLowerCase() : undefined, line: line.number });
    if (!valid) {
      warnings.warn(
        `user ${JSON.stringify(username)} in realm ${JSON.stringify(realm)} can never log ` +
          'in: the HA1 field is not 32 hexadecimal digits.',
        line.number,
      );
    }
  }
  return { table, entries: table.size };
}
