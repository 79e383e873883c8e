import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { QueueDefinition } from './queue-definition';

/**
 * Registers the queue's repeat schedules (jobs declared with `everyMs`) as BullMQ job schedulers when the
 * worker starts. `upsertJobScheduler` is keyed by the job name, so restarts and several workers starting
 * at once leave exactly one scheduler per job; schedulers the definition no longer lists are removed.
 */
export class JobSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobSchedules.name);

  constructor(
    readonly definition: QueueDefinition,
    private readonly queue: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.register();
  }

  async register(): Promise<void> {
    const wanted = new Map<string, number>();
    for (const [name, spec] of Object.entries(this.definition.jobs)) {
      if (spec.everyMs !== undefined) wanted.set(name, spec.everyMs);
    }
    for (const [name, everyMs] of wanted) {
      await this.queue.upsertJobScheduler(name, { every: everyMs }, { name, data: {} });
    }
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (!wanted.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    if (wanted.size > 0) {
      this.logger.log({ queue: this.definition.name, schedules: Object.fromEntries(wanted) }, 'job schedules registered');
    }
  }
}
