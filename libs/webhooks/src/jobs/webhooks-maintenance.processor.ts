import { QUEUES } from '@kirim/contracts';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '@kirim/platform';
import { EventsService } from '../application/events.service';
import { EVENT_RETENTION_MS } from '../domain/event-log';

/** The event log keeps 30 days (spec 06); the purge is idempotent. */
@ProcessQueue(QUEUES.webhooksMaintenance)
export class WebhooksMaintenanceProcessor extends QueueProcessor<typeof QUEUES.webhooksMaintenance> {
  constructor(private readonly events: EventsService) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof QUEUES.webhooksMaintenance> = {
    purge_events: async () => ({ deleted: await this.events.purgeOlderThan(new Date(Date.now() - EVENT_RETENTION_MS)) }),
  };
}
