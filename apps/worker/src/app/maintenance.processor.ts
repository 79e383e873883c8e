import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { JOB_QUEUE, type JobName, QUEUES } from '@kirim/contracts';
import { IDEMPOTENCY_TTL_MS, IdempotencyService } from '@kirim/platform';
import { SetupLinksService } from '@kirim/tenancy';
import { EVENT_RETENTION_MS, EventsService } from '@kirim/webhooks';
import { observeJob } from './job-metrics';

/** What a maintenance job reports (stored as the BullMQ job's return value, handy in logs and tests). */
export interface MaintenanceResult {
  job: JobName;
  /** Rows deleted or updated. */
  affected: number;
}

function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOB_QUEUE, name);
}

/**
 * Thin processor of the `maintenance` queue: every job is a call to the application service that owns
 * the data. Jobs are idempotent (deletes and status sweeps), so a job re-run after a crash (BullMQ's
 * stalled-job recovery) is harmless.
 */
@Processor(QUEUES.maintenance)
export class MaintenanceProcessor extends WorkerHost {
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly events: EventsService,
    private readonly setupLinks: SetupLinksService,
  ) {
    super();
  }

  async process(job: Job): Promise<MaintenanceResult> {
    const name = job.name;
    if (!isJobName(name)) throw new UnrecoverableError(`Unknown job '${name}' on queue ${QUEUES.maintenance}`);
    const result = await observeJob(QUEUES.maintenance, name, () => this.run(name));
    this.logger.log({ job: name, jobId: job.id, affected: result.affected }, 'maintenance job done');
    return result;
  }

  private async run(name: JobName): Promise<MaintenanceResult> {
    switch (name) {
      case 'maintenance.purge_idempotency':
        // Idempotency keys are kept 24 hours (spec 01-conventions.md § Idempotency).
        return { job: name, affected: await this.idempotency.purgeExpired(new Date(Date.now() - IDEMPOTENCY_TTL_MS)) };
      case 'maintenance.purge_events':
        return { job: name, affected: await this.events.purgeOlderThan(new Date(Date.now() - EVENT_RETENTION_MS)) };
      case 'maintenance.expire_setup_links':
        return { job: name, affected: await this.setupLinks.expireDue() };
    }
  }
}
