import { Module } from '@nestjs/common';
import { EventsController } from './http/events.controller';
import { WebhookDeliveriesController } from './http/webhook-deliveries.controller';
import { WebhookSubscriptionsController } from './http/webhook-subscriptions.controller';
import { WebhooksModule } from './webhooks.module';

/** The webhooks context's REST endpoints (`/v1/events`, `/v1/webhook_subscriptions`, `/v1/webhook_deliveries`), mounted by the api app. */
@Module({
  imports: [WebhooksModule],
  controllers: [EventsController, WebhookSubscriptionsController, WebhookDeliveriesController],
})
export class WebhooksHttpModule {}
