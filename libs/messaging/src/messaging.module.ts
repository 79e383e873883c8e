import { Module } from '@nestjs/common';
import { ContractsModule, QUEUES } from '@kirim/contracts';
import { IdentityModule } from '@kirim/identity';
import { JobsModule } from '@kirim/platform';
import { ContactsService } from './application/contacts.service';
import { ConversationsService } from './application/conversations.service';
import { LabelsService } from './application/labels.service';
import { MessageActionsService } from './application/message-actions.service';
import { MessagesService } from './application/messages.service';
import { TemplatesService } from './application/templates.service';
import { ContactsRepository } from './infrastructure/contacts.repository';
import { ConversationsRepository } from './infrastructure/conversations.repository';
import { LabelsRepository } from './infrastructure/labels.repository';
import { MessageActionsRepository } from './infrastructure/message-actions.repository';
import { MessagesRepository } from './infrastructure/messages.repository';
import { MetaMediaClient } from './infrastructure/meta-media.client';
import { PartiesRepository } from './infrastructure/parties.repository';
import { MetaTemplatesClient } from './infrastructure/meta-templates.client';
import { TemplatesRepository } from './infrastructure/templates.repository';

/**
 * The messaging context without HTTP or jobs: messages, contacts and conversations, and the producer side
 * of the dispatch queue (imported by the api through MessagingHttpModule, and by MessagingJobsModule).
 */
@Module({
  imports: [ContractsModule, IdentityModule, JobsModule.forQueues(QUEUES.messagingDispatch)],
  providers: [
    MessagesRepository,
    PartiesRepository,
    MessagesService,
    TemplatesRepository,
    MetaTemplatesClient,
    TemplatesService,
    MessageActionsRepository,
    MetaMediaClient,
    MessageActionsService,
    LabelsRepository,
    ContactsRepository,
    ConversationsRepository,
    LabelsService,
    ContactsService,
    ConversationsService,
  ],
  exports: [
    MessagesService,
    MessageActionsService,
    MessagesRepository,
    PartiesRepository,
    LabelsService,
    ContactsService,
    ConversationsService,
    TemplatesService,
  ],
})
export class MessagingModule {}
