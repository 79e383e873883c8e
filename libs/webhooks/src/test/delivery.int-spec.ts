import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Webhook } from 'standardwebhooks';
import { IdentityHttpModule } from '@kirim/identity';
import { type AppConfig, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WebhooksHttpModule } from '../webhooks-http.module';
import { WebhooksJobsModule } from '../webhooks-jobs.module';
import { type Received, TestReceiver } from './receiver';

/** The compressed schedule of these tests: 8 attempts, delays of 200 ms … 1.6 s (±20 %). */
const SCHEDULE = '200ms,400ms,800ms,1600ms,1600ms,1600ms,1600ms';

describe('webhook delivery: relay, signing, retries, disable, pause, target safety', () => {
  let env: TestEnv;
  let api: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  let receiver: TestReceiver;
  const workers: INestApplicationContext[] = [];

  const bootWorker = async (config: AppConfig = env.config): Promise<INestApplicationContext> => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(config), WebhooksJobsModule, contextPorts()],
    }).compile();
    moduleRef.useLogger(false);
    const app = await moduleRef.init();
    workers.push(app);
    return app;
  };

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    env = await createTestEnv({
      RATE_LIMIT_WRITE_PER_MIN: '100000',
      WEBHOOK_RETRY_SCHEDULE: SCHEDULE,
      WEBHOOK_TIMEOUT_MS: '1000',
      WEBHOOK_POLL_MS: '20',
    });
    api = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WebhooksHttpModule,
        contextPorts(),
      ],
    });
    prisma = api.app.get(PrismaService);
    s = await createOrgSession(api.app);
    await bootWorker();
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await api?.close();
    await env?.close();
    await receiver?.close();
  });

  let n = 0;
  /** A subscription of the session's organization to `path` on the receiver. */
  async function subscribe(path: string, body: Record<string, unknown> = {}, session = s): Promise<{ id: string; secret: string }> {
    const res = await api.http
      .post('/v1/webhook_subscriptions')
      .set(session.auth)
      .send({ url: receiver.url(path), events: ['customer.*'], ...body });
    expect(res.status).toBe(201);
    return { id: res.body.data.id as string, secret: res.body.data.secret as string };
  }
  /** Creates a customer (its `customer.created` event); answers the customer id. */
  async function customer(session = s): Promise<string> {
    const res = await api.http
      .post('/v1/customers')
      .set(session.auth)
      .send({ name: `Customer ${++n}` });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }
  const eventIdOf = (r: Received) => r.headers['webhook-id'] as string;
  const verify = (secret: string, r: Received) =>
    new Webhook(secret).verify(r.body, {
      'webhook-id': r.headers['webhook-id'] as string,
      'webhook-timestamp': r.headers['webhook-timestamp'] as string,
      'webhook-signature': r.headers['webhook-signature'] as string,
    });
  const deliveriesOf = (subscriptionId: string) =>
    prisma.webhookDelivery.findMany({ where: { subscriptionId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  async function waitDelivery(subscriptionId: string, status: string, count = 1): Promise<void> {
    const until = Date.now() + 15_000;
    for (;;) {
      const rows = await deliveriesOf(subscriptionId);
      if (rows.filter((d) => d.status === status).length >= count) return;
      if (Date.now() > until)
        throw new Error(`no ${count} ${status} deliveries of ${subscriptionId}: ${JSON.stringify(rows.map((r) => r.status))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('delivers a committed event once, body byte-identical to GET /v1/events/{id}, with Standard Webhooks headers that verify', async () => {
    const sub = await subscribe('/basic');
    const cus = await customer();
    await receiver.waitFor(() => receiver.at('/basic').length === 1, 10_000, 'the delivery');
    const got = receiver.at('/basic')[0] as Received;
    const event = await api.http.get(`/v1/events/${eventIdOf(got)}`).set(s.auth);
    expect(event.status).toBe(200);
    expect(got.body).toBe(JSON.stringify(event.body.data));
    expect(event.body.data).toMatchObject({ type: 'customer.created', customer_id: cus });
    expect(got.headers['webhook-id']).toMatch(/^evt_/);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['user-agent']).toBe('Kirim-Webhooks/1');
    expect(got.headers['kirim-event-type']).toBe('customer.created');
    expect(got.headers['kirim-attempt']).toBe('1');
    expect(got.headers['kirim-delivery-id']).toMatch(/^wbd_/);
    expect(Math.abs(Number(got.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
    expect(got.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(verify(sub.secret, got)).toEqual(JSON.parse(got.body));
    expect(() => verify(`whsec_${Buffer.alloc(24, 1).toString('base64')}`, got)).toThrow();
    expect(() => verify(sub.secret, { ...got, body: got.body.replace('customer.created', 'customer.updated') })).toThrow();

    await waitDelivery(sub.id, 'succeeded');
    const [row] = await deliveriesOf(sub.id);
    const delivery = await api.http.get(`/v1/webhook_deliveries/${row?.id}`).set(s.auth);
    expect(delivery.body.data).toMatchObject({
      object: 'webhook_delivery',
      subscription_id: sub.id,
      event_id: eventIdOf(got),
      event_type: 'customer.created',
      status: 'succeeded',
      next_attempt_at: null,
      replayed_from: null,
      attempts: [{ number: 1, response_status: 200, error: null, duration_ms: expect.any(Number), at: expect.any(String) }],
    });
    expect(got.headers['kirim-delivery-id']).toBe(row?.id);
    // Nothing more comes: the event was relayed once.
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/basic')).toHaveLength(1);
  });

  it('signs with both secrets during a rotation; after the old one expires, only the new one verifies', async () => {
    const sub = await subscribe('/rotate');
    const rotated = await api.http.post(`/v1/webhook_subscriptions/${sub.id}/secrets`).set(s.auth).send({ expire_current_in_hours: 24 });
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.data.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(sub.secret);
    expect(rotated.body.data.secrets).toHaveLength(2);
    await customer();
    await receiver.waitFor(() => receiver.at('/rotate').length === 1, 10_000, 'the delivery');
    const during = receiver.at('/rotate')[0] as Received;
    expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(() => verify(sub.secret, during)).not.toThrow();
    expect(() => verify(fresh, during)).not.toThrow();

    // The old secret's expiry passes (moved into the past rather than waiting a day).
    await prisma.webhookSecret.updateMany({
      where: { subscriptionId: sub.id, expiresAt: { not: null } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await new Promise((r) => setTimeout(r, 1100)); // the deliverer re-reads secrets within a second
    await customer();
    await receiver.waitFor(() => receiver.at('/rotate').length === 2, 10_000, 'the second delivery');
    const after = receiver.at('/rotate')[1] as Received;
    expect((after.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(() => verify(fresh, after)).not.toThrow();
    expect(() => verify(sub.secret, after)).toThrow();
    const read = await api.http.get(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth);
    expect(read.body.data.secrets).toHaveLength(1);
  });

  it('a receiver failing 3 times then answering 2xx gets 4 attempts at the schedule’s spacing, one webhook-id', async () => {
    receiver.on('/flaky', (i) => ({ status: i < 3 ? 503 : 204 }));
    const sub = await subscribe('/flaky');
    await customer();
    await waitDelivery(sub.id, 'succeeded');
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(4);
    expect(new Set(got.map(eventIdOf)).size).toBe(1);
    expect(got.map((r) => r.headers['kirim-attempt'])).toEqual(['1', '2', '3', '4']);
    const gaps = got.slice(1).map((r, i) => r.at - (got[i] as Received).at);
    [200, 400, 800].forEach((delay, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(delay * 0.8 - 5);
      expect(gaps[i]).toBeLessThan(delay * 1.2 + 700);
    });
    const [row] = await deliveriesOf(sub.id);
    const attempts = row?.attempts as { number: number; response_status: number; error: { code: string } | null }[];
    expect(attempts.map((a) => [a.number, a.response_status, a.error?.code ?? null])).toEqual([
      [1, 503, 'http_status'],
      [2, 503, 'http_status'],
      [3, 503, 'http_status'],
      [4, 204, null],
    ]);
  });

  it.each([400, 404, 401])('%i from the receiver → failed at once (one attempt)', async (status) => {
    receiver.on(`/refuse-${status}`, () => ({ status }));
    const sub = await subscribe(`/refuse-${status}`);
    await customer();
    await waitDelivery(sub.id, 'failed');
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.at(`/refuse-${status}`)).toHaveLength(1);
    const subscription = await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: sub.id } });
    expect(subscription).toMatchObject({ status: 'active', consecutiveFailures: 1 });
  });

  it('410 → the delivery fails and the subscription is disabled, with webhook_subscription.disabled', async () => {
    receiver.on('/gone', () => ({ status: 410 }));
    const sub = await subscribe('/gone');
    await customer();
    await waitDelivery(sub.id, 'failed');
    const read = await api.http.get(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth);
    expect(read.body.data).toMatchObject({ status: 'disabled', disabled_reason: 'endpoint_gone' });
    const events = await api.http.get('/v1/events?type=webhook_subscription.disabled').set(s.auth);
    const mine = (events.body.data as { data: { webhook_subscription: { id: string } }; customer_id: string | null }[]).filter(
      (e) => e.data.webhook_subscription.id === sub.id,
    );
    expect(mine).toHaveLength(1);
    expect(mine[0]?.customer_id).toBeNull();
    // Disabled: new events make no deliveries for it.
    await customer();
    await new Promise((r) => setTimeout(r, 400));
    expect(await deliveriesOf(sub.id)).toHaveLength(1);
    // Re-enabled: active, failure count reset.
    const resumed = await api.http.patch(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth).send({ status: 'active' });
    expect(resumed.body.data).toMatchObject({ status: 'active', disabled_reason: null });
    expect(await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: sub.id } })).toMatchObject({
      consecutiveFailures: 0,
      failingSince: null,
    });
  });

  it('429 with Retry-After is honoured (instead of the 200 ms step of the schedule)', async () => {
    receiver.on('/throttled', (i) => (i === 0 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }));
    const sub = await subscribe('/throttled');
    await customer();
    await waitDelivery(sub.id, 'succeeded');
    const [first, second] = receiver.at('/throttled') as [Received, Received];
    expect(second.at - first.at).toBeGreaterThanOrEqual(1900);
  });

  it('3xx is retried, never followed; the 8th failed attempt ends the delivery failed', async () => {
    receiver.on('/moved', () => ({ status: 302, headers: { location: receiver.url('/elsewhere') } }));
    const sub = await subscribe('/moved');
    await customer();
    await waitDelivery(sub.id, 'failed');
    expect(receiver.at('/moved')).toHaveLength(8);
    expect(receiver.at('/elsewhere')).toHaveLength(0);
    const [row] = await deliveriesOf(sub.id);
    expect(row).toMatchObject({ attemptCount: 8, nextAttemptAt: null });
  }, 30_000);

  it('24 consecutive failed deliveries spanning 24 h disable the subscription (consecutive_failures)', async () => {
    receiver.on('/failing', () => ({ status: 400 }));
    const sub = await subscribe('/failing');
    // 23 failures already, the first 25 hours ago.
    await prisma.webhookSubscription.update({
      where: { id: sub.id },
      data: { consecutiveFailures: 23, failingSince: new Date(Date.now() - 25 * 3600_000) },
    });
    await customer();
    await waitDelivery(sub.id, 'failed');
    const read = await api.http.get(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth);
    expect(read.body.data).toMatchObject({ status: 'disabled', disabled_reason: 'consecutive_failures' });

    // 24 failures within less than 24 h do not.
    const young = await subscribe('/failing');
    await prisma.webhookSubscription.update({
      where: { id: young.id },
      data: { consecutiveFailures: 30, failingSince: new Date(Date.now() - 3600_000) },
    });
    await customer();
    await waitDelivery(young.id, 'failed');
    expect((await api.http.get(`/v1/webhook_subscriptions/${young.id}`).set(s.auth)).body.data.status).toBe('active');
    // A success ends the run.
    receiver.on('/failing', () => ({ status: 200 }));
    await customer();
    await waitDelivery(young.id, 'succeeded');
    expect(await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: young.id } })).toMatchObject({
      consecutiveFailures: 0,
      failingSince: null,
    });
  });

  it('a paused subscription accumulates its deliveries and sends them when resumed', async () => {
    const sub = await subscribe('/paused');
    expect((await api.http.patch(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth).send({ status: 'paused' })).body.data.status).toBe(
      'paused',
    );
    await customer();
    await customer();
    const until = Date.now() + 5000;
    while ((await deliveriesOf(sub.id)).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/paused')).toHaveLength(0);
    expect((await deliveriesOf(sub.id)).map((d) => d.status)).toEqual(['pending', 'pending']);
    await api.http.patch(`/v1/webhook_subscriptions/${sub.id}`).set(s.auth).send({ status: 'active' });
    await receiver.waitFor(() => receiver.at('/paused').length === 2, 10_000, 'the held deliveries');
  });

  it('a customer filter: only that customer’s events; patterns select types', async () => {
    const mine = await customer();
    const sub = await subscribe('/filtered', { customer_id: mine, events: ['customer.updated'] });
    await customer(); // another customer's customer.created
    await api.http.patch(`/v1/customers/${mine}`).set(s.auth).send({ name: 'Renamed' }).expect(200);
    await receiver.waitFor(() => receiver.at('/filtered').length === 1, 10_000, 'the filtered delivery');
    await new Promise((r) => setTimeout(r, 300));
    const [got] = receiver.at('/filtered') as [Received];
    expect(JSON.parse(got.body)).toMatchObject({ type: 'customer.updated', customer_id: mine });
    expect(await deliveriesOf(sub.id)).toHaveLength(1);
  });

  it('a hanging endpoint does not delay another subscription’s deliveries', async () => {
    receiver.on('/hang', () => 'hang');
    const hanging = await subscribe('/hang');
    const fast = await subscribe('/fast');
    const started = Date.now();
    for (let i = 0; i < 30; i++) await customer();
    await receiver.waitFor(() => receiver.at('/fast').length === 30, 10_000, 'the fast endpoint’s deliveries');
    // Every event reached the fast endpoint while the hanging one held (and timed out) its own slots.
    const fastDone = Math.max(...receiver.at('/fast').map((r) => r.at)) - started;
    expect(receiver.at('/hang').length).toBeGreaterThan(0);
    const hangingRows = await deliveriesOf(hanging.id);
    expect(hangingRows.filter((d) => d.status === 'succeeded')).toHaveLength(0);
    expect(fastDone).toBeLessThan(8000);
    expect((await deliveriesOf(fast.id)).length).toBe(30);
    await api.http.delete(`/v1/webhook_subscriptions/${hanging.id}`).set(s.auth).expect(200);
  }, 30_000);

  it('a worker that shuts down finishes the attempts in flight and records them before it exits', async () => {
    const only = workers.splice(0, workers.length);
    for (const w of only) await w.close();
    const worker = await bootWorker();
    receiver.on('/slow', () => 'hang');
    const sub = await subscribe('/slow');
    await customer();
    await receiver.waitFor(() => receiver.at('/slow').length === 1, 10_000, 'the attempt');
    // The endpoint holds the request; closing the worker waits for the attempt (it times out after 1 s) and its record.
    workers.splice(workers.indexOf(worker), 1);
    await worker.close();
    const [row] = await deliveriesOf(sub.id);
    expect(row).toMatchObject({ status: 'pending', attemptCount: 1 });
    expect((row?.attempts as { error: { code: string } | null }[])[0]?.error?.code).toBe('timeout');
    receiver.on('/slow', () => ({ status: 200 }));
    await bootWorker();
    await waitDelivery(sub.id, 'succeeded');
  });

  it('refuses targets resolving to loopback, private or metadata addresses at delivery (DNS rebinding) unless allowed', async () => {
    const strictEnv = env.configWith({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_RETRY_SCHEDULE: '5s', WEBHOOK_POLL_MS: '20' });
    const strict = await bootWorker(strictEnv);
    // The subscriptions were created while their hosts were allowed (the api of this test allows private targets); the
    // worker that delivers does not: each delivery is refused before anything reaches the endpoint.
    const byIp = await subscribe('/private-ip');
    const byName = (
      await api.http
        .post('/v1/webhook_subscriptions')
        .set(s.auth)
        .send({ url: receiver.url('/private-name', 'localhost'), events: ['customer.*'] })
    ).body.data.id as string;
    // Only the strict worker delivers now.
    const lenient = workers[0] as INestApplicationContext;
    workers.splice(0, 1);
    await lenient.close();
    try {
      await customer();
      const until = Date.now() + 10_000;
      const attempted = async (id: string) => ((await deliveriesOf(id))[0]?.attemptCount ?? 0) > 0;
      while (!((await attempted(byIp.id)) && (await attempted(byName))) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      for (const id of [byIp.id, byName]) {
        const [row] = await deliveriesOf(id);
        expect(row?.status).toBe('pending'); // retried later: DNS may change back
        expect((row?.attempts as { error: { code: string } }[])[0]?.error.code).toBe('target_forbidden');
      }
      expect(receiver.at('/private-ip')).toHaveLength(0);
      expect(receiver.at('/private-name')).toHaveLength(0);
    } finally {
      await strict.close();
      workers.splice(workers.indexOf(strict), 1);
      await bootWorker();
    }
  });
});
