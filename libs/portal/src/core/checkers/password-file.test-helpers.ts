/** Helpers shared by the password-file checker tests: temp files, Apache's tools, a realm. */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { requireTool } from '../../../../../test/support/require-tool.js';
import { alsoProvides, defineInterface } from '../interface-token.js';
import type { PortalLogger } from '../logger.js';
import { Portal } from '../portal.js';
import type { IRealm } from '../realm.js';
import type { ICredentialsChecker } from '../checker.js';

/** One line written to a `CapturingLogger`. */
export interface LogRecord {
  readonly level: 'log' | 'warn' | 'error';
  readonly message: string;
}

/** A `PortalLogger` that keeps every line, for assertions. */
export class CapturingLogger implements PortalLogger {
  readonly records: LogRecord[] = [];

  log(message: string): void {
    this.records.push({ level: 'log', message });
  }

  warn(message: string): void {
    this.records.push({ level: 'warn', message });
  }

  error(message: string): void {
    this.records.push({ level: 'error', message });
  }

  /** Returns the messages logged at `level`. */
  messages(level: LogRecord['level']): string[] {
    return this.records.filter((record) => record.level === level).map((record) => record.message);
  }

  /** Returns every message, of every level, joined with newlines. */
  text(): string {
    return this.records.map((record) => record.message).join('\n');
  }
}

/** Creates a fresh temporary directory; `remove` deletes it. */
export async function makeTempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'nestjs-portal-password-files-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Hash options of Apache's htpasswd: bcrypt, apr1 MD5, SHA-1, plaintext, DES crypt, SHA-256/512-crypt. */
export type HtpasswdFlag = 'B' | 'm' | 's' | 'p' | 'd' | '2' | '5';

/**
 * Runs the real `htpasswd -b<flag>` to add `username` to `file` (creating it
 * when `create` is set). bcrypt uses cost 5 to keep the tests fast.
 */
export function runHtpasswd(
  file: string,
  flag: HtpasswdFlag,
  username: string,
  password: string,
  create = false,
): void {
  requireTool('htpasswd', 'apache2-utils');
  const args = [`-b${create ? 'c' : ''}${flag}`];
  if (flag === 'B') {
    args.push('-C', '5');
  }
  args.push(file, username, password);
  execFileSync('htpasswd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Returns the line that the real `htpasswd -nb<flag>` prints, without its line feed. */
export function htpasswdLine(flag: HtpasswdFlag, username: string, password: string): string {
  requireTool('htpasswd', 'apache2-utils');
  const args = [`-nb${flag}`];
  if (flag === 'B') {
    args.push('-C', '5');
  }
  args.push(username, password);
  const output = execFileSync('htpasswd', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return output.split('\n')[0];
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the real `htdigest` to add `username` in `realm` to `file`. htdigest
 * reads the password from a terminal only, so it runs under `script`, which
 * gives it a pseudo-terminal. The password is typed at each prompt.
 */
export async function runHtdigest(
  file: string,
  realm: string,
  username: string,
  password: string,
  create = false,
): Promise<void> {
  requireTool('htdigest', 'apache2-utils');
  requireTool('script', 'bsdutils');
  const command = ['htdigest', ...(create ? ['-c'] : []), file, realm, username]
    .map(shellQuote)
    .join(' ');

  await new Promise<void>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let answered = 0;
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`htdigest did not finish; it printed: ${JSON.stringify(output)}`));
    }, 10_000);

    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      // "New password:" and then "Re-type new password:".
      const prompts = output.match(/password:/gi)?.length ?? 0;
      while (answered < prompts) {
        answered += 1;
        child.stdin.write(`${password}\n`);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && answered === 2) {
        resolve();
      } else {
        reject(new Error(`htdigest exited with ${code}; it printed: ${JSON.stringify(output)}`));
      }
    });
  });
}

/** The avatar interface of the test realm: the avatar records its avatar id. */
export interface IAccount {
  readonly name: string;
}
export const IAccount = defineInterface<IAccount>('IAccount');

/** Returns a portal with `checker` and a realm that gives every avatar id an `IAccount`. */
export function portalWith(checker: ICredentialsChecker): Portal {
  const realm: IRealm = {
    requestAvatar: (avatarId) => [
      IAccount,
      alsoProvides({ name: String(avatarId) }, IAccount),
      () => undefined,
    ],
  };
  return new Portal(realm, [checker]);
}

/** Resolves to what `promise` rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** Returns the parts of an error that a client or a program can see. */
export function visibleParts(error: Error): { class: string; code: unknown; message: string } {
  return {
    class: error.constructor.name,
    code: (error as { code?: unknown }).code,
    message: error.message,
  };
}
