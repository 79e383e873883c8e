import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { type DynamicModule, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { jobQueueProvider, jobQueueToken } from './job-queue';
import { JobSchedules } from './job-schedules';
import type { QueueDefinition } from './queue-definition';

function registerQueues(definitions: QueueDefinition[]): DynamicModule {
  return BullModule.registerQueue(
    ...definitions.map(({ name, settings }) => ({
      name,
      defaultJobOptions: {
        attempts: settings.attempts,
        ...(settings.backoff && { backoff: settings.backoff }),
        removeOnComplete: settings.removeOnComplete,
        removeOnFail: settings.removeOnFail,
      },
    })),
  );
}

/** The schedules provider of a queue (one per queue a worker processes). */
export function jobSchedulesToken(definition: QueueDefinition): string {
  return `kirim:job-schedules:${definition.name}`;
}

/**
 * Queues of the registry as Nest providers. A context that enqueues imports `JobsModule.forQueues(...)` in its
 * module and injects `@InjectJobQueue(QUEUES.x)`; the context's `<Context>JobsModule` (loaded only by the
 * worker) imports `JobsModule.forWorker(QUEUES.x)` next to its `@ProcessQueue` processor, which also
 * registers the queue's repeat schedules. Settings come from the definition, nowhere else.
 */
@Module({})
export class JobsModule {
  static forQueues(...definitions: QueueDefinition[]): DynamicModule {
    return {
      module: JobsModule,
      imports: [registerQueues(definitions)],
      providers: definitions.map(jobQueueProvider),
      exports: definitions.map(jobQueueToken),
    };
  }

  static forWorker(definition: QueueDefinition): DynamicModule {
    return {
      module: JobsModule,
      imports: [registerQueues([definition])],
      providers: [
        jobQueueProvider(definition),
        {
          provide: jobSchedulesToken(definition),
          useFactory: (queue: Queue) => new JobSchedules(definition, queue),
          inject: [getQueueToken(definition.name)],
        },
      ],
      exports: [jobQueueToken(definition), jobSchedulesToken(definition)],
    };
  }
}
