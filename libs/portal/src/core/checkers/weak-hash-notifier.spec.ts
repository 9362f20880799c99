import { jest } from '@jest/globals';

import { CapturingLogger } from './password-file.test-helpers.js';
import { type WeakHashEvent, type WeakHashHook, WeakHashNotifier } from './weak-hash-notifier.js';

async function afterHooks(): Promise<void> {
  for (let turn = 0; turn < 3; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function event(username: string, storedHash = '{SHA}x'): WeakHashEvent {
  return { username, password: 'pw', scheme: 'sha1', reason: 'weak', storedHash };
}

describe('WeakHashNotifier', () => {
  it('calls the hook once per user and stored hash', async () => {
    const hook = jest.fn<WeakHashHook>();
    const notifier = new WeakHashNotifier(hook, new CapturingLogger());

    notifier.notify(event('alice'));
    notifier.notify(event('alice'));
    notifier.notify(event('alice', '{SHA}y'));
    notifier.notify(event('bob'));
    await afterHooks();

    expect(hook.mock.calls.map(([e]) => [e.username, e.storedHash])).toEqual([
      ['alice', '{SHA}x'],
      ['alice', '{SHA}y'],
      ['bob', '{SHA}x'],
    ]);
  });

  it('calls the hook in a later turn', async () => {
    const hook = jest.fn<WeakHashHook>();
    const notifier = new WeakHashNotifier(hook, new CapturingLogger());

    notifier.notify(event('alice'));
    await Promise.resolve();

    expect(hook).not.toHaveBeenCalled();
    await afterHooks();
    expect(hook).toHaveBeenCalledTimes(1);
  });

  it('tracks at most maxTracked users, dropping the oldest', async () => {
    const hook = jest.fn<WeakHashHook>();
    const notifier = new WeakHashNotifier(hook, new CapturingLogger(), 2);

    for (const username of ['a', 'b', 'c', 'c', 'a']) {
      notifier.notify(event(username));
    }
    await afterHooks();

    expect(notifier.size).toBe(2);
    expect(hook.mock.calls.map(([e]) => e.username)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('reports again after forgetUser', async () => {
    const hook = jest.fn<WeakHashHook>();
    const notifier = new WeakHashNotifier(hook, new CapturingLogger());

    notifier.notify(event('alice'));
    notifier.forgetUser('alice');
    notifier.notify(event('alice'));
    await afterHooks();

    expect(hook).toHaveBeenCalledTimes(2);
  });

  it('passes a copy of a byte password', async () => {
    const hook = jest.fn<WeakHashHook>();
    const notifier = new WeakHashNotifier(hook, new CapturingLogger());
    const password = Buffer.from('secret');

    notifier.notify({ ...event('alice'), password });
    password.fill(0);
    await afterHooks();

    expect(Buffer.from(hook.mock.calls[0][0].password as Uint8Array).toString()).toBe('secret');
  });

  it('logs a failing hook by error name only', async () => {
    const logger = new CapturingLogger();
    const notifier = new WeakHashNotifier(() => {
      throw 'pw';
    }, logger);

    notifier.notify(event('alice'));
    await afterHooks();

    expect(logger.messages('error')).toEqual([
      'The onWeakHash hook failed with string for user "alice"; the login succeeded, and the ' +
        'hook is called again for this user only after its stored hash changes or the process ' +
        'restarts.',
    ]);
  });
});
