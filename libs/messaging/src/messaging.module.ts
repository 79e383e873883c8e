import { Module } from '@nestjs/common';
import { ContractsModule, QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { MessageActionsService } from './application/message-actions.service';
import { MessagesService } from './application/messages.service';
import { MessageActionsRepository } from './infrastructure/message-actions.repository';
import { MessagesRepository } from './infrastructure/messages.repository';
import { MetaMediaClient } from './infrastructure/meta-media.client';
import { PartiesRepository } from './infrastructure/parties.repository';

/**
 * The messaging context without HTTP or jobs: messages, contacts and conversations, and the producer side
 * of the dispatch queue (imported by the api through MessagingHttpModule, and by MessagingJobsModule).
 */
@Module({
  imports: [ContractsModule, JobsModule.forQueues(QUEUES.messagingDispatch)],
  providers: [MessagesRepository, PartiesRepository, MessagesService, MessageActionsRepository, MetaMediaClient, MessageActionsService],
  exports: [MessagesService, MessageActionsService, MessagesRepository, PartiesRepository],
})
export class MessagingModule {}
