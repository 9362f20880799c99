import { DiscoveryService } from '@nestjs/core';

import type { InterfaceToken } from '../core/interface-token.js';
import { isInterfaceToken } from './validate-portal-options.js';

/**
 * The discoverable metadata behind `@CredentialsChecker`: the credential
 * interfaces listed, possibly none.
 */
export const CredentialsCheckerMetadata =
  DiscoveryService.createDecorator<readonly InterfaceToken[]>();

/**
 * Marks an `@Injectable()` class as a credentials checker. At bootstrap
 * `PortalModule` finds every provider of such a class in the application and
 * registers it on the portal for `credentialInterfaces` (or, when none are
 * listed, for the instance's own `credentialInterfaces`), after the checkers
 * of the module options. A checker that claims an interface already held by
 * another replaces it, with a warning naming both classes.
 *
 * The class must still be listed as a provider of some module, and must be
 * a singleton: request-scoped and transient checkers fail at bootstrap.
 */
export function CredentialsChecker(...credentialInterfaces: InterfaceToken[]): ClassDecorator {
  for (const token of credentialInterfaces) {
    if (!isInterfaceToken(token)) {
      throw new TypeError(
        `@CredentialsChecker() expects interface tokens made by defineInterface(), but got ${String(token)}.`,
      );
    }
  }
  return CredentialsCheckerMetadata(Object.freeze([...credentialInterfaces]));
}
