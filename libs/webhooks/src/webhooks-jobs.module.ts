import { Module } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { WebhooksMaintenanceProcessor } from './jobs/webhooks-maintenance.processor';
import { WebhooksModule } from './webhooks.module';

/** The webhooks context's background work (loaded by the worker only). */
@Module({
  imports: [WebhooksModule, JobsModule.forWorker(QUEUES.webhooksMaintenance)],
  providers: [WebhooksMaintenanceProcessor],
})
export class WebhooksJobsModule {}
