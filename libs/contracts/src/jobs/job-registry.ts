import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';

/**
 * The one typed registry of queues, job names and payloads. Producers enqueue through
 * {@link JobProducer}; processors (worker) switch over the same names, so the compiler checks both ends.
 */
export const QUEUES = {
  maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  /** Deletes idempotency records older than 24 h. */
  'maintenance.purge_idempotency': Record<string, never>;
  /** Deletes events older than 30 days. */
  'maintenance.purge_events': Record<string, never>;
  /** Persists `expired` on setup links past `expires_at`. */
  'maintenance.expire_setup_links': Record<string, never>;
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { [K in JobName]: QueueName } = {
  'maintenance.purge_idempotency': QUEUES.maintenance,
  'maintenance.purge_events': QUEUES.maintenance,
  'maintenance.expire_setup_links': QUEUES.maintenance,
};

/** Repeatable maintenance schedules, registered by the worker at start-up (idempotent upserts). */
export const MAINTENANCE_SCHEDULES: { [K in JobName]?: { everyMs: number } } = {
  'maintenance.purge_idempotency': { everyMs: 60 * 60 * 1000 },
  'maintenance.purge_events': { everyMs: 6 * 60 * 60 * 1000 },
  'maintenance.expire_setup_links': { everyMs: 5 * 60 * 1000 },
};

@Injectable()
export class JobProducer {
  constructor(@InjectQueue(QUEUES.maintenance) private readonly maintenance: Queue) {}

  enqueue<K extends JobName>(name: K, payload: JobPayloads[K], options?: JobsOptions): Promise<unknown> {
    return this.queue(JOB_QUEUE[name]).add(name, payload, options);
  }

  private queue(name: QueueName): Queue {
    switch (name) {
      case 'maintenance':
        return this.maintenance;
    }
  }
}
