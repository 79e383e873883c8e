import { Module } from '@nestjs/common';
import { MessagesController } from './http/messages.controller';
import { MessagingModule } from './messaging.module';

/** The public `/v1/{phone_number_id}/messages` API (controllers only; the services live in MessagingModule). */
@Module({
  imports: [MessagingModule],
  controllers: [MessagesController],
})
export class MessagingHttpModule {}
