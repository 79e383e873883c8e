import { Global, Module } from '@nestjs/common';
import { InboundInjector } from './inbound-injector';
import { StatusScheduler } from './status-scheduler';
import { WebhookSender } from './webhook-sender';

/** Meta's webhook side: the sender (signing, batching, retries), status webhooks of sends, inbound injection. */
@Global()
@Module({
  providers: [WebhookSender, StatusScheduler, InboundInjector],
  exports: [WebhookSender, StatusScheduler, InboundInjector],
})
export class WebhooksModule {}
