import { QUEUES } from '@kirim/contracts';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '@kirim/platform';
import { DeliveriesService } from '../application/deliveries.service';
import { EventsService } from '../application/events.service';
import { EVENT_RETENTION_MS } from '../domain/event-log';

/** The event log and the deliveries keep 30 days (spec 06); the purges are idempotent. */
@ProcessQueue(QUEUES.webhooksMaintenance)
export class WebhooksMaintenanceProcessor extends QueueProcessor<typeof QUEUES.webhooksMaintenance> {
  constructor(
    private readonly events: EventsService,
    private readonly deliveries: DeliveriesService,
  ) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof QUEUES.webhooksMaintenance> = {
    purge_events: async () => ({ deleted: await this.events.purgeOlderThan(new Date(Date.now() - EVENT_RETENTION_MS)) }),
    purge_deliveries: async () => this.deliveries.purgeOlderThan(new Date(Date.now() - EVENT_RETENTION_MS)),
  };
}
