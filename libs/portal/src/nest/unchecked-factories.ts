/**
 * The bootstrap check that every credential factory's credentials have a
 * checker. Without one, every login of that scheme fails with 401, and no
 * other message explains why.
 */
import {
  IAnonymous,
  IUsernameDigestHash,
  IUsernameHashedPassword,
  IUsernamePassword,
} from '../core/credentials.js';
import type { InterfaceToken } from '../core/interface-token.js';
import { IToken } from '../core/token-credentials.js';
import type { CredentialFactory } from '../http/credential-factory.js';

// The shipped checkers for each shipped credential interface, with their
// checker strings, named in the warning as what to add.
const CHECKERS_FOR: ReadonlyMap<InterfaceToken, string> = new Map<InterfaceToken, string>([
  [IAnonymous, "AllowAnonymousAccess ('anonymous')"],
  [
    IUsernamePassword,
    "HtpasswdFile ('htpasswd:/path'), FilePasswordDB ('file:/path') or " +
      "InMemoryUsernamePasswordDatabase ('memory:user:password')",
  ],
  [
    IUsernameHashedPassword,
    "InMemoryUsernamePasswordDatabase ('memory:user:password') or FilePasswordDB " +
      "without a hash ('file:/path')",
  ],
  [IUsernameDigestHash, "HtdigestFile ('htdigest:/path')"],
  [IToken, 'JwtBearerChecker or TokenLookupChecker'],
]);

/**
 * Returns one warning for each factory in `factories` that declares
 * `credentialInterfaces` none of which a checker registered for
 * `registered` accepts. A checker registered for an interface accepts the
 * interfaces that extend it too, as `Portal.login` does. Factories without
 * `credentialInterfaces` are not checked.
 */
export function uncheckedFactoryWarnings(
  factories: readonly CredentialFactory[],
  registered: readonly InterfaceToken[],
): string[] {
  const warnings: string[] = [];
  factories.forEach((factory, index) => {
    const provided = factory.credentialInterfaces;
    if (!provided || provided.length === 0) {
      return;
    }
    const accepted = provided.some((credentialInterface) =>
      registered.some((checked) => credentialInterface.isOrExtends(checked)),
    );
    if (accepted) {
      return;
    }

    const names = provided.map((credentialInterface) => credentialInterface.name).join(', ');
    const suggestions = provided
      .filter((credentialInterface) => CHECKERS_FOR.has(credentialInterface))
      .map(
        (credentialInterface) =>
          `${CHECKERS_FOR.get(credentialInterface)} for ${credentialInterface.name}`,
      );
    const add =
      suggestions.length > 0
        ? ` Add a checker for one of them, such as ${suggestions.join('; or ')}.`
        : ' Add a checker for one of them.';
    warnings.push(
      `credentialFactories[${index}] (${factory.scheme}) makes credentials providing ${names}, ` +
        `but no checker is registered for any of them (registered: ` +
        `${registered.map((token) => token.name).join(', ') || '(none)'}), so every ` +
        `${factory.scheme} login will fail with 401.${add}`,
    );
  });
  return warnings;
}
