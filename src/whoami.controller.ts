import { Controller, Get } from '@nestjs/common';
import { Avatar, AvatarInterface } from 'nestjs-portal';

import { IIdentity } from './avatars.js';

@Controller('whoami')
export class WhoamiController {
  /** Returns the identity of every request, anonymous ones included. */
  @AvatarInterface(IIdentity)
  @Get()
  whoami(@Avatar() identity: IIdentity) {
    return { avatar: IIdentity.name, name: identity.name, anonymous: identity.anonymous };
  }
}
