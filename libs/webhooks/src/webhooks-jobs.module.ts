import { Module } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { WebhookDeliveryLoops } from './jobs/webhook-delivery.loops';
import { WebhooksMaintenanceProcessor } from './jobs/webhooks-maintenance.processor';
import { WebhooksModule } from './webhooks.module';

/** The webhooks context's background work (loaded by the worker only): the relay and deliverer loops, retention. */
@Module({
  imports: [WebhooksModule, JobsModule.forWorker(QUEUES.webhooksMaintenance)],
  providers: [WebhooksMaintenanceProcessor, WebhookDeliveryLoops],
})
export class WebhooksJobsModule {}
