/**
 * A stand-in for a second scheme in e2e tests: `Bearer <token>` where each
 * known token stands for a username and password. It rejects a malformed
 * value with 400 and adds `error="invalid_token"` to its challenge when it
 * receives the login error (`insufficient_scope` for a denial), as RFC 6750
 * describes.
 */
import {
  BadCredentialsRequest,
  type CredentialFactory,
  type HttpRequestLike,
  LoginDenied,
  UnauthorizedLogin,
  UsernamePassword,
} from 'nestjs-portal';

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

export class FakeBearerFactory implements CredentialFactory {
  readonly scheme = 'Bearer';
  readonly challengeErrors: unknown[] = [];

  constructor(
    private readonly realmName: string,
    private readonly tokens: Readonly<Record<string, readonly [string, string]>>,
  ) {}

  async getChallenge(_request: HttpRequestLike, error?: unknown): Promise<string> {
    this.challengeErrors.push(error);
    if (error instanceof BadCredentialsRequest) {
      return `Bearer realm="${this.realmName}", error="invalid_request"`;
    }
    if (error instanceof LoginDenied) {
      return `Bearer realm="${this.realmName}", error="insufficient_scope"`;
    }
    if (error !== undefined) {
      return `Bearer realm="${this.realmName}", error="invalid_token"`;
    }
    return `Bearer realm="${this.realmName}"`;
  }

  async decode(response: string): Promise<UsernamePassword> {
    if (!TOKEN68.test(response)) {
      throw new BadCredentialsRequest('The Bearer token is not a token68 value.');
    }
    const user = this.tokens[response];
    if (!user) {
      throw new UnauthorizedLogin('Unknown token.');
    }
    return new UsernamePassword(user[0], user[1]);
  }
}
