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
import { isSecret, type Secret, secretBytes, secretsEqual } from '../secrets.js';
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

/** The hash functions whose `HA1` an htdigest file can hold. */
export type HtdigestAlgorithm = 'MD5' | 'SHA-256';

interface Entry {
  // Lowercase hex, or undefined when the line's HA1 is malformed.
  readonly ha1?: string;
  readonly line: number;
}

type Credentials = UsernameDigestHashCredentials | UsernamePasswordCredentials;

// HA1 = H(username ":" realm ":" password) in hex (RFC 7616, section 3.4.2):
// 32 digits for MD5, which Apache's htdigest writes, 64 for SHA-256.
const HA1_ALGORITHMS: Readonly<Record<number, HtdigestAlgorithm>> = { 32: 'MD5', 64: 'SHA-256' };
const HEX = /^[0-9a-fA-F]+$/;
const NODE_HASHES: Readonly<Record<HtdigestAlgorithm, string>> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
};

/**
 * Checks credentials against a file of `user:realm:HA1` lines, as Apache's
 * `htdigest` writes them. HA1 is the hex hash of `user:realm:password`: 32
 * digits are an MD5 hash (all that Apache writes), 64 digits a SHA-256 hash
 * (written by `htdigestLine`), so one file can serve Digest MD5 and Digest
 * SHA-256. Lines are read as Apache's mod_authn_file reads them: trimmed,
 * blank and `#` lines skipped, the first line of a user, realm and algorithm
 * wins.
 *
 * Accepts `IUsernameDigestHash`, looking the entry up by username, by the
 * credentials' `realm` property (or the `realm` option when they carry none)
 * and by their `hashAlgorithm` property (MD5 when they carry none), and
 * calling `credentials.checkHash(HA1)`. With the `realm` option it also
 * accepts `IUsernamePassword`: it hashes `user:realm:password` with the
 * algorithm of the user's MD5 entry, or else of their SHA-256 entry, and
 * compares the result with the stored HA1 in constant time.
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
  // A random HA1 per length, so that an unknown user costs a full check.
  private readonly decoyHa1 = {
    32: randomBytes(16).toString('hex'),
    64: randomBytes(32).toString('hex'),
  };
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

    const algorithm = hashAlgorithmOf(credentials);
    const entry =
      algorithm !== undefined && (this.realm === undefined || realm === this.realm)
        ? lookup(table, credentials.username, realm, algorithm)
        : undefined;
    const decoy = algorithm === 'MD5' ? this.decoyHa1[32] : this.decoyHa1[64];
    const matched = await credentials.checkHash(entry?.ha1 ?? decoy);
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
    const md5Entry = lookup(table, credentials.username, realm, 'MD5');
    const sha256Entry = lookup(table, credentials.username, realm, 'SHA-256');
    const algorithm: HtdigestAlgorithm = md5Entry?.ha1 || !sha256Entry ? 'MD5' : 'SHA-256';
    const entry = algorithm === 'MD5' ? md5Entry : sha256Entry;
    const ha1 = hashHA1(algorithm, credentials.username, realm, credentials.password);
    const decoy = algorithm === 'MD5' ? this.decoyHa1[32] : this.decoyHa1[64];
    const matched = secretsEqual(ha1, entry?.ha1 ?? decoy);
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

/**
 * Returns one line of an htdigest file, `user:realm:HA1`, without the line
 * break: HA1 is the lowercase hex MD5 (as Apache's `htdigest` writes it) or
 * SHA-256 of `user:realm:password`, hashed as UTF-8 (a byte password as it
 * is). Throws `TypeError` for a username or realm containing `:`, a line
 * break or another control character, and for any other algorithm.
 */
export function htdigestLine(
  username: string,
  realm: string,
  password: Secret,
  algorithm: HtdigestAlgorithm = 'MD5',
): string {
  for (const [name, value] of [
    ['username', username],
    ['realm', realm],
  ] as const) {
    if (!isFieldText(value)) {
      throw new TypeError(
        `htdigestLine: the ${name} must be a string without ":" or control characters.`,
      );
    }
  }
  if (!isSecret(password)) {
    throw new TypeError('htdigestLine: the password must be a string or bytes.');
  }
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    throw new TypeError(
      `htdigestLine: unsupported algorithm ${JSON.stringify(algorithm)}; use MD5 or SHA-256.`,
    );
  }
  return `${username}:${realm}:${hashHA1(algorithm, username, realm, password)}`;
}

// ':' separates the fields of a line, and a control character could end it.
function isFieldText(value: unknown): boolean {
  if (typeof value !== 'string') {
    return false;
  }
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code === 0x3a || code < 0x20 || code === 0x7f) {
      return false;
    }
  }
  return true;
}

function hashHA1(
  algorithm: HtdigestAlgorithm,
  username: string,
  realm: string,
  password: Secret,
): string {
  return createHash(NODE_HASHES[algorithm])
    .update(`${username}:${realm}:`, 'utf8')
    .update(secretBytes(password))
    .digest('hex');
}

// Credentials without a hashAlgorithm property (made before Digest SHA-256
// existed) are MD5; an algorithm the file cannot hold finds no entry.
function hashAlgorithmOf(credentials: object): HtdigestAlgorithm | undefined {
  const algorithm = (credentials as { hashAlgorithm?: unknown }).hashAlgorithm;
  if (algorithm === undefined) {
    return 'MD5';
  }
  return algorithm === 'MD5' || algorithm === 'SHA-256' ? algorithm : undefined;
}

function lookup(
  table: ReadonlyMap<string, Entry>,
  username: string,
  realm: string,
  algorithm: HtdigestAlgorithm,
): Entry | undefined {
  return table.get(tableKey(username, realm, algorithm));
}

// JSON keeps the key unambiguous even for a username or realm with a ':'.
function tableKey(username: string, realm: string, algorithm: HtdigestAlgorithm): string {
  return JSON.stringify([username, realm, algorithm]);
}

// mod_authn_file reads a trimmed line as user ':' realm ':' HA1 [ ':' anything ].
// The length of HA1 gives its algorithm. A malformed HA1 is kept for both
// algorithms, so that it shadows later lines of the user and realm, as the
// first line of a user and realm does in Apache.
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

    const algorithm =
      field !== undefined && HEX.test(field) ? HA1_ALGORITHMS[field.length] : undefined;
    const algorithms: readonly HtdigestAlgorithm[] = algorithm ? [algorithm] : ['MD5', 'SHA-256'];
    const earlier = algorithms
      .map((each) => table.get(tableKey(username, realm, each)))
      .find((entry) => entry !== undefined);
    if (earlier) {
      warnings.warn(
        `user ${JSON.stringify(username)} in realm ${JSON.stringify(realm)} is ignored, ` +
          `because line ${earlier.line} defines it first` +
          `${algorithm ? ` for ${algorithm}` : ''}.`,
        line.number,
      );
      continue;
    }

    for (const each of algorithms) {
      table.set(tableKey(username, realm, each), {
        ha1: algorithm ? field!.toLowerCase() : undefined,
        line: line.number,
      });
    }
    if (!algorithm) {
      warnings.warn(
        `user ${JSON.stringify(username)} in realm ${JSON.stringify(realm)} can never log ` +
          'in: the HA1 field is not 32 (MD5) or 64 (SHA-256) hexadecimal digits.',
        line.number,
      );
    }
  }
  return { table, entries: countLines(table) };
}

// The number of lines behind the table: a malformed line fills two keys.
function countLines(table: ReadonlyMap<string, Entry>): number {
  return new Set([...table.values()].map((entry) => entry.line)).size;
}
