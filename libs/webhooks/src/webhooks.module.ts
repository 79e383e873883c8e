import { Module } from '@nestjs/common';
import { EventsService } from './application/events.service';
import { EventsRepository } from './infrastructure/events.repository';

/**
 * The webhooks context's services (event log; later subscriptions, relay, deliveries). Imported by the
 * api through WebhooksHttpModule and by the worker (retention purge).
 */
@Module({
  providers: [EventsRepository, EventsService],
  exports: [EventsService],
})
export class WebhooksModule {}
