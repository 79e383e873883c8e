import { defineQueue, job, MAINTENANCE_QUEUE_SETTINGS, PLATFORM_MAINTENANCE_QUEUE, type QueueDefinition } from '@kirim/platform';

/**
 * The one typed registry of queues: each entry declares a queue's jobs (name → payload type, optional repeat
 * schedule) and its settings (concurrency, limiter, attempts and backoff, retention) in one place.
 * Producers inject a queue by token (`@InjectJobQueue(QUEUES.x) queue: JobQueue<typeof QUEUES.x>`, whose `add`
 * leaves only after commit); the owning context processes it with a `@ProcessQueue(QUEUES.x)` processor in its
 * `jobs/` whose handler map the compiler checks against the jobs declared here. Adding a job touches its
 * queue's entry and the owning context; adding a queue adds an entry and the context's `<Context>JobsModule`.
 */
export const QUEUES = {
  /** The kernel's maintenance (idempotency records). */
  platformMaintenance: PLATFORM_MAINTENANCE_QUEUE,
  /** Tenancy's maintenance: setup links past `expires_at` are persisted as `expired`. */
  tenancyMaintenance: defineQueue(
    'tenancy-maintenance',
    {
      /** Persists `expired` on setup links past `expires_at`. */
      expire_setup_links: job({ everyMs: 5 * 60 * 1000 }),
    },
    MAINTENANCE_QUEUE_SETTINGS,
  ),
  /** The webhooks context's maintenance: the event log and deliveries keep 30 days; expired secrets go. */
  webhooksMaintenance: defineQueue(
    'webhooks-maintenance',
    {
      /** Deletes events older than 30 days. */
      purge_events: job({ everyMs: 6 * 60 * 60 * 1000 }),
      /** Deletes deliveries older than 30 days and secrets expired more than a day ago. */
      purge_deliveries: job({ everyMs: 6 * 60 * 60 * 1000 }),
    },
    MAINTENANCE_QUEUE_SETTINGS,
  ),
  /**
   * Messaging's outbound dispatch: one `dispatch` job per message (job id `dispatch--<msg id>`), paced per
   * number by the processor (a job whose number has no slot yet moves itself to delayed, so it holds no worker
   * slot); Meta's throttling and transient answers are retried by the processor itself (`attempt` counts
   * them). BullMQ's own attempts cover unexpected failures (PostgreSQL or Redis down); failed jobs are not kept,
   * so the sweep re-enqueues a message left `pending`.
   */
  messagingDispatch: defineQueue(
    'messaging-dispatch',
    {
      /**
       * Hands one `pending` message to Meta. `accountId` keys its number's pacing; `slotAt` is the slot reserved
       * for it (epoch ms, Redis time); `attempt` counts Meta calls so far; `wamid` is Meta's answer kept when
       * recording it failed, so a retry records instead of sending again.
       */
      dispatch: job<{ messageId: string; accountId: string; slotAt?: number; attempt?: number; wamid?: string }>(),
      /** Re-enqueues `pending` messages whose dispatch job was lost (a crash or a Redis outage after commit). */
      sweep_pending: job({ everyMs: 5_000 }),
    },
    {
      concurrency: 50,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  ),
  /**
   * Messaging's inbound pipeline: one `process_payload` job per stored Meta webhook POST (job id
   * `process_payload--<payload id>`), enqueued by the api after the payload's INSERT; the job applies every
   * change of the payload in one transaction that also marks it processed, so a retried job finds it done.
   * `sweep_payloads` re-enqueues payloads whose job was lost; `sweep_early_statuses` applies statuses that
   * arrived before their wamid was recorded (and drops very old ones).
   */
  messagingInbound: defineQueue(
    'messaging-inbound',
    {
      /** Applies one stored webhook payload (`meta_webhook_payloads.id`). */
      process_payload: job<{ payloadId: string }>(),
      /** Re-enqueues stored payloads never processed (a crash or a Redis outage after the 200). */
      sweep_payloads: job({ everyMs: 5_000 }),
      /** Applies early statuses whose wamid is now known. */
      sweep_early_statuses: job({ everyMs: 5_000 }),
    },
    {
      concurrency: 8,
      attempts: 10,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
    },
  ),
} as const satisfies Record<string, QueueDefinition>;

export type QueueKey = keyof typeof QUEUES;
