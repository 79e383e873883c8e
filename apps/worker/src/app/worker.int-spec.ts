import { BullModule, getQueueToken, Processor, WorkerHost } from '@nestjs/bullmq';
import { type INestApplication, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type Job, Queue, QueueEvents } from 'bullmq';
import request from 'supertest';
import { QUEUES } from '@kirim/contracts';
import {
  type AppConfig,
  configureHttpApp,
  createHttpAdapter,
  Database,
  type JobNameOf,
  type JobSchedules,
  jobSchedulesToken,
  newId,
  type QueueDefinition,
  RedisService,
} from '@kirim/platform';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { WorkerModule } from './worker.module';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

async function bootWorker(
  config: AppConfig,
  ...extra: Parameters<typeof Test.createTestingModule>[0]['imports'] & object
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule.forRoot(config), ...extra] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { bodyParser: false, logger: false });
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

function queueEventsFor(config: AppConfig, queue: string): QueueEvents {
  return new QueueEvents(queue, {
    connection: { url: config.REDIS_URL, maxRetriesPerRequest: null },
    prefix: `${config.REDIS_PREFIX}bull`,
  });
}

/** Waits until the queue has nothing waiting or running (e.g. the schedulers' first jobs at start-up). */
async function settle(queue: Queue): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
    if ((counts['wait'] ?? 0) + (counts['active'] ?? 0) + (counts['prioritized'] ?? 0) === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`queue ${queue.name} did not settle`);
}

