import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, UnrecoverableError } from 'bullmq';
import { observeJob } from './job-metrics';
import type { JobNameOf, PayloadOf, QueueDefinition } from './queue-definition';

/** One handler per job of the queue: the compiler refuses a processor that leaves a job out. */
export type JobHandlers<D extends QueueDefinition> = {
  [K in JobNameOf<D>]: (payload: PayloadOf<D, K>, job: Job<PayloadOf<D, K>>) => Promise<unknown>;
};

const QUEUE_DEFINITION = Symbol('kirim:queue-definition');

/**
 * Marks the processor of a queue, with the queue's settings (concurrency, limiter) as BullMQ worker options.
 * Put it on a {@link QueueProcessor} in the owning context's `jobs/`.
 */
export function ProcessQueue(definition: QueueDefinition): ClassDecorator {
  const { concurrency, limiter } = definition.settings;
  const processor = Processor(definition.name, { concurrency, ...(limiter && { limiter }) });
  return (target) => {
    Reflect.defineMetadata(QUEUE_DEFINITION, definition, target);
    processor(target);
  };
}

/**
 * The processor of one queue: a map from job name to the application-service call that does the work
 * (handlers live beside their data, in the owning context). Unknown job names fail without retry; every
 * job is counted and timed on the worker's `/metrics`.
 */
export abstract class QueueProcessor<D extends QueueDefinition> extends WorkerHost {
  protected abstract readonly handlers: JobHandlers<D>;

  async process(job: Job): Promise<unknown> {
    const definition = Reflect.getMetadata(QUEUE_DEFINITION, this.constructor) as D | undefined;
    if (!definition) throw new Error(`${this.constructor.name} has no @ProcessQueue(definition)`);
    const handlers = this.handlers as Record<string, ((payload: unknown, job: Job) => Promise<unknown>) | undefined>;
    const handler = Object.prototype.hasOwnProperty.call(handlers, job.name) ? handlers[job.name] : undefined;
    if (!handler) throw new UnrecoverableError(`Unknown job '${job.name}' on queue ${definition.name}`);
    return observeJob(definition.name, job.name, () => handler(job.data, job));
  }
}
