import { join } from 'node:path';

import { jest } from '@jest/globals';

import { UnauthorizedLogin } from '../errors.js';
import type { ParsedPasswordFile, ParseWarnings } from './password-file.js';
import { CapturingLogger, makeTempDir, rejectionOf } from './password-file.test-helpers.js';

// open() is wrapped, unchanged, so that tests can count how often the file is read.
const fs = await import('node:fs/promises');
const open = jest.fn(fs.open);
jest.unstable_mockModule('node:fs/promises', () => ({ ...fs, open }));
const { mkdir, rename, stat, unlink, utimes, writeFile } = fs;
const { numberedLines, PasswordFile, trimAsciiWhitespace, trimTrailingAsciiWhitespace } =
  await import('./password-file.js');

// Parses one name per line and counts its calls. A "bad" line gets a warning.
function countingParser(): {
  parse: (text: string, warnings: ParseWarnings) => ParsedPasswordFile<string[]>;
  calls: () => number;
} {
  let calls = 0;
  return {
    parse: (text, warnings) => {
      calls += 1;
      const names: string[] = [];
      for (const line of numberedLines(text)) {
        if (line.text === 'bad') {
          warnings.warn('bad line', line.number);
        } else if (line.text !== '') {
          names.push(line.text);
        }
      }
      return { table: names, entries: names.length };
    },
    calls: () => calls,
  };
}

