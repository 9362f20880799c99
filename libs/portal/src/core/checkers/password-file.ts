/**
 * Loading of line-based password files (htpasswd, htdigest and Twisted-style
 * files), shared by the file checkers: reading, reloading on change, and the
 * logging of loads, parse warnings and read failures.
 */
import { createHash } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { open, stat } from 'node:fs/promises';

import { UnauthorizedLogin } from '../errors.js';
import type { PortalLogger } from '../logger.js';

/** The largest password file the checkers read by default: 64 MiB. */
export const DEFAULT_MAX_PASSWORD_FILE_BYTES = 64 * 1024 * 1024;

// A file with thousands of malformed lines must not flood the log on every
// reload, so each load logs at most this many warnings and then a count.
const MAX_WARNINGS_PER_LOAD = 20;

/** One line of a password file, numbered from 1, without its line feed. */
export interface PasswordFileLine {
  readonly number: number;
  readonly text: string;
}

/** Receives the warnings of one parse. `line` is the 1-based line number. */
export interface ParseWarnings {
  warn(message: string, line?: number): void;
}

/** A parser's result: the lookup table, and its entry count for the load log. */
export interface ParsedPasswordFile<T> {
  readonly table: T;
  readonly entries: number;
}

/** Turns a file's text into a lookup table. Must not throw on malformed lines. */
export type PasswordFileParser<T> = (
  text: string,
  warnings: ParseWarnings,
) => ParsedPasswordFile<T>;

/** Options of `PasswordFile`. */
export interface PasswordFileOptions {
  /**
   * Whether to keep the parsed table between logins. When true, every login
   * stats the file and reloads it only when its inode, size, mtime or ctime
   * changed. When false, every login reads and parses the file.
   */
  readonly cache: boolean;
  /** Receives one line per (re)load, parse warnings, and read failures. */
  readonly logger: PortalLogger;
  /** Files larger than this many bytes are not read, and every login is rejected. */
  readonly maxFileBytes: number;
}

/** Validates the `maxFileBytes` option of a file checker and returns it or the default. */
export function maxFileBytesOption(value: number | undefined, checker: string): number {
  if (value === undefined) {
    return DEFAULT_MAX_PASSWORD_FILE_BYTES;
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`${checker}: maxFileBytes must be a positive whole number of bytes.`);
  }
  return value;
}

/** Validates the path argument of a file checker. */
export function validatePath(path: unknown, checker: string): asserts path is string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new TypeError(`${checker} needs the path of the password file as a non-empty string.`);
  }
}

/**
 * A password file and its parsed table.
 *
 * `read()` resolves to the table, or rejects with `UnauthorizedLogin` (the
 * same error as a wrong password) when the file is missing, unreadable, not a
 * regular file or larger than `maxFileBytes`. The first failure is logged as
 * an error naming the path and the reason, such as the OS error code
 * `ENOENT`. Later failures with the same reason are not logged until the file
 * has been read successfully again.
 *
 * Each load whose content differs from the last one logged (compared by
 * SHA-256 of the bytes) logs one line with the path and the number of entries,
 * after the parser's warnings. Loads of unchanged content log nothing, so a
 * file read on every login (`cache: false`) logs once per change.
 */
export class PasswordFile<T> {
  // The table and the signature of the file it came from (cache: true only).
  private current?: { readonly signature: string; readonly table: T };
  // The reload in progress, shared by the logins that see the same signature.
  private pending?: { readonly signature: string; readonly promise: Promise<T> };
  // Loads can finish out of order, and an older one must not replace a newer table.
  private loadsStarted = 0;
  private newestApplied = 0;
  private loggedDigest?: string;
  private failureReason?: string;
  private contentVersion = 0;

  constructor(
    readonly path: string,
    private readonly parse: PasswordFileParser<T>,
    private readonly options: PasswordFileOptions,
  ) {}

  /**
   * A number that grows each time the file's content changes. Checkers use it
   * to reset what they report once per version of the file.
   */
  get version(): number {
    return this.contentVersion;
  }

  /** Resolves to the current table, (re)loading the file as the `cache` option sets. */
  async read(): Promise<T> {
    if (!this.options.cache) {
      return this.load();
    }

    let signature: string;
    try {
      signature = fileSignature(await stat(this.path, { bigint: true }));
    } catch (error) {
      throw this.fail(error);
    }
    if (this.current?.signature === signature) {
      return this.current.table;
    }
    if (this.pending?.signature === signature) {
      return this.pending.promise;
    }

    const pending = { signature, promise: this.load() };
    this.pending = pending;
    try {
      return await pending.promise;
    } finally {
      if (this.pending === pending) {
        this.pending = undefined;
      }
    }
  }

