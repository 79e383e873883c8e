import { Module } from '@nestjs/common';
import { EventsController } from './http/events.controller';
import { WebhooksModule } from './webhooks.module';

/** The webhooks context's REST endpoints (`/v1/events`), mounted by the api app. */
@Module({
  imports: [WebhooksModule],
  controllers: [EventsController],
})
export class WebhooksHttpModule {}
