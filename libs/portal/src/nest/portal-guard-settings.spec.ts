import { IUsernamePassword, UsernamePassword } from '../core/credentials.js';
import { LoginThrottle, type LoginThrottleOptions } from '../core/security/login-throttle.js';
import type { CredentialFactory, HttpRequestLike } from '../http/credential-factory.js';
import { createGuardSettings, selectCredentialFactory } from './portal-guard-settings.js';

const request: HttpRequestLike = { method: 'GET', url: '/', headers: {} };

function factory(scheme: string, accepts?: (credentials: string) => boolean): CredentialFactory {
  return {
    scheme,
    getChallenge: () => scheme,
    decode: (credentials) => new UsernamePassword(credentials, ''),
    ...(accepts ? { accepts } : {}),
  };
}

describe('selectCredentialFactory', () => {
  const first = factory('Digest', (credentials) => credentials.includes('one'));
  const second = factory('digest', (credentials) => credentials.includes('two'));
  const plain = factory('Basic');
  const settings = createGuardSettings({
    realm: { requestAvatar: () => [] as never },
    credentialFactories: [first, plain, second],
  });

  it.each([
    ['first that accepts', 'Digest', 'two', second],
    ['earlier of two that accept', 'DIGEST', 'one two', first],
    ['first of the scheme when none accepts', 'digest', 'three', first],
    ['the only factory without asking', 'basic', 'anything', plain],
    ['none for an unknown scheme', 'Bearer', 'x', undefined],
  ])('returns the %s', (_name, scheme, credentials, expected) => {
    expect(selectCredentialFactory(settings, scheme, credentials, request)).toBe(expected);
  });

  it('keeps every factory in configured order for challenges', () => {
    expect(settings.credentialFactories).toEqual([first, plain, second]);
    expect(settings.factoriesByScheme.get('digest')).toEqual([first, second]);
  });
});

describe('createGuardSettings', () => {
  const realm = { requestAvatar: () => [] as never };

  it('warns about a later factory of a scheme without accepts', () => {
    const warnings: string[] = [];

    createGuardSettings(
      {
        realm,
        credentialFactories: [factory('Basic'), factory('Basic'), factory('Basic', () => true)],
      },
      (message) => warnings.push(message),
    );

    expect(warnings).toEqual([
      'credentialFactories[1] (Basic) shares its scheme with an earlier factory and has no ' +
        'accepts() method, so it only adds a challenge: the first Basic factory decodes every ' +
        'Basic header it does not take.',
    ]);
  });

  it.each<[string, unknown]>([
    ['a string', ['IUsernamePassword']],
    ['a single token', IUsernamePassword],
  ])('rejects credentialInterfaces of %s', (_name, credentialInterfaces) => {
    const broken = { ...factory('Basic'), credentialInterfaces } as unknown as CredentialFactory;

    expect(() => createGuardSettings({ realm, credentialFactories: [broken] })).toThrow(
      'PortalModule option "credentialFactories[0]" (Basic) has credentialInterfaces that are ' +
        'not a list of interface tokens made by defineInterface().',
    );
  });

  it('accepts credentialInterfaces of tokens', () => {
    const typed = { ...factory('Basic'), credentialInterfaces: [IUsernamePassword] };

    expect(
      createGuardSettings({ realm, credentialFactories: [typed] }).credentialFactories,
    ).toEqual([typed]);
  });

  it.each<[string, LoginThrottleOptions | false | undefined, boolean]>([
    ['undefined', undefined, false],
    ['false', false, false],
    ['options', { perAddress: false }, true],
  ])('throttle %s', (_name, throttle, expected) => {
    const settings = createGuardSettings({ realm, throttle });

    expect(settings.throttle instanceof LoginThrottle).toBe(expected);
  });

  it('uses a throttle object as it is', () => {
    const throttle = new LoginThrottle();

    expect(createGuardSettings({ realm, throttle }).throttle).toBe(throttle);
  });
});
