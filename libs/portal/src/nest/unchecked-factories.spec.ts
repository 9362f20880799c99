import {
  IAnonymous,
  ICredentials,
  IUsernameDigestHash,
  IUsernameHashedPassword,
  IUsernamePassword,
} from '../core/credentials.js';
import { defineInterface } from '../core/interface-token.js';
import { IToken } from '../core/token-credentials.js';
import { BasicCredentialFactory } from '../http/basic.credential-factory.js';
import { BearerCredentialFactory } from '../http/bearer.credential-factory.js';
import type { CredentialFactory } from '../http/credential-factory.js';
import { DigestCredentialFactory } from '../http/digest.credential-factory.js';
import { uncheckedFactoryWarnings } from './unchecked-factories.js';

const basic = new BasicCredentialFactory('r');
const digest = new DigestCredentialFactory('SHA-256', 'r');
const bearer = new BearerCredentialFactory('r');

describe('uncheckedFactoryWarnings', () => {
  test('Digest with only a password checker', () => {
    expect(uncheckedFactoryWarnings([basic, digest], [IAnonymous, IUsernamePassword])).toEqual([
      'credentialFactories[1] (Digest) makes credentials providing IUsernameDigestHash, ' +
        'IUsernameHashedPassword, but no checker is registered for any of them (registered: ' +
        'IAnonymous, IUsernamePassword), so every Digest login will fail with 401. Add a ' +
        "checker for one of them, such as HtdigestFile ('htdigest:/path') for " +
        "IUsernameDigestHash; or InMemoryUsernamePasswordDatabase ('memory:user:password') or " +
        "FilePasswordDB without a hash ('file:/path') for IUsernameHashedPassword.",
    ]);
  });

  test('Bearer without a token checker', () => {
    expect(uncheckedFactoryWarnings([bearer], [])).toEqual([
      'credentialFactories[0] (Bearer) makes credentials providing IToken, but no checker is ' +
        'registered for any of them (registered: (none)), so every Bearer login will fail ' +
        'with 401. Add a checker for one of them, such as JwtBearerChecker or ' +
        'TokenLookupChecker for IToken.',
    ]);
  });

  test.each([
    ['Basic with a password checker', basic, [IUsernamePassword]],
    ['Digest with an htdigest checker', digest, [IUsernameDigestHash]],
    ['Digest with a plain-password checker', digest, [IUsernameHashedPassword]],
    ['Bearer with a token checker', bearer, [IToken]],
    ['Basic with a checker of the base interface', basic, [ICredentials]],
  ])('nothing for %s', (_name, factory, registered) => {
    expect(uncheckedFactoryWarnings([factory], registered)).toEqual([]);
  });

  test('nothing for a factory without credentialInterfaces', () => {
    const untyped: CredentialFactory = { scheme: 'X', getChallenge: () => 'X', decode: () => ({}) };

    expect(uncheckedFactoryWarnings([untyped], [])).toEqual([]);
  });

  test('no suggestion for an interface of the application', () => {
    const ICustom = defineInterface('ICustom');
    const custom: CredentialFactory = {
      scheme: 'Custom',
      credentialInterfaces: [ICustom],
      getChallenge: () => 'Custom',
      decode: () => ({}),
    };

    expect(uncheckedFactoryWarnings([custom], [IUsernamePassword])).toEqual([
      'credentialFactories[0] (Custom) makes credentials providing ICustom, but no checker is ' +
        'registered for any of them (registered: IUsernamePassword), so every Custom login ' +
        'will fail with 401. Add a checker for one of them.',
    ]);
  });
});
