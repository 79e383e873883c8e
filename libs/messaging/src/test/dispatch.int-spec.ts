import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { IdentityHttpModule } from '@kirim/identity';
import { type AppConfig, newId, PlatformHttpModule, PlatformModule, PrismaService, organizationScope } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import {
  contextPorts,
  createOrgSession,
  createTestApp,
  createTestEnv,
  type MetaSandbox,
  type OrgSession,
  type SandboxFault,
  startMetaSandbox,
  type TestApp,
  type TestEnv,
} from '@kirim/testing';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagesService } from '../application/messages.service';
import { MetaMessagesClient } from '../infrastructure/meta-messages.client';
import { MessagingHttpModule } from '../messaging-http.module';
import { MessagingJobsModule } from '../messaging-jobs.module';
import { bodiesOfEveryType, connectSandboxNumber, freshWaId, type SeededAccount, seedContact, seedInbound, templateBody } from './helpers';
import { seedTemplate } from './templates-helpers';

interface SandboxMessage {
  wamid: string;
  phone_number_id: string;
  wa_id: string;
  type: string;
  body: Record<string, unknown>;
  received_at: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The most sends in any 1 s window (sliding, half-open) of these times (ms). */
function maxPerSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Outbound dispatch against the Meta sandbox: every type, Meta's errors, pacing, fairness, the sweep. */
describe('dispatch: the worker hands pending messages to Meta (the sandbox)', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  const workers: INestApplicationContext[] = [];

  const bootWorker = async (config: AppConfig = env.config): Promise<INestApplicationContext> => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(config), MessagingJobsModule, contextPorts()],
    }).compile();
    moduleRef.useLogger(false);
    const app = await moduleRef.init();
    workers.push(app);
    return app;
  };
  const stopWorker = async (app: INestApplicationContext) => {
    const index = workers.indexOf(app);
    if (index < 0) return;
    workers.splice(index, 1);
    await app.close();
  };

  beforeAll(async () => {
    sandbox = await startMetaSandbox();
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: sandbox.appSecret,
      RATE_LIMIT_WRITE_PER_MIN: '100000',
      MESSAGING_THROTTLE_PAUSE_MS: '200',
      MESSAGING_RETRY_BASE_MS: '50',
      MESSAGING_SWEEP_GRACE_MS: '300',
      MESSAGING_DISPATCH_MAX_ATTEMPTS: '30',
    });
    api = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        MessagingHttpModule,
        contextPorts(),
      ],
    });
    prisma = api.app.get(PrismaService);
    s = await createOrgSession(api.app);
    await sandbox.control('PUT', '/status_behaviour', { statuses: [] });
  }, 60_000);
  // A test that timed out must not leave its workers running into the next one.
  let workersBefore = 0;
  beforeEach(() => {
    workersBefore = workers.length;
  });
  afterEach(async () => {
    for (const w of workers.splice(workersBefore)) await w.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const w of [...workers]) await w.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
  });

  /** A number connected at the sandbox (code → token, registered) and in Kirim with that token. */
  const connectNumber = async (o: { throughputLevel?: 'STANDARD' | 'HIGH' } = {}) => {
    const a = { ...(await connectSandboxNumber(api.app, s, sandbox, env.config.META_GRAPH_VERSION, o)), teamId: s.teamId };
    await seedTemplate(api.app, a); // `order_update`, approved: what templateBody sends
    return a;
  };
  const send = (phoneNumberId: string, body: unknown, key?: string) => {
    const req = api.http.post(`/v1/${phoneNumberId}/messages`).set(s.auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };
  /** Sends through the application service directly (the HTTP layer is send.int-spec's), many at once. */
  const sendMany = async (a: SeededAccount, waIds: string[]): Promise<string[]> => {
    const service = api.app.get(MessagesService);
    const ids: string[] = [];
    for (let i = 0; i < waIds.length; i += 25) {
      const chunk = waIds.slice(i, i + 25);
      ids.push(
        ...(await Promise.all(
          chunk.map(async (w) => (await service.send(organizationScope(s.organizationId), a.phoneNumberId, templateBody(w))).id),
        )),
      );
    }
    return ids;
  };
  const sandboxMessages = async (phoneNumberId: string): Promise<SandboxMessage[]> =>
    (await sandbox.control<{ data: SandboxMessage[] }>('GET', `/messages?phone_number_id=${phoneNumberId}&direction=outbound`)).data;
  const metaCalls = async (phoneNumberId: string) =>
    (await sandbox.requests({ path_contains: `/${phoneNumberId}/messages`, method: 'POST', limit: 5000 })).filter((r) =>
      r.path.endsWith('/messages'),
    );
  const settled = (ids: string[], timeoutMs = 30_000) =>
    waitFor(
      `${ids.length} messages to leave pending`,
      async () => {
        const rows = await prisma.message.findMany({ where: { id: { in: ids } } });
        return rows.length === ids.length && rows.every((r) => r.status !== 'pending') ? rows : undefined;
      },
      timeoutMs,
    );

  describe('with one worker', () => {
    let worker: INestApplicationContext;
    beforeAll(async () => {
      worker = await bootWorker();
    });
    afterAll(async () => {
      await stopWorker(worker);
    });

    it('every type goes to Meta in its shape; Meta 200 → sent with the wamid, sent_at and message.sent', async () => {
      const a = await connectNumber();
      const waId = freshWaId();
      const parties = await seedContact(api.app, a, waId, new Date());
      const wamid = `wamid.${newId('msg')}`;
      await seedInbound(api.app, a, parties, wamid);
      const bodies = bodiesOfEveryType(waId, wamid);
      const ids: string[] = [];
      for (const body of Object.values(bodies)) {
        const res = await send(a.phoneNumberId, { ...body, context: body['type'] === 'text' ? { message_id: wamid } : undefined });
        expect(res.status).toBe(202);
        ids.push(res.body.data.id as string);
      }
      const rows = await settled(ids);
      const received = await sandboxMessages(a.phoneNumberId);
      expect(received).toHaveLength(ids.length);
      for (const row of rows) {
        expect(row).toMatchObject({ status: 'sent', attempts: 1 });
        const meta = received.find((m) => m.wamid === row.wamid);
        expect({ id: row.id, found: meta !== undefined }).toEqual({ id: row.id, found: true });
        const type = row.type;
        expect(meta?.body).toMatchObject({ messaging_product: 'whatsapp', recipient_type: 'individual', to: `+${waId}`, type });
        expect(meta?.body[type]).toEqual((row.content as Record<string, unknown>)[type]);
        expect(meta?.body['metadata']).toBeUndefined();
        if (type === 'text') expect(meta?.body['context']).toEqual({ message_id: wamid });
      }
      const first = rows.find((r) => r.type === 'text');
      const event = await prisma.event.findFirst({ where: { type: 'message.sent', data: { path: ['message', 'id'], equals: first?.id } } });
      expect(event?.data).toMatchObject({
        message: { id: first?.id, status: 'sent', wamid: first?.wamid, sent_at: first?.sentAt?.toISOString() },
      });
      const res = await api.http.get(`/v1/${a.phoneNumberId}/messages/${first?.id}`).set(s.auth);
      expect(res.body.data).toMatchObject({ status: 'sent', wamid: first?.wamid });
    });

    it('an idempotent replay: one message, one Meta call', async () => {
      const a = await connectNumber();
      const waId = freshWaId();
      const first = await send(a.phoneNumberId, templateBody(waId), 'dispatch-once');
      const replay = await send(a.phoneNumberId, templateBody(waId), 'dispatch-once');
      expect(replay.body.data.id).toBe(first.body.data.id);
      await settled([first.body.data.id]);
      await sleep(300);
      expect(await prisma.message.count({ where: { accountId: a.id } })).toBe(1);
      expect(await metaCalls(a.phoneNumberId)).toHaveLength(1);
    });

    it('throttling answers (130429, 131056, 80007, 4) are retried and the message is sent; nothing fails', async () => {
      const a = await connectNumber();
      for (const code of [130429, 131056, 80007, 4]) {
        await sandbox.setFault({ endpoint: 'messages', method: 'POST', target_id: a.phoneNumberId, error_code: code, times: 1 });
      }
      const [id] = await sendMany(a, [freshWaId()]);
      const [row] = await settled([id as string]);
      expect(row).toMatchObject({ status: 'sent', attempts: 5, error: null });
      expect(await metaCalls(a.phoneNumberId)).toHaveLength(5);
    });

    it('5xx and timeouts are retried with backoff, then sent', async () => {
      const a = await connectNumber();
      await sandbox.setFault({
        endpoint: 'messages',
        method: 'POST',
        target_id: a.phoneNumberId,
        error_code: 131000,
        http_status: 500,
        times: 1,
      });
      await sandbox.setFault({ endpoint: 'messages', method: 'POST', target_id: a.phoneNumberId, http_status: 503, times: 1 });
      const [id] = await sendMany(a, [freshWaId()]);
      const [row] = await settled([id as string]);
      expect(row).toMatchObject({ status: 'sent', attempts: 3 });
    });

    it('a connection closed without an answer (network) and a call past the timeout are retried, then sent', async () => {
      const client = worker.get(MetaMessagesClient);
      const timeoutMs = client.timeoutMs;
      client.timeoutMs = 300;
      try {
        const a = await connectNumber();
        const fault = { endpoint: 'messages', method: 'POST', target_id: a.phoneNumberId, times: 1, drop_connection: true };
        await sandbox.setFault(fault as SandboxFault);
        await sandbox.setFault({ ...fault, latency_ms: 1500 } as SandboxFault);
        const [id] = await sendMany(a, [freshWaId()]);
        const [row] = await settled([id as string]);
        expect(row).toMatchObject({ status: 'sent', attempts: 3, error: null });
        expect(await sandboxMessages(a.phoneNumberId)).toHaveLength(1);
      } finally {
        client.timeoutMs = timeoutMs;
      }
    });

    it.each([
      [131026, 'recipient_not_on_whatsapp'],
      [131047, 'outside_customer_service_window'],
      [132015, 'template_paused'],
      [132001, 'template_parameter_format_mismatch'],
      [131050, 'recipient_blocked'],
      [131048, 'spam_rate_limited'],
      [100, 'meta_error'],
    ])('Meta %i → failed with error.code %s and message.failed, no retry', async (code, kirimCode) => {
      const a = await connectNumber();
      await sandbox.setFault({
        endpoint: 'messages',
        method: 'POST',
        target_id: a.phoneNumberId,
        error_code: code,
        message: 'Refused',
        times: 1,
      });
      const [id] = await sendMany(a, [freshWaId()]);
      const [row] = await settled([id as string]);
      expect(row).toMatchObject({ status: 'failed', wamid: null, attempts: 1 });
      expect(row?.error).toMatchObject({ code: kirimCode, meta_code: code, message: expect.any(String) });
      expect(row?.failedAt).toBeInstanceOf(Date);
      const event = await prisma.event.findFirst({ where: { type: 'message.failed', data: { path: ['message', 'id'], equals: id } } });
      expect(event?.data).toMatchObject({ message: { id, status: 'failed', error: { code: kirimCode, meta_code: code } } });
      expect(await metaCalls(a.phoneNumberId)).toHaveLength(1);
    });

    it('190 → failed account_not_connected, the account disconnected with account.updated and account.disconnected; further sends refused', async () => {
      const a = await connectNumber();
      await sandbox.setFault({
        endpoint: 'messages',
        method: 'POST',
        target_id: a.phoneNumberId,
        error_code: 190,
        http_status: 401,
        times: 1,
      });
      const [id] = await sendMany(a, [freshWaId()]);
      const [row] = await settled([id as string]);
      expect(row?.error).toMatchObject({ code: 'account_not_connected', meta_code: 190 });
      const account = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: a.id } });
      expect(account.status).toBe('disconnected');
      const events = await prisma.event.findMany({
        where: { orgId: s.organizationId, type: { startsWith: 'account.' }, data: { path: ['account', 'id'], equals: a.id } },
        orderBy: { id: 'asc' },
      });
      expect(events.map((e) => [e.type, e.previousAttributes])).toEqual([
        ['account.updated', { status: 'approved' }],
        ['account.disconnected', null],
      ]);
      expect(events[1]?.data).toMatchObject({ account: { id: a.id, status: 'disconnected' } });
      const refused = await send(a.phoneNumberId, templateBody(freshWaId()));
      expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 422, code: 'account_not_connected' });
    });

    it('a 130429 storm delays but loses nothing: every message sent once', async () => {
      const a = await connectNumber();
      await sandbox.setFault({ endpoint: 'messages', method: 'POST', target_id: a.phoneNumberId, error_code: 130429, times: 40 });
      const waIds = Array.from({ length: 30 }, () => freshWaId());
      const ids = await sendMany(a, waIds);
      const rows = await settled(ids, 60_000);
      expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
      const received = await sandboxMessages(a.phoneNumberId);
      expect(received.map((m) => m.wa_id).sort()).toEqual([...waIds].sort());
      expect(await metaCalls(a.phoneNumberId)).toHaveLength(70);
    }, 90_000);
  });

  describe('pacing and fairness', () => {
    it('500 messages on a number capped at 80/s by the sandbox, two worker processes: never above 80 in any 1 s window, all arrive, both worked', async () => {
      // The 500 are queued first (no worker runs yet), so the workers meet the whole backlog at once.
      const a = await connectNumber();
      await sandbox.control('PUT', `/phone_numbers/${a.phoneNumberId}/throughput`, { enabled: true, mps: 80 });
      const waIds = Array.from({ length: 500 }, () => freshWaId());
      const ids = await sendMany(a, waIds);
      const w1 = await bootWorker();
      const w2 = await bootWorker();
      const calls = [w1, w2].map((w) => jest.spyOn(w.get(MetaMessagesClient), 'send'));
      try {
        const rows = await settled(ids, 60_000);
        expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
        const requests = await metaCalls(a.phoneNumberId);
        const refused = requests.filter((r) => r.status !== 200);
        expect({ refused: refused.length, peak: maxPerSecond(requests.map((r) => Date.parse(r.time))) }).toEqual({
          refused: 0,
          peak: expect.any(Number),
        });
        expect(maxPerSecond(requests.map((r) => Date.parse(r.time)))).toBeLessThanOrEqual(80);
        const received = await sandboxMessages(a.phoneNumberId);
        expect(new Set(received.map((m) => m.wa_id)).size).toBe(500);
        expect(received).toHaveLength(500);
        expect(calls.map((c) => c.mock.calls.length > 50)).toEqual([true, true]);
      } finally {
        for (const c of calls) c.mockRestore();
        await stopWorker(w1);
        await stopWorker(w2);
      }
    }, 240_000);

    it("a cold number's message is not delayed behind a hot number's backlog (≤ 100 ms more than without it)", async () => {
      const hot = await connectNumber();
      const cold = await connectNumber();
      const queue = api.app.get<Queue>(getQueueToken('messaging-dispatch'));
      const latency = async () => {
        const waId = freshWaId();
        const [id] = await sendMany(cold, [waId]);
        const [row] = await settled([id as string]);
        const meta = (await sandboxMessages(cold.phoneNumberId)).find((m) => m.wa_id === waId);
        return Date.parse(meta?.received_at ?? '') - (row?.createdAt.getTime() ?? 0);
      };
      let worker = await bootWorker();
      const quiet: number[] = [];
      for (let i = 0; i < 3; i++) quiet.push(await latency());
      await stopWorker(worker);
      // A backlog of 700 on the hot number (about 9 s of its cap, so it outlasts the measurements on a loaded
      // machine), queued at once.
      await sendMany(
        hot,
        Array.from({ length: 700 }, () => freshWaId()),
      );
      worker = await bootWorker();
      try {
        // The worker moves the hot jobs to delayed (each holds its slot), so nothing of them waits in front.
        await waitFor('the hot backlog to be parked', async () => (await queue.getJobCountByTypes('wait', 'prioritized')) === 0);
        const busy: number[] = [];
        for (let i = 0; i < 3; i++) busy.push(await latency());
        const pending = await prisma.message.count({ where: { accountId: hot.id, status: 'pending' } });
        expect(pending).toBeGreaterThan(100); // the hot backlog is still there while the cold messages went out
        expect(Math.min(...busy)).toBeLessThanOrEqual(Math.min(...quiet) + 100);
      } finally {
        await stopWorker(worker);
      }
    }, 60_000);
  });

  it('the jobs lost from Redis with 100 messages pending: the sweep re-queues them and each is sent exactly once', async () => {
    const a = await connectNumber();
    const waIds = Array.from({ length: 100 }, () => freshWaId());
    const ids = await sendMany(a, waIds); // no worker runs: the jobs wait in Redis
    const queue = api.app.get<Queue>(getQueueToken('messaging-dispatch'));
    expect(await queue.getJobCountByTypes('wait', 'delayed', 'prioritized')).toBeGreaterThanOrEqual(100);
    // "Redis flushed": every BullMQ key of this test's prefix goes (FLUSHDB would hit other test files).
    const redis = new Redis(env.config.REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.config.REDIS_PREFIX}bull:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    expect(await queue.getJobCountByTypes('wait', 'delayed', 'prioritized', 'active')).toBe(0);
    const worker = await bootWorker(); // registers the sweep's schedule again; the sweep runs every 5 s
    try {
      const rows = await settled(ids, 30_000);
      expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
      await sleep(6_000); // one more sweep: nothing is sent twice
      const received = await sandboxMessages(a.phoneNumberId);
      expect(received.map((m) => m.wa_id).sort()).toEqual([...waIds].sort());
      expect(await metaCalls(a.phoneNumberId)).toHaveLength(100);
      expect(
        await prisma.event.count({
          where: { orgId: s.organizationId, type: 'message.sent', data: { path: ['message', 'account_id'], equals: a.id } },
        }),
      ).toBe(100);
    } finally {
      await stopWorker(worker);
    }
  }, 60_000);
});
