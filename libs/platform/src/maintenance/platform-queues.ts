import { defineQueue, job, MAINTENANCE_QUEUE_SETTINGS } from '../jobs/queue-definition';

/** The kernel's own queue (its data: idempotency records). Listed in `@kirim/contracts`' QUEUES with the others. */
export const PLATFORM_MAINTENANCE_QUEUE = defineQueue(
  'platform-maintenance',
  {
    /** Deletes idempotency records older than 24 h. */
    purge_idempotency: job({ everyMs: 60 * 60 * 1000 }),
  },
  MAINTENANCE_QUEUE_SETTINGS,
);
