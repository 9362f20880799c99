import { Logger } from '@nestjs/common';

import type { AuditEvent } from '../core/security/audit.js';
import { createPortalAudit, PortalAudit } from './portal-audit.js';

const event: AuditEvent = {
  type: 'login.failed',
  reason: 'bad_credentials',
  username: 'alice',
  scheme: 'basic',
  time: new Date(0),
};

function errorLog() {
  const lines: string[] = [];
  return { lines, error: (message: string) => void lines.push(message) };
}

describe('PortalAudit', () => {
  it('calls listeners in order with a frozen event', () => {
    const calls: string[] = [];
    const audit = new PortalAudit([
      (received) => void calls.push(`first ${Object.isFrozen(received)}`),
      () => void calls.push('second'),
    ]);

    audit.emit({ ...event });

    expect(calls).toEqual(['first true', 'second']);
  });

  it('is enabled only with listeners', () => {
    const audit = new PortalAudit();
    expect(audit.enabled).toBe(false);

    const remove = audit.addListener(() => {});
    expect(audit.enabled).toBe(true);

    remove();
    expect(audit.enabled).toBe(false);
  });

  it('removes one registration per remove call', () => {
    const calls: number[] = [];
    const listener = () => void calls.push(1);
    const audit = new PortalAudit();
    const removeFirst = audit.addListener(listener);
    audit.addListener(listener);

    removeFirst();
    removeFirst();
    audit.emit({ ...event });

    expect(calls).toEqual([1]);
  });

  it('keeps calling listeners after one throws, and logs the error', () => {
    const log = errorLog();
    const calls: string[] = [];
    const audit = new PortalAudit(
      [
        () => {
          throw new RangeError('listener bug');
        },
        () => void calls.push('after'),
      ],
      log,
    );

    expect(() => audit.emit({ ...event })).not.toThrow();

    expect(calls).toEqual(['after']);
    expect(log.lines).toEqual([
      'An audit listener failed on a login.failed event: RangeError: listener bug',
    ]);
  });

  it('logs a rejection without waiting for it', async () => {
    const log = errorLog();
    let settle: (error: Error) => void = () => {};
    const audit = new PortalAudit(
      [() => new Promise<void>((_resolve, reject) => (settle = reject))],
      log,
    );

    audit.emit({ ...event });
    expect(log.lines).toEqual([]);
    settle(new Error('queue full'));
    await new Promise((resolve) => setImmediate(resolve));

    expect(log.lines).toEqual([
      'An audit listener failed on a login.failed event: Error: queue full',
    ]);
  });

  it('rate-limits listener errors', () => {
    const log = errorLog();
    const audit = new PortalAudit(
      [
        () => {
          throw new Error('always');
        },
      ],
      log,
    );

    for (let index = 0; index < 25; index++) {
      audit.emit({ ...event });
    }

    expect(log.lines).toHaveLength(10);
  });

  it('a listener added during emit waits for the next event', () => {
    const calls: string[] = [];
    const audit = new PortalAudit();
    audit.addListener(() => {
      calls.push('outer');
      audit.addListener(() => void calls.push('inner'));
    });

    audit.emit({ ...event });
    expect(calls).toEqual(['outer']);
  });

  it('addListener rejects a non-function', () => {
    expect(() => new PortalAudit().addListener('log' as never)).toThrow(TypeError);
  });
});

describe('createPortalAudit', () => {
  it.each([
    ['undefined', undefined, true],
    ['{}', {}, true],
    ['{ log: true }', { log: true }, true],
    ['{ log: {} }', { log: {} }, true],
    ['{ log: false }', { log: false }, false],
    ['false', false, false],
  ] as const)('with %s has the default log: %s', (_name, options, enabled) => {
    expect(createPortalAudit(options).enabled).toBe(enabled);
  });

  it('calls configured listeners', () => {
    const received: AuditEvent[] = [];
    const audit = createPortalAudit({ listeners: [(e) => void received.push(e)], log: false });

    audit.emit({ ...event });

    expect(received).toEqual([event]);
  });
});

describe('PortalAudit.wantsSuccessEvents', () => {
  afterEach(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('is false without listeners', () => {
    expect(createPortalAudit(false).wantsSuccessEvents).toBe(false);
  });

  it('is true with an application listener', () => {
    Logger.overrideLogger(['error', 'warn']);
    expect(createPortalAudit({ listeners: [() => {}] }).wantsSuccessEvents).toBe(true);
  });

  it('follows the debug level with only the default log', () => {
    const audit = createPortalAudit({ log: true });
    Logger.overrideLogger(['log', 'error', 'warn']);
    expect(audit.wantsSuccessEvents).toBe(false);
    expect(audit.enabled).toBe(true);
    Logger.overrideLogger(['log', 'error', 'warn', 'debug']);
    expect(audit.wantsSuccessEvents).toBe(true);
  });
});
