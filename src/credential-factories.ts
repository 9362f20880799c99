import {
  BasicCredentialFactory,
  BearerCredentialFactory,
  type CredentialFactory,
  DigestCredentialFactory,
} from 'nestjs-portal';

/** The protection space that the demo's challenges name, and the realm of its htdigest lines. */
export const DEMO_REALM_NAME = 'nestjs-portal demo';

/**
 * Returns the credential factories of the schemes the demo accepts, in the
 * order of the `WWW-Authenticate` challenges of a 401: Digest SHA-256, Digest
 * MD5, Basic and Bearer. The two Digest factories share the process's random
 * nonce secret, and each decodes the responses that name its algorithm.
 */
export function demoCredentialFactories(): CredentialFactory[] {
  return [
    new DigestCredentialFactory('SHA-256', DEMO_REALM_NAME),
    new DigestCredentialFactory('MD5', DEMO_REALM_NAME),
    new BasicCredentialFactory(DEMO_REALM_NAME),
    new BearerCredentialFactory(DEMO_REALM_NAME),
  ];
}