  private async load(): Promise<T> {
    const sequence = ++this.loadsStarted;
    let contents: Buffer;
    let signature: string;
    try {
      ({ contents, signature } = await readRegularFile(this.path, this.options.maxFileBytes));
    } catch (error) {
      throw this.fail(error);
    }
    this.failureReason = undefined;

    const digest = createHash('sha256').update(contents).digest('hex');
    const changed = digest !== this.loggedDigest;
    let table: T;
    if (!changed && this.current) {
      // Touched or copied over with the same bytes: keep the parsed table.
      table = this.current.table;
    } else {
      const warnings = new CappedWarnings(changed ? this.options.logger : undefined, this.path);
      const parsed = this.parse(decodeText(contents), warnings);
      warnings.finish();
      table = parsed.table;
      if (changed) {
        this.loggedDigest = digest;
        this.contentVersion += 1;
        this.options.logger.log(
          `Loaded ${parsed.entries} ${parsed.entries === 1 ? 'entry' : 'entries'} ` +
            `from password file ${this.path}.`,
        );
      }
    }

    if (this.options.cache && sequence > this.newestApplied) {
      this.newestApplied = sequence;
      this.current = { signature, table };
    }
    return table;
  }

  private fail(error: unknown): UnauthorizedLogin {
    const reason = describeReadFailure(error);
    if (this.failureReason !== reason) {
      this.options.logger.error(
        `Cannot read password file ${this.path} (${reason}); every login checked ` +
          'against it is rejected until it can be read.',
      );
    }
    this.failureReason = reason;
    // A file that is gone has no users: never fall back to an older table.
    this.current = undefined;
    this.loggedDigest = undefined;
    return new UnauthorizedLogin();
  }
}

/** Splits a file's text into numbered lines at each LF; a CR before the LF stays. */
export function* numberedLines(text: string): Generator<PasswordFileLine> {
  let number = 0;
  let start = 0;
  while (start <= text.length) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    number += 1;
    yield { number, text: text.slice(start, stop) };
    if (end === -1) {
      return;
    }
    start = end + 1;
  }
}

// The characters that C's isspace() matches in the C locale, which is what
// Apache (ap_cfg_getline) and Python's bytes.rstrip() strip.
const LEADING_ASCII_SPACE = /^[\t\n\v\f\r ]+/;
const TRAILING_ASCII_SPACE = /[\t\n\v\f\r ]+$/;

/** Removes leading and trailing ASCII whitespace (CR included), as Apache trims config lines. */
export function trimAsciiWhitespace(text: string): string {
  return text.replace(LEADING_ASCII_SPACE, '').replace(TRAILING_ASCII_SPACE, '');
}

/** Removes trailing ASCII whitespace (CR included), as Twisted's FilePasswordDB does. */
export function trimTrailingAsciiWhitespace(text: string): string {
  return text.replace(TRAILING_ASCII_SPACE, '');
}

class CappedWarnings implements ParseWarnings {
  private count = 0;

  constructor(
    private readonly logger: PortalLogger | undefined,
    private readonly path: string,
  ) {}

  warn(message: string, line?: number): void {
    this.count += 1;
    if (this.logger && this.count <= MAX_WARNINGS_PER_LOAD) {
      const where = line === undefined ? this.path : `${this.path}, line ${line}`;
      this.logger.warn(`Password file ${where}: ${message}`);
    }
  }

  finish(): void {
    if (this.logger && this.count > MAX_WARNINGS_PER_LOAD) {
      this.logger.warn(
        `Password file ${this.path}: ${this.count - MAX_WARNINGS_PER_LOAD} more ` +
          'warnings were not logged.',
      );
    }
  }
}

class PasswordFileReadError extends Error {}

// O_NONBLOCK keeps open() from waiting for a writer when the path is a FIFO;
// it changes nothing for regular files. Windows has no such flag.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Reads the file through one descriptor, so the signature belongs to the bytes read. */
async function readRegularFile(
  path: string,
  maxBytes: number,
): Promise<{ contents: Buffer; signature: string }> {
  const handle = await open(path, OPEN_FLAGS);
  try {
    const stats = await handle.stat({ bigint: true });
    if (!stats.isFile()) {
      throw new PasswordFileReadError('not a regular file');
    }
    if (stats.size > BigInt(maxBytes)) {
      throw new PasswordFileReadError(`larger than maxFileBytes, ${maxBytes} bytes`);
    }
    const contents = await handle.readFile();
    // The size can grow between fstat and read, and some files report size 0.
    if (contents.length > maxBytes) {
      throw new PasswordFileReadError(`larger than maxFileBytes, ${maxBytes} bytes`);
    }
    return { contents, signature: fileSignature(stats) };
  } finally {
    await handle.close();
  }
}

// An edit in place changes the size or mtime, and always the ctime. An atomic
// rename changes the inode. Nanosecond times catch two writes within a second.
function fileSignature(stats: BigIntStats): string {
  return [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].join(':');
}

// Files are UTF-8. A byte order mark, which some Windows editors write, would
// otherwise become part of the first user name.
function decodeText(contents: Buffer): string {
  const text = contents.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

function describeReadFailure(error: unknown): string {
  if (error instanceof PasswordFileReadError) {
    return error.message;
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') {
    return code;
  }
  return error instanceof Error ? error.name : String(error);
}
