import { ANONYMOUS, type AvatarId, type IRealm, type LoginResult } from '../core/realm.js';
import { defineInterface } from '../core/interface-token.js';
import { RecordingMind, recordAvatarIds, recordsAvatarIds } from './avatar-id-recorder.js';

const IThing = defineInterface<object>('IThing');

class CountingRealm implements IRealm {
  readonly minds: unknown[] = [];
  #calls = 0;
  label = 'counting';

  requestAvatar(avatarId: AvatarId, mind: unknown, ..._interfaces: unknown[]): LoginResult {
    this.#calls++;
    this.minds.push(mind);
    return [IThing, { avatarId }, () => {}];
  }

  calls(): number {
    return this.#calls;
  }
}

describe('recordAvatarIds', () => {
  it('stores the avatar id and passes the inner mind on', async () => {
    const realm = new CountingRealm();
    const wrapped = recordAvatarIds(realm);
    const mind = new RecordingMind('the request');

    await wrapped.requestAvatar('alice', mind, IThing);

    expect(mind.avatarId).toBe('alice');
    expect(realm.minds).toEqual(['the request']);
  });

  it('passes other minds through unchanged', async () => {
    const realm = new CountingRealm();

    await recordAvatarIds(realm).requestAvatar(ANONYMOUS, 'plain', IThing);

    expect(realm.minds).toEqual(['plain']);
  });

  it('keeps methods, fields and instanceof of the realm', async () => {
    const realm = new CountingRealm();
    const wrapped = recordAvatarIds(realm) as CountingRealm;

    await wrapped.requestAvatar('alice', null);
    wrapped.label = 'changed';

    expect(wrapped).toBeInstanceOf(CountingRealm);
    expect(wrapped.calls()).toBe(1);
    expect(realm.label).toBe('changed');
    expect('label' in wrapped).toBe(true);
  });

  it('wraps a frozen realm', async () => {
    const realm = Object.freeze({
      requestAvatar: (avatarId: AvatarId): LoginResult => [IThing, { avatarId }, () => {}],
    });
    const mind = new RecordingMind(undefined);

    await recordAvatarIds(realm).requestAvatar('bob', mind, IThing);

    expect(mind.avatarId).toBe('bob');
  });

  it('is recognised by recordsAvatarIds', () => {
    expect(recordsAvatarIds(recordAvatarIds(new CountingRealm()))).toBe(true);
    expect(recordsAvatarIds(new CountingRealm())).toBe(false);
    expect(recordsAvatarIds(undefined)).toBe(false);
  });
});
