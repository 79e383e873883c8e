import { Module } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { WhatsappAccountsModule } from '@kirim/whatsapp-accounts';
import { AccountHealthHandler } from './account-health.handler';
import { InboundIntakeService } from './inbound-intake.service';
import { InboundProcessingService } from './inbound-processing.service';
import { InboundRepository } from './inbound.repository';
import { MetaChangeRouter } from './change-router';
import { MessagingInboundProcessor } from './messaging-inbound.processor';
import { TemplatesRepository } from '../infrastructure/templates.repository';
import { TemplateStatusHandler } from './template-status.handler';

/** The api's intake of Meta's webhook: the one insert and the producer of the inbound queue (MessagingHttpModule imports it). */
@Module({
  imports: [JobsModule.forQueues(QUEUES.messagingInbound)],
  providers: [InboundRepository, InboundIntakeService],
  exports: [InboundIntakeService],
})
export class InboundIntakeModule {}

/**
 * The worker's inbound processing, its sweeps and the early-status applier the dispatcher calls after it
 * records a wamid (MessagingJobsModule imports it).
 */
@Module({
  imports: [JobsModule.forWorker(QUEUES.messagingInbound), WhatsappAccountsModule],
  providers: [
    InboundRepository,
    AccountHealthHandler,
    TemplatesRepository,
    TemplateStatusHandler,
    MetaChangeRouter,
    InboundProcessingService,
    MessagingInboundProcessor,
  ],
  exports: [InboundProcessingService],
})
export class InboundJobsModule {}
