import { Module } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { WhatsappAccountsModule } from '@kirim/whatsapp-accounts';
import { DispatchService } from './application/dispatch.service';
import { InboundJobsModule } from './inbound/inbound.module';
import { MessagingDispatchProcessor } from './jobs/messaging-dispatch.processor';
import { MessagingModule } from './messaging.module';
import { MetaMessagesClient } from './infrastructure/meta-messages.client';
import { NumberPacer } from './infrastructure/number-pacer';

/** Messaging's background work (loaded by the worker only): outbound dispatch under per-number pacing, and its sweep. */
@Module({
  imports: [MessagingModule, WhatsappAccountsModule, JobsModule.forWorker(QUEUES.messagingDispatch), InboundJobsModule],
  providers: [MetaMessagesClient, NumberPacer, DispatchService, MessagingDispatchProcessor],
  exports: [DispatchService, MetaMessagesClient],
})
export class MessagingJobsModule {}
