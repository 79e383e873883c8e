import { Module } from '@nestjs/common';
import { MessagesController } from './messages.controller';

/** Messaging: `POST /{phone_number_id}/messages`. Media and templates are the next families beside it. */
@Module({ controllers: [MessagesController] })
export class MessagesModule {}