describe('PasswordFile', () => {
  let dir: { path: string; remove: () => Promise<void> };
  let file: string;
  let logger: CapturingLogger;

  beforeEach(async () => {
    dir = await makeTempDir();
    file = join(dir.path, 'users');
    logger = new CapturingLogger();
  });

  afterEach(async () => {
    await dir.remove();
  });

  function openFile(cache: boolean, maxFileBytes = 1024) {
    const parser = countingParser();
    const passwordFile = new PasswordFile(file, parser.parse, { cache, logger, maxFileBytes });
    return { passwordFile, parser };
  }

  it('cache: true parses once while the file is unchanged', async () => {
    await writeFile(file, 'alice\nbob\n');
    const { passwordFile, parser } = openFile(true);

    expect(await passwordFile.read()).toEqual(['alice', 'bob']);
    expect(await passwordFile.read()).toEqual(['alice', 'bob']);

    expect(parser.calls()).toBe(1);
    expect(logger.messages('log')).toEqual([`Loaded 2 entries from password file ${file}.`]);
  });

  it('cache: true reloads after an edit in place', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const { passwordFile } = openFile(true);
    expect(await passwordFile.read()).toEqual(['alice']);

    await writeFile(file, 'alice\ncarol\n');
    await utimes(file, 2_000, 2_000);

    expect(await passwordFile.read()).toEqual(['alice', 'carol']);
    expect(logger.messages('log')).toEqual([
      `Loaded 1 entry from password file ${file}.`,
      `Loaded 2 entries from password file ${file}.`,
    ]);
  });

  it('cache: true sees a same-size edit with the mtime put back', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const before = await stat(file, { bigint: true });
    const { passwordFile } = openFile(true);
    expect(await passwordFile.read()).toEqual(['alice']);

    // Same size, inode and mtime, so only the ctime differs. The pause lets
    // the kernel's coarse clock move on.
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(file, 'carol\n');
    await utimes(file, 1_000, 1_000);
    const after = await stat(file, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([
      before.ino,
      before.size,
      before.mtimeNs,
    ]);

    expect(await passwordFile.read()).toEqual(['carol']);
  });

  it('cache: true sees an atomic rename with the same size and times', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const { passwordFile } = openFile(true);
    expect(await passwordFile.read()).toEqual(['alice']);

    const replacement = join(dir.path, 'users.new');
    await writeFile(replacement, 'carol\n');
    await utimes(replacement, 1_000, 1_000);
    await rename(replacement, file);

    expect(await passwordFile.read()).toEqual(['carol']);
  });

  it('cache: true shares one reload among concurrent reads', async () => {
    await writeFile(file, 'alice\n');
    const { passwordFile, parser } = openFile(true);
    open.mockClear();

    const tables = await Promise.all(Array.from({ length: 10 }, () => passwordFile.read()));

    expect(open).toHaveBeenCalledTimes(1);
    expect(tables.every((table) => table === tables[0])).toBe(true);
    expect(parser.calls()).toBe(1);
    expect(logger.messages('log')).toHaveLength(1);
  });

  it('cache: true does not read an unchanged file', async () => {
    await writeFile(file, 'alice\n');
    const { passwordFile } = openFile(true);
    await passwordFile.read();
    open.mockClear();

    await passwordFile.read();
    await passwordFile.read();

    expect(open).not.toHaveBeenCalled();
  });

  it('cache: true keeps the table when a touch leaves the bytes alike', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const { passwordFile, parser } = openFile(true);
    const first = await passwordFile.read();

    await utimes(file, 2_000, 2_000);

    expect(await passwordFile.read()).toBe(first);
    expect(parser.calls()).toBe(1);
    expect(logger.messages('log')).toHaveLength(1);
  });

  it('cache: false reads and parses on every read', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const { passwordFile, parser } = openFile(false);
    open.mockClear();
    await passwordFile.read();
    await passwordFile.read();

    // Same size and mtime, yet the next read returns the new content.
    await writeFile(file, 'carol\n');
    await utimes(file, 1_000, 1_000);

    expect(await passwordFile.read()).toEqual(['carol']);
    expect(open).toHaveBeenCalledTimes(3);
    expect(parser.calls()).toBe(3);
  });

  it('cache: false logs loads and warnings once per content', async () => {
    await writeFile(file, 'alice\nbad\n');
    const { passwordFile } = openFile(false);

    await passwordFile.read();
    await passwordFile.read();
    await writeFile(file, 'alice\nbob\n');
    await passwordFile.read();

    expect(logger.records).toEqual([
      { level: 'warn', message: `Password file ${file}, line 2: bad line` },
      { level: 'log', message: `Loaded 1 entry from password file ${file}.` },
      { level: 'log', message: `Loaded 2 entries from password file ${file}.` },
    ]);
  });

  it.each([true, false])('missing file rejects and logs one error (cache: %s)', async (cache) => {
    const { passwordFile } = openFile(cache);

    const errors = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      errors.push(await rejectionOf(passwordFile.read()));
    }

    for (const error of errors) {
      expect(error).toBeInstanceOf(UnauthorizedLogin);
      expect(error.message).toBe(new UnauthorizedLogin().message);
    }
    expect(logger.messages('error')).toEqual([
      `Cannot read password file ${file} (ENOENT); every login checked against it is ` +
        'rejected until it can be read.',
    ]);
  });

  it('file that recovers and breaks again logs again', async () => {
    const { passwordFile } = openFile(true);
    await rejectionOf(passwordFile.read());

    await writeFile(file, 'alice\n');
    expect(await passwordFile.read()).toEqual(['alice']);
    await unlink(file);
    await rejectionOf(passwordFile.read());
    await rejectionOf(passwordFile.read());

    expect(logger.records.map((record) => record.level)).toEqual(['error', 'log', 'error']);
  });

  it('deleted file drops the cached table', async () => {
    await writeFile(file, 'alice\n');
    const { passwordFile } = openFile(true);
    await passwordFile.read();

    await unlink(file);

    expect(await rejectionOf(passwordFile.read())).toBeInstanceOf(UnauthorizedLogin);
  });

  it('directory path rejects as not a regular file', async () => {
    await mkdir(file);
    const { passwordFile } = openFile(true);

    expect(await rejectionOf(passwordFile.read())).toBeInstanceOf(UnauthorizedLogin);
    expect(logger.messages('error')).toEqual([
      expect.stringContaining(`${file} (not a regular file)`),
    ]);
  });

  it('file over maxFileBytes rejects', async () => {
    await writeFile(file, 'x'.repeat(2_000));
    const { passwordFile } = openFile(true, 1_000);

    expect(await rejectionOf(passwordFile.read())).toBeInstanceOf(UnauthorizedLogin);
    expect(logger.messages('error')).toEqual([
      expect.stringContaining('larger than maxFileBytes, 1000 bytes'),
    ]);
  });

  it('warnings are capped per load', async () => {
    await writeFile(file, 'bad\n'.repeat(25));
    const { passwordFile } = openFile(true);

    await passwordFile.read();

    const warnings = logger.messages('warn');
    expect(warnings).toHaveLength(21);
    expect(warnings[19]).toBe(`Password file ${file}, line 20: bad line`);
    expect(warnings[20]).toBe(`Password file ${file}: 5 more warnings were not logged.`);
  });

  it('byte order mark is not part of the first line', async () => {
    await writeFile(file, '\uFEFFalice\n');
    const { passwordFile } = openFile(true);

    expect(await passwordFile.read()).toEqual(['alice']);
  });

  it('version grows only when the content changes', async () => {
    await writeFile(file, 'alice\n');
    await utimes(file, 1_000, 1_000);
    const { passwordFile } = openFile(true);
    await passwordFile.read();
    const first = passwordFile.version;

    await utimes(file, 2_000, 2_000);
    await passwordFile.read();
    expect(passwordFile.version).toBe(first);

    await writeFile(file, 'bob\n');
    await utimes(file, 3_000, 3_000);
    await passwordFile.read();
    expect(passwordFile.version).toBe(first + 1);
  });
});

describe('numberedLines', () => {
  it('splits at LF and keeps CR', () => {
    expect([...numberedLines('a\r\nb\n\nc')]).toEqual([
      { number: 1, text: 'a\r' },
      { number: 2, text: 'b' },
      { number: 3, text: '' },
      { number: 4, text: 'c' },
    ]);
  });
});

describe('trimAsciiWhitespace', () => {
  it('trims spaces, tabs and CR on both ends', () => {
    expect(trimAsciiWhitespace(' \t bob:x \r')).toBe('bob:x');
  });

  it('keeps non-ASCII spaces', () => {
    expect(trimAsciiWhitespace('\u00A0bob\u00A0')).toBe('\u00A0bob\u00A0');
  });
});

describe('trimTrailingAsciiWhitespace', () => {
  it('trims the end only', () => {
    expect(trimTrailingAsciiWhitespace('  bob:x \r')).toBe('  bob:x');
  });
});
