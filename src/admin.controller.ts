import { Controller, Get } from '@nestjs/common';
import { Avatar, AvatarInterface } from 'nestjs-portal';

import { IAdmin } from './avatars.js';

@Controller('admin')
export class AdminController {
  /** Admins only: a signed-in user who is not one gets 403. */
  @AvatarInterface(IAdmin)
  @Get()
  admin(@Avatar() admin: IAdmin) {
    return { avatar: IAdmin.name, name: admin.name, knownUsers: admin.knownUsers() };
  }
}
