import { IDEMPOTENCY_TTL_MS } from '../idempotency/idempotency-key';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { type JobHandlers, ProcessQueue, QueueProcessor } from '../jobs/queue-processor';
import { PLATFORM_MAINTENANCE_QUEUE } from './platform-queues';

/** Idempotency keys are kept 24 hours (spec 01-conventions.md § Idempotency); the purge is idempotent. */
@ProcessQueue(PLATFORM_MAINTENANCE_QUEUE)
export class PlatformMaintenanceProcessor extends QueueProcessor<typeof PLATFORM_MAINTENANCE_QUEUE> {
  constructor(private readonly idempotency: IdempotencyService) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof PLATFORM_MAINTENANCE_QUEUE> = {
    purge_idempotency: async () => ({ deleted: await this.idempotency.purgeExpired(new Date(Date.now() - IDEMPOTENCY_TTL_MS)) }),
  };
}
