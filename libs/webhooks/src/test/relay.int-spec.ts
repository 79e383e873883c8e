import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import { CryptoService, newId, PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createTestEnv, type TestEnv } from '@kirim/testing';
import { DeliveriesRepository } from '../infrastructure/deliveries.repository';
import { WebhooksJobsModule } from '../webhooks-jobs.module';
import { TestReceiver } from './receiver';

/**
 * Two relays and two delivery workers over one database (two worker processes' worth of Nest apps, each with
 * its own pool), 1,000 events, two subscriptions: each subscription gets each event exactly once, none missing —
 * also when a relay dies holding a batch, and when a delivery worker dies holding claimed deliveries.
 */
describe('outbox relay and delivery across several workers', () => {
  let env: TestEnv;
  let receiver: TestReceiver;
  const workers: INestApplicationContext[] = [];
  let prisma: PrismaService;
  const closers: (() => Promise<unknown>)[] = [];

  const bootWorker = async (): Promise<INestApplicationContext> => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(env.config), WebhooksJobsModule, contextPorts()],
    }).compile();
    moduleRef.useLogger(false);
    const app = await moduleRef.init();
    workers.push(app);
    return app;
  };

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    // A generous attempt deadline: the endpoint shares this process with four apps, and a timed-out attempt is
    // (rightly) sent again, which the accounting below allows but should not need.
    env = await createTestEnv({ WEBHOOK_POLL_MS: '20', WEBHOOK_TIMEOUT_MS: '10000', WEBHOOK_RETRY_SCHEDULE: '200ms' });
  }, 60_000);
  afterAll(async () => {
    // Whatever a failed test left open (a worker, the helper app, the doomed connection) is closed here, so jest exits.
    for (const close of closers) await close().catch(() => undefined);
    for (const w of workers) await w.close();
    await env?.close();
    await receiver?.close();
  });

  it('1,000 events → every subscription gets each event exactly once, with a relay and a deliverer dying midway', async () => {
    const first = await bootWorker();
    prisma = first.get(PrismaService);
    const org = newId('org');
    const subs = ['/one', '/two'].map((path) => ({ id: newId('wbs'), path }));
    for (const s of subs) {
      await prisma.webhookSubscription.create({ data: { id: s.id, orgId: org, url: receiver.url(s.path), events: ['customer.*'] } });
      await prisma.webhookSecret.create({
        data: {
          id: newId('sec'),
          subscriptionId: s.id,
          sealed: first.get(CryptoService).seal(`whsec_${Buffer.alloc(24, 7).toString('base64')}`),
        },
      });
    }
    // A relay that dies mid-batch: it locks the oldest unrelayed events in its transaction, then its connection is cut.
    const doomed = new pg.Client({ connectionString: env.config.DATABASE_URL });
    await doomed.connect();
    closers.push(() => doomed.end());
    doomed.on('error', () => undefined);

    const ids: string[] = [];
    const insert = async (count: number) => {
      const batch = Array.from({ length: count }, () => newId('evt'));
      ids.push(...batch);
      await prisma.event.createMany({ data: batch.map((id) => ({ id, orgId: org, type: 'customer.created', data: { n: id } })) });
    };
    // Stop the first worker while the doomed relay takes its batch, so that batch is certainly locked by it.
    await workers.splice(0, 1)[0]?.close();
    const helper = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(env.configWith({ WEBHOOK_DELIVERY_ENABLED: 'false' })), WebhooksJobsModule, contextPorts()],
    }).compile();
    helper.useLogger(false);
    const quiet = await helper.init();
    closers.push(() => quiet.close());
    prisma = quiet.get(PrismaService);
    await insert(300);
    await doomed.query('BEGIN');
    const locked = await doomed.query(
      `SELECT id FROM events WHERE relayed_at IS NULL ORDER BY created_at, id LIMIT 100 FOR UPDATE SKIP LOCKED`,
    );
    expect(locked.rowCount).toBe(100);

    // Two workers (relay + deliverer each) start; the rest of the events arrive while they run.
    await bootWorker();
    await bootWorker();
    for (let i = 0; i < 7; i++) {
      await insert(100);
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(ids).toHaveLength(1000);

    // A delivery worker that dies after claiming: it takes 20 due deliveries of /one with a short lease and never sends them.
    const repo = quiet.get(DeliveriesRepository);
    let claimed = 0;
    for (let tries = 0; tries < 100 && claimed === 0; tries++) {
      const now = new Date();
      claimed = (await repo.claimDue(subs[0]?.id as string, 20, now, new Date(now.getTime() + 1500))).length;
      if (claimed === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(claimed).toBeGreaterThan(0);

    // The doomed relay's connection is killed: its batch rolls back and the live relays take it.
    await prisma.$executeRawUnsafe(`SELECT pg_terminate_backend(${(doomed as unknown as { processID: number }).processID})`);

    const expectEach = async (path: string) => {
      await receiver.waitFor(
        () => new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size === 1000,
        30_000,
        `1,000 events at ${path}`,
      );
    };
    await expectEach('/one');
    await expectEach('/two');
    await new Promise((r) => setTimeout(r, 500));
    for (const s of subs) {
      const got = receiver.at(s.path).map((r) => r.headers['webhook-id'] as string);
      expect(new Set(got)).toEqual(new Set(ids));
      const rows = await prisma.webhookDelivery.findMany({ where: { subscriptionId: s.id } });
      expect(rows).toHaveLength(1000); // one delivery per event and subscription (the dedupe key), none missing
      expect(rows.filter((d) => d.status === 'succeeded')).toHaveLength(1000);
      // Nothing was sent that no attempt recorded: every request the endpoint got is one recorded attempt (the dead
      // deliverer's claims were never sent; a retry after a timed-out attempt would show as attempt 2, and only then).
      expect(got).toHaveLength(rows.reduce((sum, d) => sum + d.attemptCount, 0));
      expect(rows.filter((d) => d.attemptCount > 1).length).toBeLessThan(50);
    }
    expect(await prisma.event.count({ where: { orgId: org, relayedAt: null } })).toBe(0);
  }, 60_000);
});
