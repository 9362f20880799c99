import { Controller, Get, Query, Res } from '@nestjs/common';
import { Avatar, AvatarInterface } from 'nestjs-portal';

import { ITokenIssuer } from './avatars.js';
import { DEMO_TOKEN_LIFETIME_SECONDS, DemoTokens } from './demo-tokens.js';

/** The part of Express's and Fastify's response objects that the route uses. */
interface HeaderSetter {
  header(name: string, value: string): unknown;
}

@Controller('token')
export class TokenController {
  constructor(private readonly tokens: DemoTokens) {}

  /**
   * Returns a short-lived bearer token for a user who signed in with a
   * password, as an OAuth 2.0 token response (RFC 6749 §5.1), or the token
   * alone with `?format=text`, for shell scripts.
   */
  @AvatarInterface(ITokenIssuer)
  @Get()
  async token(
    @Avatar() issuer: ITokenIssuer,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) response: HeaderSetter,
  ) {
    const accessToken = await this.tokens.issue(issuer.name);
    // A token response must not be cached (RFC 6749 §5.1).
    response.header('Cache-Control', 'no-store');
    if (format === 'text') {
      response.header('Content-Type', 'text/plain; charset=utf-8');
      return `${accessToken}\n`;
    }
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: DEMO_TOKEN_LIFETIME_SECONDS,
    };
  }
}
