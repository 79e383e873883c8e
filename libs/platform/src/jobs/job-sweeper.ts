import { Logger } from '@nestjs/common';
import { durableJobId, type JobQueue } from './job-queue';
import type { JobNameOf, PayloadOf, QueueDefinition } from './queue-definition';

/** A piece of durable work as its rows in PostgreSQL describe it: its id and the payload of its job. */
export interface DurableWork<P> {
  id: string;
  payload: P;
}

export interface SweepSource<D extends QueueDefinition, K extends JobNameOf<D>> {
  queue: JobQueue<D>;
  job: K;
  /**
   * Work still waiting for its job that became due before `olderThan` (e.g. messages still `pending`,
   * created more than a grace period ago), at most `limit`, oldest first.
   */
  findStale(olderThan: Date, limit: number): Promise<DurableWork<PayloadOf<D, K>>[]>;
  /** How long after it became due work may still be on its way through its original enqueue. */
  graceMs: number;
  /** Work items per sweep (the next sweep takes the rest). */
  batchSize?: number;
}

const logger = new Logger('JobSweeper');

/**
 * The recovery half of "jobs after commit": durable work is enqueued after its transaction commits with
 * `workId` set, so its BullMQ job id is derived from the work's id. When that enqueue was lost (a crash
 * or a Redis outage between commit and enqueue), the owning context's periodic sweep finds the work by its
 * rows and enqueues it again under the same job id — a job still queued, running or kept after finishing
 * is not added twice, so however many sweeps run, in however many workers, the work gets one job.
 * Returns how many jobs the sweep added.
 */
export async function sweepLostJobs<D extends QueueDefinition, K extends JobNameOf<D>>(source: SweepSource<D, K>): Promise<number> {
  const stale = await source.findStale(new Date(Date.now() - source.graceMs), source.batchSize ?? 500);
  let added = 0;
  for (const work of stale) {
    if (await source.queue.bull.getJob(durableJobId(source.job, work.id))) continue;
    await source.queue.add(source.job, work.payload, { workId: work.id });
    added++;
  }
  if (added > 0) logger.warn({ queue: source.queue.definition.name, job: source.job, added }, 'sweep re-enqueued lost jobs');
  return added;
}
