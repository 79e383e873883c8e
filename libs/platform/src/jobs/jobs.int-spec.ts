import { getQueueToken } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { newId } from '../ids/ids';
import { Database } from '../persistence/database';
import { PlatformModule } from '../platform.module';
import { durableJobId, InjectJobQueue, JobQueue } from './job-queue';
import { sweepLostJobs, type SweepSource } from './job-sweeper';
import { JobsModule } from './jobs.module';
import { defineQueue, job } from './queue-definition';
import { type JobHandlers, ProcessQueue, QueueProcessor } from './queue-processor';

/**
 * The kernel's job machinery against real PostgreSQL and Redis: a test queue whose "durable work" is an
 * event row (the platform's own `events` table), a processor that reports whether it could see the row,
 * and a sweep that finds rows whose job was lost.
 */
const TEST_QUEUE = defineQueue(
  'kernel-test',
  { observe: job<{ eventId: string }>() },
  { concurrency: 4, attempts: 1, removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 } },
);

/** What the processor saw, by event id: did the job's row exist when the job ran? */
const seen = new Map<string, boolean>();

@ProcessQueue(TEST_QUEUE)
class ObserveProcessor extends QueueProcessor<typeof TEST_QUEUE> {
  constructor(private readonly db: Database) {
    super();
  }

  protected readonly handlers: JobHandlers<typeof TEST_QUEUE> = {
    observe: async ({ eventId }) => {
      seen.set(eventId, (await this.db.tx.event.findUnique({ where: { id: eventId } })) !== null);
      return null;
    },
  };
}

/** A producer as a context would write one: the row and its job in one transaction. */
@Injectable()
class WorkProducer {
  constructor(
    private readonly db: Database,
    @InjectJobQueue(TEST_QUEUE) readonly queue: JobQueue<typeof TEST_QUEUE>,
  ) {}

  /** Inserts the row, enqueues its job, then (still inside the transaction) runs `after`. */
  create(orgId: string, after: () => Promise<void> = () => Promise.resolve()): Promise<string> {
    return this.db.transaction(async () => {
      const eventId = newId('evt');
      await this.db.tx.event.create({ data: { id: eventId, orgId, type: 'kernel.test', data: {} } });
      await this.queue.add('observe', { eventId }, { workId: eventId });
      await after();
      return eventId;
    });
  }

  /** The sweep source: this organization's rows not yet seen by the processor. */
  source(orgId: string): SweepSource<typeof TEST_QUEUE, 'observe'> {
    return {
      queue: this.queue,
      job: 'observe',
      graceMs: 0,
      findStale: async (olderThan, limit) => {
        const rows = await this.db.tx.event.findMany({
          where: { orgId, createdAt: { lt: olderThan }, id: { notIn: [...seen.keys()] } },
          orderBy: { id: 'asc' },
          take: limit,
        });
        return rows.map((row) => ({ id: row.id, payload: { eventId: row.id } }));
      },
    };
  }
}

@Module({ imports: [JobsModule.forWorker(TEST_QUEUE)], providers: [ObserveProcessor, WorkProducer] })
class KernelTestJobsModule {}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('jobs: typed queues, enqueue after commit, sweep of lost jobs', () => {
  let env: TestEnv;
  let t: TestApp;
  let producer: WorkProducer;
  let bull: Queue;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), KernelTestJobsModule] });
    producer = t.app.get(WorkProducer);
    bull = t.app.get<Queue>(getQueueToken(TEST_QUEUE.name));
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const jobsOf = async (eventId: string) => (await bull.getJob(durableJobId('observe', eventId))) ?? null;

  it('a job enqueued in a transaction that rolls back never reaches Redis', async () => {
    const orgId = newId('org');
    const add = jest.spyOn(bull, 'add');
    await expect(
      producer.create(orgId, () => {
        throw new Error('the change fails after its enqueue');
      }),
    ).rejects.toThrow('the change fails after its enqueue');
    expect(add).not.toHaveBeenCalled();
    await expect(t.app.get(Database).tx.event.count({ where: { orgId } })).resolves.toBe(0);
  });

  it('a job leaves only after commit, so it never runs before its row is visible', async () => {
    const orgId = newId('org');
    const added: number[] = [];
    jest.spyOn(bull, 'add').mockImplementation(function (this: Queue, ...args: Parameters<Queue['add']>) {
      added.push(Date.now());
      return jest.requireActual<typeof import('bullmq')>('bullmq').Queue.prototype.add.apply(this, args);
    });
    let committedAt = 0;
    const eventId = await producer.create(orgId, async () => {
      // The transaction stays open a while after the enqueue: a job sent at once would run now, see nothing.
      await new Promise((r) => setTimeout(r, 300));
      committedAt = Date.now();
    });
    await until(() => seen.has(eventId));
    expect(seen.get(eventId)).toBe(true);
    expect(added).toHaveLength(1);
    expect(added[0]).toBeGreaterThanOrEqual(committedAt);
  });

  it('an enqueue lost after commit is found by the sweep and enqueued exactly once, however many sweeps run', async () => {
    const orgId = newId('org');
    // Redis refuses the enqueue after the commit (an outage, or a crash right after COMMIT).
    jest.spyOn(bull, 'add').mockRejectedValueOnce(new Error('Connection is closed.'));
    const eventId = await producer.create(orgId); // the commit stands: the caller got its 2xx
    expect(await jobsOf(eventId)).toBeNull();
    expect(seen.has(eventId)).toBe(false);

    const source = producer.source(orgId);
    const sweeps = await Promise.all([sweepLostJobs(source), sweepLostJobs(source), sweepLostJobs(source)]);
    expect(sweeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    await until(() => seen.has(eventId));
    expect(seen.get(eventId)).toBe(true);
    // One job for the work, whatever the sweeps added: BullMQ keeps the job id unique.
    const all = await bull.getJobs(['completed', 'failed', 'active', 'wait', 'delayed']);
    expect(all.filter((j) => (j.data as { eventId?: string }).eventId === eventId)).toHaveLength(1);
    // Once the job exists, later sweeps add nothing for it.
    seen.delete(eventId);
    await expect(sweepLostJobs(source)).resolves.toBe(0);
  });

  it('an enqueue outside a transaction is immediate', async () => {
    const eventId = newId('evt');
    await producer.queue.add('observe', { eventId }, { workId: eventId });
    expect(await jobsOf(eventId)).not.toBeNull();
    await until(() => seen.has(eventId));
    expect(seen.get(eventId)).toBe(false); // no such row: the job just ran
  });
});
