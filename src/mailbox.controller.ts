import { Controller, Get } from '@nestjs/common';
import { Avatar, AvatarInterface } from 'nestjs-portal';

import { IMailbox } from './avatars.js';
import { MailService } from './mail.service.js';

@Controller('mailbox')
export class MailboxController {
  constructor(private readonly mail: MailService) {}

  /** Signed-in users only: an anonymous request gets 401 with the challenges. */
  @AvatarInterface(IMailbox)
  @Get()
  mailbox(@Avatar() mailbox: IMailbox) {
    return { avatar: IMailbox.name, owner: mailbox.owner, messages: this.mail.inbox() };
  }
}
