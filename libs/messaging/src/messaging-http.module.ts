import { Module } from '@nestjs/common';
import { ContactsController } from './http/contacts.controller';
import { ConversationsController } from './http/conversations.controller';
import { LabelsController } from './http/labels.controller';
import { MessagesController } from './http/messages.controller';
import { MetaWebhookController } from './http/meta-webhook.controller';
import { TemplatesController } from './http/templates.controller';
import { InboundIntakeModule } from './inbound/inbound.module';
import { MessagingModule } from './messaging.module';

/** The public `/v1/{phone_number_id}/messages` API (controllers only; the services live in MessagingModule). */
@Module({
  imports: [MessagingModule, InboundIntakeModule],
  controllers: [
    MessagesController,
    MetaWebhookController,
    LabelsController,
    ContactsController,
    ConversationsController,
    TemplatesController,
  ],
})
export class MessagingHttpModule {}
