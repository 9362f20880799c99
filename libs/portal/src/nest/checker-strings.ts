/**
 * Checkers described by a string, in the style of Twisted's `strcred`, so
 * that they can come from configuration or an environment variable.
 */
import { existsSync } from 'node:fs';

import { Logger } from '@nestjs/common';

import type { ICredentialsChecker } from '../core/checker.js';
import { AllowAnonymousAccess } from '../core/checkers/allow-anonymous-access.js';
import { FilePasswordDB } from '../core/checkers/file-password-db.js';
import { HtdigestFile } from '../core/checkers/htdigest-file.js';
import { HtpasswdFile } from '../core/checkers/htpasswd-file.js';
import { InMemoryUsernamePasswordDatabase } from '../core/checkers/in-memory.js';

/** The checker strings that `parseCheckerString` accepts, with what each makes. */
export const CHECKER_STRING_FORMS: readonly string[] = [
  'anonymous (AllowAnonymousAccess)',
  'memory:USER:PASSWORD[:USER:PASSWORD...] (InMemoryUsernamePasswordDatabase)',
  'file:PATH (FilePasswordDB: one USER:PASSWORD line per user)',
  'htpasswd:PATH (HtpasswdFile: a file written by Apache htpasswd)',
  'htdigest:PATH (HtdigestFile: a file written by Apache htdigest)',
];

/** A checker string that is unknown or malformed. */
export class InvalidCheckerString extends Error {
  readonly code: string = 'ERR_INVALID_CHECKER_STRING';

  constructor(detail: string) {
    super(`${detail} Accepted forms: ${CHECKER_STRING_FORMS.join('; ')}.`);
    this.name = new.target.name;
  }
}

/**
 * Makes the checker that a string describes:
 *
 * - `anonymous`: lets clients without credentials in as `ANONYMOUS`;
 * - `memory:alice:secret:bob:hunter2`: users and plain passwords, in pairs
 *   (so neither may contain a colon);
 * - `file:/path`: `FilePasswordDB` on a file of `user:password` lines;
 * - `htpasswd:/path`: `HtpasswdFile`, cached and reloaded when the file changes;
 * - `htdigest:/path`: `HtdigestFile`, for Digest credentials of any realm in it.
 *
 * A path is everything after the first colon; a path that does not exist is
 * logged as a warning, not rejected. Throws `InvalidCheckerString`,
 * whose message lists the accepted forms, for anything else. The message
 * never repeats the string after its kind, because a `memory:` string
 * contains passwords.
 */
export function parseCheckerString(spec: string): ICredentialsChecker {
  if (typeof spec !== 'string') {
    throw new InvalidCheckerString(`A checker string must be a string, not ${typeof spec}.`);
  }
  const colon = spec.indexOf(':');
  const kind = colon === -1 ? spec : spec.slice(0, colon);
  const argument = colon === -1 ? undefined : spec.slice(colon + 1);

  switch (kind) {
    case 'anonymous':
      if (argument !== undefined) {
        throw new InvalidCheckerString('The checker string "anonymous" takes no argument.');
      }
      return new AllowAnonymousAccess();
    case 'memory':
      return new InMemoryUsernamePasswordDatabase(parseMemoryUsers(argument));
    case 'file': {
      const logger = new Logger(FilePasswordDB.name);
      return new FilePasswordDB(requireFilePath(kind, argument, logger), { logger });
    }
    case 'htpasswd': {
      const logger = new Logger(HtpasswdFile.name);
      return new HtpasswdFile(requireFilePath(kind, argument, logger), { logger });
    }
    case 'htdigest': {
      const logger = new Logger(HtdigestFile.name);
      return new HtdigestFile(requireFilePath(kind, argument, logger), { logger });
    }
    default:
      throw new InvalidCheckerString(
        `Unknown checker string kind ${JSON.stringify(kind.slice(0, 20))}.`,
      );
  }
}

function parseMemoryUsers(argument: string | undefined): [string, string][] {
  const fields = argument === undefined || argument === '' ? [] : argument.split(':');
  if (fields.length === 0 || fields.length % 2 !== 0) {
    throw new InvalidCheckerString(
      'The checker string "memory:…" needs USER:PASSWORD pairs, and has ' +
        `${fields.length} field(s) after "memory:".`,
    );
  }

  const users: [string, string][] = [];
  const seen = new Set<string>();
  for (let index = 0; index < fields.length; index += 2) {
    const username = fields[index]!;
    if (username === '') {
      throw new InvalidCheckerString(
        `The checker string "memory:…" has an empty username in pair ${index / 2 + 1}.`,
      );
    }
    if (seen.has(username)) {
      throw new InvalidCheckerString(
        `The checker string "memory:…" lists user ${JSON.stringify(username)} twice.`,
      );
    }
    seen.add(username);
    users.push([username, fields[index + 1]!]);
  }
  return users;
}

// A missing file is no syntax error: the checkers reject every login until it
// appears, and read it then. A warning at startup points at a mistyped path.
function requireFilePath(kind: string, argument: string | undefined, logger: Logger): string {
  if (argument === undefined || argument === '') {
    throw new InvalidCheckerString(
      `The checker string "${kind}:" needs a file path after the colon.`,
    );
  }
  if (!existsSync(argument)) {
    logger.warn(
      `Password file ${argument} (checker string "${kind}:") does not exist; every login ` +
        'checked against it is rejected until it does.',
    );
  }
  return argument;
}
