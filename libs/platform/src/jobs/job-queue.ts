import { getQueueToken } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { afterCommit } from './after-commit';
import type { JobNameOf, PayloadOf, QueueDefinition } from './queue-definition';

/** The injection token of a queue's {@link JobQueue} (what producers inject). */
export function jobQueueToken(definition: QueueDefinition): string {
  return `kirim:job-queue:${definition.name}`;
}

/** Injects the typed producer of a queue: `@InjectJobQueue(QUEUES.x) queue: JobQueue<typeof QUEUES.x>`. */
export const InjectJobQueue = (definition: QueueDefinition): ParameterDecorator => Inject(jobQueueToken(definition));

export interface EnqueueOptions {
  /**
   * The id of the durable work this job carries (e.g. the message's id). The job id is derived from it, so
   * an enqueue and a sweep's re-enqueue of the same work, or two sweeps, make one job, not two.
   */
  workId?: string;
  /** Run no earlier than this many ms from now. */
  delayMs?: number;
}

/** The BullMQ job id of a piece of durable work (BullMQ refuses ':' in custom ids). */
export function durableJobId(name: string, workId: string): string {
  return `${name}--${workId}`.replace(/:/g, '_');
}

/**
 * The typed producer of one queue. Inside a transaction a job leaves for Redis only after the outermost
 * transaction commits (and never when it rolls back), so a processor never runs before the rows it reads
 * are visible; outside one it is added at once. An enqueue lost after commit (a crash, Redis down) is
 * recovered by the owning context's sweep ({@link JobSweeper}): Redis is never the only copy of anything.
 */
export class JobQueue<D extends QueueDefinition> {
  constructor(
    readonly definition: D,
    /** The BullMQ queue, for inspection (counts, jobs) and tests; enqueue through {@link add}. */
    readonly bull: Queue,
  ) {}

  add<K extends JobNameOf<D>>(name: K, payload: PayloadOf<D, K>, options: EnqueueOptions = {}): Promise<void> {
    const jobOptions: JobsOptions = {};
    if (options.workId !== undefined) jobOptions.jobId = durableJobId(name, options.workId);
    if (options.delayMs !== undefined) jobOptions.delay = options.delayMs;
    return afterCommit(() => this.bull.add(name, payload, jobOptions));
  }
}

export function jobQueueProvider(definition: QueueDefinition): {
  provide: string;
  useFactory: (queue: Queue) => JobQueue<QueueDefinition>;
  inject: string[];
} {
  return {
    provide: jobQueueToken(definition),
    useFactory: (queue: Queue) => new JobQueue(definition, queue),
    inject: [getQueueToken(definition.name)],
  };
}
