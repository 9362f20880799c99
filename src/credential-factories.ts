import { BasicCredentialFactory, type CredentialFactory } from 'nestjs-portal';

/** The protection space that the demo's challenges name. */
export const DEMO_REALM_NAME = 'nestjs-portal demo';

/**
 * Returns the credential factories of the schemes the demo accepts, in the
 * order of the `WWW-Authenticate` challenges of a 401. Add a Digest or
 * Bearer factory to this list to offer that scheme too.
 */
export function demoCredentialFactories(): CredentialFactory[] {
  return [new BasicCredentialFactory(DEMO_REALM_NAME)];
}