describe('worker: the maintenance queue of each context, schedules, health', () => {
  let env: TestEnv;
  let app: INestApplication;
  let db: Database;
  const queueEvents: QueueEvents[] = [];
  const definitions = Object.values(QUEUES);
  const bullOf = (target: INestApplication, definition: QueueDefinition) => target.get<Queue>(getQueueToken(definition.name));

  beforeAll(async () => {
    env = await createTestEnv();
    app = await bootWorker(env.config);
    db = app.get(Database);
    for (const definition of definitions) await settle(bullOf(app, definition));
  });
  afterAll(async () => {
    await Promise.all(queueEvents.map((e) => e.close()));
    await app?.close();
    await env?.close();
  });

  /** Adds a job to the queue (as its scheduler would) and waits for its result. */
  async function run<D extends QueueDefinition>(definition: D, name: JobNameOf<D>): Promise<unknown> {
    const events = queueEventsFor(env.config, definition.name);
    queueEvents.push(events);
    await events.waitUntilReady();
    const bull = bullOf(app, definition);
    const job = await bull.add(name, {});
    return job.waitUntilFinished(events, 15_000);
  }

  it('registers one job scheduler per scheduled job, on the queue of the context that owns its data', async () => {
    const found = [];
    for (const definition of definitions) {
      for (const s of await bullOf(app, definition).getJobSchedulers()) {
        found.push({ queue: definition.name, key: s.key, every: Number(s.every) });
      }
    }
    expect(found.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { queue: 'tenancy-maintenance', key: 'expire_setup_links', every: QUEUES.tenancyMaintenance.jobs.expire_setup_links.everyMs },
      { queue: 'webhooks-maintenance', key: 'purge_deliveries', every: QUEUES.webhooksMaintenance.jobs.purge_deliveries.everyMs },
      { queue: 'webhooks-maintenance', key: 'purge_events', every: QUEUES.webhooksMaintenance.jobs.purge_events.everyMs },
      { queue: 'platform-maintenance', key: 'purge_idempotency', every: QUEUES.platformMaintenance.jobs.purge_idempotency.everyMs },
      { queue: 'messaging-inbound', key: 'sweep_early_statuses', every: QUEUES.messagingInbound.jobs.sweep_early_statuses.everyMs },
      { queue: 'messaging-inbound', key: 'sweep_payloads', every: QUEUES.messagingInbound.jobs.sweep_payloads.everyMs },
      { queue: 'messaging-dispatch', key: 'sweep_pending', every: QUEUES.messagingDispatch.jobs.sweep_pending.everyMs },
    ]);
  });

  it('registering again (a restart, several workers at once) keeps exactly one scheduler per job and drops unknown ones', async () => {
    const queue = bullOf(app, QUEUES.tenancyMaintenance);
    await queue.upsertJobScheduler('retired', { every: HOUR }, { name: 'retired', data: {} });
    const second = await bootWorker(env.config);
    try {
      const schedules = (target: INestApplication) => target.get<JobSchedules>(jobSchedulesToken(QUEUES.tenancyMaintenance));
      await Promise.all([schedules(app).register(), schedules(second).register()]);
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['expire_setup_links']);
    } finally {
      await second.close();
    }
    await settle(queue);
  });

  it('platform-maintenance purge_idempotency deletes only records older than 24 hours', async () => {
    const orgId = newId('org');
    const record = (key: string, createdAt: Date) =>
      db.tx.idempotencyRecord.create({
        data: { orgId, key, fingerprint: 'f', statusCode: 201, responseCiphertext: 'x', requestId: newId('req'), createdAt },
      });
    await record('old', new Date(Date.now() - 25 * HOUR));
    await record('fresh', new Date(Date.now() - 23 * HOUR));

    const result = await run(QUEUES.platformMaintenance, 'purge_idempotency');

    expect(result).toEqual({ deleted: 1 });
    const left = await db.tx.idempotencyRecord.findMany({ where: { orgId }, select: { key: true } });
    expect(left).toEqual([{ key: 'fresh' }]);
  });

  it('webhooks-maintenance purge_events deletes only events older than 30 days', async () => {
    const orgId = newId('org');
    const event = (createdAt: Date) =>
      db.tx.event.create({ data: { id: newId('evt'), orgId, type: 'customer.created', data: {}, createdAt } });
    const old = await event(new Date(Date.now() - 31 * DAY));
    const older = await event(new Date(Date.now() - 90 * DAY));
    const kept = await event(new Date(Date.now() - 29 * DAY));
    const recent = await event(new Date());

    const result = await run(QUEUES.webhooksMaintenance, 'purge_events');

    expect(result).toEqual({ deleted: 2 });
    const left = await db.tx.event.findMany({ where: { orgId }, select: { id: true }, orderBy: { id: 'asc' } });
    expect(left.map((e) => e.id)).toEqual([kept.id, recent.id].sort());
    expect(left.map((e) => e.id)).not.toContain(old.id);
    expect(left.map((e) => e.id)).not.toContain(older.id);
  });

  it('webhooks-maintenance purge_deliveries deletes deliveries older than 30 days and secrets expired over a day ago', async () => {
    const orgId = newId('org');
    const sub = await db.tx.webhookSubscription.create({
      data: { id: newId('wbs'), orgId, url: 'https://hooks.example/x', events: ['*'] },
    });
    const delivery = (createdAt: Date) =>
      db.tx.webhookDelivery.create({
        data: {
          id: newId('wbd'),
          orgId,
          subscriptionId: sub.id,
          eventId: newId('evt'),
          eventType: 'customer.created',
          dedupeKey: newId('wbd'),
          createdAt,
        },
      });
    const secret = (expiresAt: Date | null) =>
      db.tx.webhookSecret.create({ data: { id: newId('sec'), subscriptionId: sub.id, sealed: 'x', expiresAt } });
    await delivery(new Date(Date.now() - 31 * DAY));
    const kept = await delivery(new Date(Date.now() - 29 * DAY));
    await secret(new Date(Date.now() - 2 * DAY));
    const expiring = await secret(new Date(Date.now() - HOUR));
    const current = await secret(null);

    // The schedulers' first runs (a second worker booted in an earlier test registers them again) finish first.
    await settle(bullOf(app, QUEUES.webhooksMaintenance));
    const result = await run(QUEUES.webhooksMaintenance, 'purge_deliveries');

    expect(result).toEqual({ deliveries: 1, secrets: 1 });
    expect((await db.tx.webhookDelivery.findMany({ where: { orgId } })).map((d) => d.id)).toEqual([kept.id]);
    expect((await db.tx.webhookSecret.findMany({ where: { subscriptionId: sub.id }, orderBy: { id: 'asc' } })).map((x) => x.id)).toEqual(
      [expiring.id, current.id].sort(),
    );
  });

  it('tenancy-maintenance expire_setup_links marks active links past expires_at as expired, and only those', async () => {
    const orgId = newId('org');
    const customer = await db.tx.customer.create({ data: { id: newId('cus'), orgId, teamId: newId('team'), name: 'Acme' } });
    const link = (expiresAt: Date, status: 'active' | 'consumed' = 'active') =>
      db.tx.customerSetupLink.create({
        data: {
          id: newId('csl'),
          orgId,
          customerId: customer.id,
          tokenPrefix: 'abcdefgh',
          tokenHash: 'h',
          tokenLast4: 'wxyz',
          expiresAt,
          status,
        },
      });
    const due = await link(new Date(Date.now() - HOUR));
    const live = await link(new Date(Date.now() + HOUR));
    const consumed = await link(new Date(Date.now() - HOUR), 'consumed');

    const result = await run(QUEUES.tenancyMaintenance, 'expire_setup_links');

    expect(result).toEqual({ expired: 1 });
    const status = async (id: string) => (await db.tx.customerSetupLink.findUniqueOrThrow({ where: { id } })).status;
    expect([await status(due.id), await status(live.id), await status(consumed.id)]).toEqual(['expired', 'active', 'consumed']);
  });

  it('fails a job whose name is not in the registry instead of completing it silently', async () => {
    const events = queueEventsFor(env.config, QUEUES.tenancyMaintenance.name);
    queueEvents.push(events);
    await events.waitUntilReady();
    const job = await bullOf(app, QUEUES.tenancyMaintenance).add('unknown', {}, { attempts: 1 });
    await expect(job.waitUntilFinished(events, 15_000)).rejects.toThrow(/Unknown job 'unknown' on queue tenancy-maintenance/);
  });

  it('serves GET /health and GET /metrics', async () => {
    const http = request(app.getHttpServer());
    const health = await http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const metrics = await http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/kirim_jobs_total\{queue="webhooks-maintenance",name="purge_events",status="completed"\} \d+/);
  });

  it('GET /health answers 503 service_unavailable when a dependency (here Redis) does not', async () => {
    const spy = jest.spyOn(app.get(RedisService).client, 'ping').mockRejectedValueOnce(new Error('connection refused'));
    try {
      const res = await request(app.getHttpServer()).get('/health');
      expect(res.status).toBe(503);
      expect(res.body.error).toMatchObject({ code: 'service_unavailable', request_id: res.headers['x-request-id'] });
      expect(res.headers['retry-after']).toBe('5');
    } finally {
      spy.mockRestore();
    }
  });
});

