import { Module } from '@nestjs/common';
import { DeliveriesService } from './application/deliveries.service';
import { DelivererService } from './application/deliverer.service';
import { DeliveryService } from './application/delivery.service';
import { EventsService } from './application/events.service';
import { OutboxRelayService } from './application/outbox-relay.service';
import { SubscriptionsService } from './application/subscriptions.service';
import { DeliveriesRepository } from './infrastructure/deliveries.repository';
import { EventsRepository } from './infrastructure/events.repository';
import { SubscriptionsRepository } from './infrastructure/subscriptions.repository';
import { WebhookSender } from './infrastructure/webhook-sender';

/**
 * The webhooks context's services: the event log, subscriptions, the outbox relay, deliveries and their
 * sender. Imported by the api through WebhooksHttpModule and by the worker through WebhooksJobsModule.
 */
@Module({
  providers: [
    EventsRepository,
    EventsService,
    SubscriptionsRepository,
    DeliveriesRepository,
    WebhookSender,
    SubscriptionsService,
    DeliveryService,
    DeliveriesService,
    OutboxRelayService,
    DelivererService,
  ],
  exports: [EventsService, SubscriptionsService, DeliveriesService, OutboxRelayService, DelivererService],
})
export class WebhooksModule {}
