import { QUEUES } from '@kirim/contracts';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '@kirim/platform';
import { InboundProcessingService } from './inbound-processing.service';

/** Meta's stored webhooks, their sweep, and the early-status sweep (see InboundProcessingService). */
@ProcessQueue(QUEUES.messagingInbound)
export class MessagingInboundProcessor extends QueueProcessor<typeof QUEUES.messagingInbound> {
  constructor(private readonly inbound: InboundProcessingService) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof QUEUES.messagingInbound> = {
    process_payload: (payload) => this.inbound.process(payload.payloadId),
    sweep_payloads: async () => ({ requeued: await this.inbound.sweepPayloads() }),
    sweep_early_statuses: () => this.inbound.sweepEarlyStatuses(),
  };
}