// ---- graceful shutdown: a slow job in flight finishes (with the database still usable) on close ----

const SLOW_QUEUE = 'test-slow';
let slowStarted: () => void = () => undefined;

@Processor(SLOW_QUEUE)
class SlowProcessor extends WorkerHost {
  constructor(
    private readonly db: Database,
    private readonly redis: RedisService,
  ) {
    super();
  }

  async process(job: Job<{ orgId: string }>): Promise<string> {
    slowStarted();
    await new Promise((r) => setTimeout(r, 1500));
    // Both run after shutdown has begun: the platform's PostgreSQL and Redis clients (closed by the
    // platform's own destroy hooks) must still be usable while jobs drain.
    const n = await this.redis.client.incr(this.redis.key('slow-job-runs'));
    await this.db.tx.idempotencyRecord.create({
      data: { orgId: job.data.orgId, key: 'slow', fingerprint: 'f', statusCode: 200, responseCiphertext: 'x', requestId: newId('req') },
    });
    return `finished ${n}`;
  }
}

@Module({ imports: [BullModule.registerQueue({ name: SLOW_QUEUE })], providers: [SlowProcessor] })
class SlowJobsModule {}

describe('worker: graceful shutdown', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('closing the app waits for the job in flight, which completes instead of being lost', async () => {
    const app = await bootWorker(env.config, SlowJobsModule);
    const orgId = newId('org');
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    const job = await app.get<Queue>(getQueueToken(SLOW_QUEUE)).add('slow', { orgId });
    await started;

    const t0 = Date.now();
    await app.close(); // what SIGTERM triggers through enableShutdownHooks
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);

    const inspector = new Queue(SLOW_QUEUE, { connection: { url: env.config.REDIS_URL }, prefix: `${env.config.REDIS_PREFIX}bull` });
    const check = await createTestEnvDb(env);
    try {
      const stored = await inspector.getJob(job.id ?? '');
      expect(await stored?.getState()).toBe('completed');
      expect(stored?.returnvalue).toBe('finished 1');
      expect(await check.count(orgId)).toBe(1);
    } finally {
      await inspector.close();
      await check.close();
    }
  });
});

/** A plain pg client on the test database (the app and its Prisma client are closed by then). */
async function createTestEnvDb(env: TestEnv): Promise<{ count(orgId: string): Promise<number>; close(): Promise<void> }> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: env.database.url });
  await client.connect();
  return {
    count: async (orgId) =>
      Number((await client.query('SELECT count(*) FROM idempotency_records WHERE org_id = $1', [orgId])).rows[0].count),
    close: () => client.end(),
  };
}
