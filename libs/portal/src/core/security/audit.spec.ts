import { ANONYMOUS } from '../realm.js';
import {
  type AuditEvent,
  auditEventLevel,
  createAuditLogListener,
  formatAuditEvent,
} from './audit.js';

function recordingLogger() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    debug: (message: string) => void lines.push(['debug', message]),
    log: (message: string) => void lines.push(['log', message]),
    warn: (message: string) => void lines.push(['warn', message]),
    error: (message: string) => void lines.push(['error', message]),
  };
}

const time = new Date(0);

function failure(address: string): AuditEvent {
  return {
    type: 'login.failed',
    reason: 'bad_credentials',
    username: 'alice',
    scheme: 'basic',
    address,
    requestId: 'r1',
    time,
  };
}

describe('formatAuditEvent', () => {
  it('names the avatar, scheme, address and request of a success', () => {
    expect(
      formatAuditEvent({
        type: 'login.succeeded',
        avatarId: 'alice',
        avatarInterface: 'IMailbox',
        scheme: 'basic',
        address: '192.0.2.1',
        requestId: 'r1',
        time,
      }),
    ).toBe(
      'Login succeeded: avatar "alice" as IMailbox, scheme basic, address 192.0.2.1, request r1',
    );
  });

  it('writes the anonymous avatar id as a word', () => {
    expect(
      formatAuditEvent({
        type: 'logout',
        avatarId: ANONYMOUS,
        durationMs: 3,
        scheme: 'anonymous',
        time,
      }),
    ).toBe('Logged out: avatar (anonymous) after 3 ms, scheme anonymous, address -, request -');
  });

  it('quotes and truncates a hostile username', () => {
    const line = formatAuditEvent({ ...failure('a'), username: 'x\n'.repeat(100) } as AuditEvent);
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(250);
  });
});

describe('auditEventLevel', () => {
  it('is warn only for failures that are not handshake steps', () => {
    expect(auditEventLevel(failure('a'))).toBe('warn');
    expect(auditEventLevel({ ...failure('a'), handshake: true } as AuditEvent)).toBe('debug');
    expect(
      auditEventLevel({ type: 'logout', avatarId: 'a', durationMs: 1, scheme: 'basic', time }),
    ).toBe('debug');
  });
});

describe('createAuditLogListener', () => {
  it('logs successes at debug and failures as warnings', () => {
    const logger = recordingLogger();
    const listen = createAuditLogListener(logger);
    listen({ type: 'login.succeeded', avatarId: 'a', avatarInterface: 'I', scheme: 'basic', time });
    listen(failure('192.0.2.1'));
    expect(logger.lines.map(([level]) => level)).toEqual(['debug', 'warn']);
  });

  it('logs handshake failures at debug without rate limit', () => {
    const logger = recordingLogger();
    const listen = createAuditLogListener(logger, { maxLinesPerInterval: 1 });
    const anonymous: AuditEvent = {
      type: 'login.failed',
      reason: 'denied',
      avatarId: ANONYMOUS,
      handshake: true,
      scheme: 'anonymous',
      address: '192.0.2.1',
      time,
    };

    listen(anonymous);
    listen(anonymous);
    listen(failure('192.0.2.1'));

    expect(logger.lines).toEqual([
      [
        'debug',
        'Login failed (denied, handshake), avatar (anonymous), scheme anonymous, address 192.0.2.1, request -',
      ],
      [
        'debug',
        'Login failed (denied, handshake), avatar (anonymous), scheme anonymous, address 192.0.2.1, request -',
      ],
      [
        'warn',
        'Login failed (bad_credentials), username "alice", scheme basic, address 192.0.2.1, request r1',
      ],
    ]);
  });

  it('rate-limits repeated failures per address and reports the count', () => {
    const logger = recordingLogger();
    const clock = { now: 0 };
    const listen = createAuditLogListener(logger, {
      maxLinesPerInterval: 2,
      intervalMs: 1000,
      now: () => clock.now,
    });

    for (let i = 0; i < 10; i += 1) {
      listen(failure('192.0.2.1'));
    }
    listen(failure('192.0.2.2'));
    expect(logger.lines).toHaveLength(3);

    clock.now = 1000;
    listen(failure('192.0.2.1'));
    expect(logger.lines[3]?.[1]).toBe(
      '8 more failed logins (bad_credentials) from 192.0.2.1 were not logged in the last interval.',
    );
    expect(logger.lines).toHaveLength(5);
  });

  it('forgets the oldest source past maxTrackedSources', () => {
    const logger = recordingLogger();
    const listen = createAuditLogListener(logger, {
      maxLinesPerInterval: 1,
      maxTrackedSources: 10,
    });
    listen(failure('192.0.2.1'));
    listen(failure('192.0.2.1'));
    expect(logger.lines).toHaveLength(1);

    // Ten new sources push the first one out, so its next failure starts a new window.
    for (let i = 0; i < 10; i += 1) {
      listen(failure(`10.0.0.${i}`));
    }
    listen(failure('192.0.2.1'));
    expect(logger.lines).toHaveLength(12);
  });

  it('falls back to log when the logger has no debug', () => {
    const lines: string[] = [];
    const listen = createAuditLogListener({
      log: (message) => void lines.push(message),
      warn: () => {},
      error: () => {},
    });
    listen({ type: 'logout', avatarId: 'a', durationMs: 1, scheme: 'basic', time });
    expect(lines).toHaveLength(1);
  });
});
