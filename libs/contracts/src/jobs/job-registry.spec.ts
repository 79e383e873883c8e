import type { Queue } from 'bullmq';
import { type JobHandlers, type JobNameOf, JobQueue, type PayloadOf } from '@kirim/platform';
import { QUEUES } from './job-registry';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Type-level checks (compiled by `npm run typecheck`; the function is never called).
export function typeLevelChecks(queue: JobQueue<typeof QUEUES.tenancyMaintenance>): void {
  const names: Equals<JobNameOf<typeof QUEUES.tenancyMaintenance>, 'expire_setup_links'> = true;
  const payload: Equals<PayloadOf<typeof QUEUES.tenancyMaintenance, 'expire_setup_links'>, Record<string, never>> = true;
  void names;
  void payload;
  // @ts-expect-error a job of another queue cannot be enqueued on this one
  void queue.add('purge_events', {});
  // @ts-expect-error a payload must match the job's declared shape
  void queue.add('expire_setup_links', { extra: 1 });
  // @ts-expect-error a processor's handler map must cover every job of its queue
  const incomplete: JobHandlers<typeof QUEUES.webhooksMaintenance> = {};
  void incomplete;
  const complete: JobHandlers<typeof QUEUES.webhooksMaintenance> = {
    purge_events: () => Promise.resolve(0),
    purge_deliveries: () => Promise.resolve(0),
  };
  void complete;
}

describe('job registry', () => {
  const definitions = Object.values(QUEUES);

  it('every queue has its own name, one BullMQ accepts in a Redis key', () => {
    const names = definitions.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('every queue declares settings a worker can run with', () => {
    for (const { name, settings } of definitions) {
      expect({ name, concurrency: settings.concurrency >= 1, attempts: settings.attempts >= 1 }).toEqual({
        name,
        concurrency: true,
        attempts: true,
      });
    }
  });

  it('the maintenance schedules are where their data lives, each with a positive interval', () => {
    const schedules = definitions.flatMap((d) =>
      Object.entries(d.jobs as Record<string, { everyMs?: number }>)
        .filter(([, spec]) => spec.everyMs !== undefined)
        .map(([job, spec]) => ({ queue: d.name, job, positive: (spec.everyMs ?? 0) > 0 })),
    );
    expect(schedules).toEqual([
      { queue: 'platform-maintenance', job: 'purge_idempotency', positive: true },
      { queue: 'tenancy-maintenance', job: 'expire_setup_links', positive: true },
      { queue: 'webhooks-maintenance', job: 'purge_events', positive: true },
      { queue: 'webhooks-maintenance', job: 'purge_deliveries', positive: true },
      { queue: 'messaging-dispatch', job: 'sweep_pending', positive: true },
      { queue: 'messaging-inbound', job: 'sweep_payloads', positive: true },
      { queue: 'messaging-inbound', job: 'sweep_early_statuses', positive: true },
    ]);
  });

  it('JobQueue adds a job outside a transaction at once, with a job id derived from the work id', async () => {
    const added: { name: string; data: unknown; opts: unknown }[] = [];
    const bull = {
      add: (name: string, data: unknown, opts: unknown) => Promise.resolve(added.push({ name, data, opts })),
    } as unknown as Queue;
    const queue = new JobQueue(QUEUES.tenancyMaintenance, bull);
    await queue.add('expire_setup_links', {});
    await queue.add('expire_setup_links', {}, { workId: 'csl_01:X', delayMs: 50 });
    expect(added).toEqual([
      { name: 'expire_setup_links', data: {}, opts: {} },
      { name: 'expire_setup_links', data: {}, opts: { jobId: 'expire_setup_links--csl_01_X', delay: 50 } },
    ]);
  });
});
