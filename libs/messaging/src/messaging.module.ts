import { Module } from '@nestjs/common';
import { ContractsModule, QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { MessagesService } from './application/messages.service';
import { MessagesRepository } from './infrastructure/messages.repository';
import { PartiesRepository } from './infrastructure/parties.repository';

/**
 * The messaging context without HTTP or jobs: messages, contacts and conversations, and the producer side
 * of the dispatch queue (imported by the api through MessagingHttpModule, and by MessagingJobsModule).
 */
@Module({
  imports: [ContractsModule, JobsModule.forQueues(QUEUES.messagingDispatch)],
  providers: [MessagesRepository, PartiesRepository, MessagesService],
  exports: [MessagesService, MessagesRepository, PartiesRepository],
})
export class MessagingModule {}
