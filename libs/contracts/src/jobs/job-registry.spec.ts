import type { Queue } from 'bullmq';
import { JOB_QUEUE, type JobName, JobProducer, type JobPayloads, MAINTENANCE_SCHEDULES, QUEUES } from './job-registry';

/**
 * Every job name, written out once. `satisfies Record<JobName, true>` makes the compiler (npm run
 * typecheck) reject this list when a name is added to JobPayloads and not here, or the reverse, so the
 * runtime assertions below compare JOB_QUEUE against the complete set of names.
 */
const ALL_JOB_NAMES = {
  'maintenance.purge_idempotency': true,
  'maintenance.purge_events': true,
  'maintenance.expire_setup_links': true,
} as const satisfies Record<JobName, true>;

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// Type-level checks (compiled by `npm run typecheck`; the function is never called).
export function typeLevelChecks(producer: JobProducer): void {
  const covers: Equals<keyof typeof JOB_QUEUE, JobName> = true;
  const listed: Equals<keyof typeof ALL_JOB_NAMES, keyof JobPayloads> = true;
  void covers;
  void listed;
  // @ts-expect-error a JOB_QUEUE that leaves a job name out does not compile
  const incomplete: typeof JOB_QUEUE = { 'maintenance.purge_idempotency': QUEUES.maintenance };
  void incomplete;
  // @ts-expect-error an unknown job name cannot be enqueued
  void producer.enqueue('maintenance.nope', {});
  // @ts-expect-error a payload must match the job's declared shape
  void producer.enqueue('maintenance.purge_events', { extra: 1 });
}

describe('job registry', () => {
  const queues = new Set<string>(Object.values(QUEUES));

  it('JOB_QUEUE maps every job name, and only job names, to a registered queue', () => {
    expect(Object.keys(JOB_QUEUE).sort()).toEqual(Object.keys(ALL_JOB_NAMES).sort());
    for (const [name, queue] of Object.entries(JOB_QUEUE)) {
      expect({ name, registered: queues.has(queue) }).toEqual({ name, registered: true });
    }
  });

  it('every maintenance schedule names a known job with a positive interval', () => {
    for (const [name, schedule] of Object.entries(MAINTENANCE_SCHEDULES)) {
      expect(Object.keys(ALL_JOB_NAMES)).toContain(name);
      expect(schedule?.everyMs).toBeGreaterThan(0);
    }
    expect(Object.keys(MAINTENANCE_SCHEDULES).sort()).toEqual([
      'maintenance.expire_setup_links',
      'maintenance.purge_events',
      'maintenance.purge_idempotency',
    ]);
  });

  it('JobProducer adds each job to the queue JOB_QUEUE names', async () => {
    const added: { queue: string; name: string; data: unknown }[] = [];
    const fakeQueue = (queue: string) =>
      ({ add: (name: string, data: unknown) => Promise.resolve(added.push({ queue, name, data })) }) as unknown as Queue;
    const producer = new JobProducer(fakeQueue(QUEUES.maintenance));
    for (const name of Object.keys(ALL_JOB_NAMES) as JobName[]) await producer.enqueue(name, {});
    expect(added).toEqual((Object.keys(ALL_JOB_NAMES) as JobName[]).map((name) => ({ queue: JOB_QUEUE[name], name, data: {} })));
  });
});
