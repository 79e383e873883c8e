import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { JOB_QUEUE, type JobName, MAINTENANCE_SCHEDULES, type QueueName } from '@kirim/contracts';

/**
 * Registers every entry of MAINTENANCE_SCHEDULES as a BullMQ job scheduler at start-up.
 * `upsertJobScheduler` is keyed by the job name, so restarts and several workers starting at once
 * leave exactly one scheduler per job (BullMQ keeps one delayed job per scheduler, whoever upserted it).
 * Schedulers on those queues that the registry no longer lists are removed, so a dropped schedule stops.
 */
@Injectable()
export class MaintenanceSchedules implements OnApplicationBootstrap {
  private readonly logger = new Logger(MaintenanceSchedules.name);

  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.register();
  }

  async register(): Promise<void> {
    const entries = Object.entries(MAINTENANCE_SCHEDULES) as [JobName, { everyMs: number } | undefined][];
    const wanted = new Map<QueueName, Set<string>>();
    for (const [name, schedule] of entries) {
      if (!schedule) continue;
      const queueName = JOB_QUEUE[name];
      await this.queue(queueName).upsertJobScheduler(name, { every: schedule.everyMs }, { name, data: {} });
      wanted.set(queueName, (wanted.get(queueName) ?? new Set<string>()).add(name));
    }
    for (const [queueName, names] of wanted) {
      const queue = this.queue(queueName);
      for (const scheduler of await queue.getJobSchedulers()) {
        if (!names.has(scheduler.key)) await queue.removeJobScheduler(scheduler.key);
      }
    }
    this.logger.log({ schedules: entries.map(([name, s]) => ({ name, everyMs: s?.everyMs })) }, 'maintenance schedules registered');
  }

  private queue(name: QueueName): Queue {
    return this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
  }
}
