import { Injectable } from '@nestjs/common';
import { AvatarContext } from 'nestjs-portal';

import { IMailbox, type Message } from './avatars.js';

/**
 * Reads the current user's mailbox through `AvatarContext`, to show that a
 * singleton service can reach the avatar without being handed the request.
 */
@Injectable()
export class MailService {
  constructor(private readonly avatars: AvatarContext) {}

  inbox(): readonly Message[] {
    return this.avatars.require(IMailbox).messages();
  }
}
