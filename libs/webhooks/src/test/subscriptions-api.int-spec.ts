import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { isId, newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { Webhook } from 'standardwebhooks';
import { WebhooksHttpModule } from '../webhooks-http.module';
import { TestReceiver } from './receiver';

type ErrorBody = { error?: { code?: string; param?: string; type?: string; message?: string } };
const errorOf = (res: { status: number; body: ErrorBody }) => ({
  status: res.status,
  code: res.body.error?.code,
  param: res.body.error?.param,
});

describe('webhook subscriptions and deliveries API', () => {
  let env: TestEnv;
  let t: TestApp;
  let strict: TestApp;
  let prisma: PrismaService;
  let a: OrgSession;
  let b: OrgSession;
  let receiver: TestReceiver;
  let restricted: { Authorization: string };
  let cusA: string;

  const modules = (config: TestEnv['config']) => ({
    module: class Root {},
    imports: [
      PlatformModule.forRoot(config),
      PlatformHttpModule,
      IdentityHttpModule,
      TenancyHttpModule,
      WebhooksHttpModule,
      contextPorts(),
    ],
  });

  beforeAll(async () => {
    receiver = await new TestReceiver().start();
    env = await createTestEnv({ RATE_LIMIT_WRITE_PER_MIN: '100000', WEBHOOK_TIMEOUT_MS: '1000' });
    t = await createTestApp(modules(env.config));
    // The production defaults: https only, public hosts only.
    strict = await createTestApp(modules(env.configWith({ WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' })));
    prisma = t.app.get(PrismaService);
    a = await createOrgSession(t.app);
    b = await createOrgSession(t.app);
    cusA = (await t.http.post('/v1/customers').set(a.auth).send({ name: 'A1' })).body.data.id as string;
    restricted = {
      Authorization: `Bearer ${(await t.app.get(ApiKeysService).create(a.organizationId, { customerId: cusA, label: 'r' })).secret}`,
    };
  }, 60_000);
  afterAll(async () => {
    await strict?.close();
    await t?.close();
    await env?.close();
    await receiver?.close();
  });

  const create = (body: Record<string, unknown>, session = a, app = t) =>
    app.http.post('/v1/webhook_subscriptions').set(session.auth).send(body);
  const valid = () => ({ url: receiver.url('/hook'), events: ['customer.*', 'message.received'] });

  it('creates a subscription: 201, the spec shape, the secret shown once (whsec_ + 24 random bytes), sealed at rest', async () => {
    const res = await create({ ...valid(), description: 'CRM', customer_id: cusA });
    expect(res.status).toBe(201);
    const d = res.body.data;
    expect(isId('wbs', d.id)).toBe(true);
    expect(d).toMatchObject({
      object: 'webhook_subscription',
      url: receiver.url('/hook'),
      description: 'CRM',
      events: ['customer.*', 'message.received'],
      customer_id: cusA,
      status: 'active',
      disabled_reason: null,
    });
    expect(Buffer.from((d.secret as string).replace(/^whsec_/, ''), 'base64')).toHaveLength(24);
    expect(d.secrets).toEqual([{ id: expect.stringMatching(/^sec_/), created_at: d.created_at, expires_at: null }]);
    const read = await t.http.get(`/v1/webhook_subscriptions/${d.id}`).set(a.auth);
    expect(read.status).toBe(200);
    expect(read.body.data.secret).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain((d.secret as string).slice(6));
    const stored = await prisma.webhookSecret.findFirstOrThrow({ where: { subscriptionId: d.id } });
    expect(stored.sealed).not.toContain((d.secret as string).slice(6));
    const { secret: _secret, ...withoutSecret } = d as Record<string, unknown>;
    expect(read.body.data).toEqual(withoutSecret);
  });

  it.each([
    { change: { events: ['customer.deleted'] }, code: 'invalid_field_value', param: 'events[0]' },
    { change: { events: ['message.received', 'nope.*'] }, code: 'invalid_field_value', param: 'events[1]' },
    { change: { events: [] }, code: 'invalid_field_value', param: 'events' },
    { change: { events: 'customer.*' }, code: 'invalid_field_value', param: 'events' },
    { change: { events: undefined }, code: 'missing_required_field', param: 'events' },
    { change: { url: undefined }, code: 'missing_required_field', param: 'url' },
    { change: { url: 'not a url' }, code: 'invalid_webhook_url', param: 'url' },
    { change: { url: 'ftp://example.com/x' }, code: 'invalid_webhook_url', param: 'url' },
    { change: { url: 'https://user:pw@example.com/x' }, code: 'invalid_webhook_url', param: 'url' },
    { change: { url: `https://example.com/${'a'.repeat(2040)}` }, code: 'invalid_webhook_url', param: 'url' },
    { change: { description: 'x'.repeat(501) }, code: 'invalid_field_value', param: 'description' },
    { change: { customer_id: 'cus_123' }, code: 'invalid_field_value', param: 'customer_id' },
    { change: { secret: 'whsec_mine' }, code: 'unknown_field', param: 'secret' },
  ] as const)('bad $param → 400 $code, nothing created', async ({ change, code, param }) => {
    const before = await prisma.webhookSubscription.count();
    const res = await create({ ...valid(), ...change });
    expect(errorOf(res)).toEqual({ status: 400, code, param });
    expect(await prisma.webhookSubscription.count()).toBe(before);
  });

  it('a customer of another organization (or none) → 404, nothing created', async () => {
    const foreign = (await t.http.post('/v1/customers').set(b.auth).send({ name: 'B1' })).body.data.id as string;
    for (const id of [foreign, newId('cus')]) {
      const res = await create({ ...valid(), customer_id: id });
      expect(errorOf(res)).toEqual({ status: 404, code: 'resource_not_found', param: undefined });
    }
  });

  it('with the production defaults: plain http and hosts resolving to loopback / private / link-local / metadata → 400 invalid_webhook_url', async () => {
    for (const url of [
      'http://example.com/hook',
      'https://127.0.0.1/hook',
      'https://10.1.2.3/hook',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/hook',
      'https://localhost/hook',
      'https://192.168.0.10/hook',
    ]) {
      const res = await create({ url, events: ['*'] }, a, strict);
      expect({ url, ...errorOf(res) }).toEqual({ url, status: 400, code: 'invalid_webhook_url', param: 'url' });
    }
    // A public address literal passes the rules (nothing is sent at creation).
    const ok = await create({ url: 'https://93.184.215.14/hook', events: ['*'] }, a, strict);
    expect(ok.status).toBe(201);
    // PATCH applies the same rules.
    const patched = await strict.http.patch(`/v1/webhook_subscriptions/${ok.body.data.id}`).set(a.auth).send({ url: 'https://10.0.0.1/x' });
    expect(errorOf(patched)).toEqual({ status: 400, code: 'invalid_webhook_url', param: 'url' });
  });

  it('a customer-restricted key → 403 customer_scope_forbidden on every subscription and delivery route', async () => {
    const sub = (await create(valid())).body.data.id as string;
    const calls = [
      t.http.get('/v1/webhook_subscriptions'),
      t.http.post('/v1/webhook_subscriptions').send(valid()),
      t.http.get(`/v1/webhook_subscriptions/${sub}`),
      t.http.patch(`/v1/webhook_subscriptions/${sub}`).send({ description: 'x' }),
      t.http.delete(`/v1/webhook_subscriptions/${sub}`),
      t.http.post(`/v1/webhook_subscriptions/${sub}/secrets`).send({}),
      t.http.post(`/v1/webhook_subscriptions/${sub}/test`),
      t.http.get('/v1/webhook_deliveries'),
      t.http.get(`/v1/webhook_deliveries/${newId('wbd')}`),
      t.http.post(`/v1/webhook_deliveries/${newId('wbd')}/replay`),
      t.http.post('/v1/webhook_deliveries/bulk_replay').send({ subscription_id: sub }),
    ];
    for (const call of calls) expect(errorOf(await call.set(restricted))).toMatchObject({ status: 403, code: 'customer_scope_forbidden' });
    expect((await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: sub } })).description).toBeNull();
  });

  it('another organization’s subscription or delivery reads as absent (404) on every route, and stays unchanged', async () => {
    const sub = (await create(valid())).body.data.id as string;
    const test = await t.http.post(`/v1/webhook_subscriptions/${sub}/test`).set(a.auth);
    const wbd = test.body.data.id as string;
    const calls = [
      t.http.get(`/v1/webhook_subscriptions/${sub}`),
      t.http.patch(`/v1/webhook_subscriptions/${sub}`).send({ status: 'paused' }),
      t.http.delete(`/v1/webhook_subscriptions/${sub}`),
      t.http.post(`/v1/webhook_subscriptions/${sub}/secrets`).send({}),
      t.http.post(`/v1/webhook_subscriptions/${sub}/test`),
      t.http.get(`/v1/webhook_deliveries/${wbd}`),
      t.http.post(`/v1/webhook_deliveries/${wbd}/replay`),
      t.http.post('/v1/webhook_deliveries/bulk_replay').send({ subscription_id: sub }),
    ];
    for (const call of calls)
      expect(errorOf(await call.set(b.auth))).toEqual({ status: 404, code: 'resource_not_found', param: undefined });
    expect((await t.http.get('/v1/webhook_subscriptions').set(b.auth)).body.data).toEqual([]);
    expect((await t.http.get('/v1/webhook_deliveries').set(b.auth)).body.data).toEqual([]);
    expect(await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: sub } })).toMatchObject({ status: 'active' });
    expect(await prisma.webhookDelivery.count({ where: { subscriptionId: sub } })).toBe(1);
  });

  it('lists newest first with cursors and filters (status, customer_id)', async () => {
    const c = await createOrgSession(t.app);
    const cus = (await t.http.post('/v1/customers').set(c.auth).send({ name: 'C' })).body.data.id as string;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await create({ ...valid(), ...(i % 2 === 0 && { customer_id: cus }) }, c)).body.data.id as string);
    await t.http.patch(`/v1/webhook_subscriptions/${ids[1]}`).set(c.auth).send({ status: 'paused' }).expect(200);
    const first = await t.http.get('/v1/webhook_subscriptions?limit=2').set(c.auth);
    expect(first.body.data.map((s: { id: string }) => s.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.has_more).toBe(true);
    const rest = await t.http
      .get(`/v1/webhook_subscriptions?limit=10&cursor=${encodeURIComponent(first.body.next_cursor as string)}`)
      .set(c.auth);
    expect(rest.body.data.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await t.http.get('/v1/webhook_subscriptions?status=paused').set(c.auth)).body.data.map((s: { id: string }) => s.id)).toEqual([
      ids[1],
    ]);
    expect((await t.http.get(`/v1/webhook_subscriptions?customer_id=${cus}`).set(c.auth)).body.data).toHaveLength(3);
    expect(errorOf(await t.http.get('/v1/webhook_subscriptions?status=gone').set(c.auth))).toMatchObject({ status: 400, param: 'status' });
  });

  it('PATCH: changes fields, a no-op changes nothing, disabled is not settable, re-enabling resets failures', async () => {
    const created = (await create(valid())).body.data;
    const noop = await t.http.patch(`/v1/webhook_subscriptions/${created.id}`).set(a.auth).send({ events: created.events });
    expect(noop.body.data.updated_at).toBe(created.updated_at);
    const changed = await t.http
      .patch(`/v1/webhook_subscriptions/${created.id}`)
      .set(a.auth)
      .send({ url: receiver.url('/other'), events: ['*'], description: 'd', status: 'paused' });
    expect(changed.body.data).toMatchObject({ url: receiver.url('/other'), events: ['*'], description: 'd', status: 'paused' });
    expect(errorOf(await t.http.patch(`/v1/webhook_subscriptions/${created.id}`).set(a.auth).send({ status: 'disabled' }))).toEqual({
      status: 400,
      code: 'invalid_field_value',
      param: 'status',
    });
    expect(
      errorOf(
        await t.http
          .patch(`/v1/webhook_subscriptions/${created.id}`)
          .set(a.auth)
          .send({ events: ['x.y'] }),
      ),
    ).toEqual({
      status: 400,
      code: 'invalid_field_value',
      param: 'events[0]',
    });
    await prisma.webhookSubscription.update({
      where: { id: created.id },
      data: { status: 'disabled', disabledReason: 'consecutive_failures', consecutiveFailures: 24, failingSince: new Date() },
    });
    const enabled = await t.http.patch(`/v1/webhook_subscriptions/${created.id}`).set(a.auth).send({ status: 'active' });
    expect(enabled.body.data).toMatchObject({ status: 'active', disabled_reason: null });
    expect(await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({
      consecutiveFailures: 0,
      failingSince: null,
    });
  });

  it('rotation: 201 with the new secret once; old ones expire in expire_current_in_hours (0–168, default 24)', async () => {
    const created = (await create(valid())).body.data;
    const before = Date.now();
    const rotated = await t.http.post(`/v1/webhook_subscriptions/${created.id}/secrets`).set(a.auth).send({});
    expect(rotated.status).toBe(201);
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    const [old, fresh] = rotated.body.data.secrets as { id: string; expires_at: string | null }[];
    expect(old?.id).toBe(created.secrets[0].id);
    expect(Date.parse(old?.expires_at ?? '') - before).toBeGreaterThanOrEqual(24 * 3600_000 - 1000);
    expect(Date.parse(old?.expires_at ?? '') - before).toBeLessThanOrEqual(24 * 3600_000 + 5000);
    expect(fresh?.expires_at).toBeNull();
    const now = await t.http.post(`/v1/webhook_subscriptions/${created.id}/secrets`).set(a.auth).send({ expire_current_in_hours: 0 });
    expect(now.body.data.secrets).toHaveLength(1);
    for (const bad of [-1, 169, 1.5, '2']) {
      expect(
        errorOf(await t.http.post(`/v1/webhook_subscriptions/${created.id}/secrets`).set(a.auth).send({ expire_current_in_hours: bad })),
      ).toEqual({ status: 400, code: 'invalid_field_value', param: 'expire_current_in_hours' });
    }
  });

  it('test: sends a signed webhook.test now and answers its delivery (201); never in the event log', async () => {
    const created = (await create({ url: receiver.url('/test-hook'), events: ['message.received'] })).body.data;
    const res = await t.http.post(`/v1/webhook_subscriptions/${created.id}/test`).set(a.auth);
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      object: 'webhook_delivery',
      subscription_id: created.id,
      event_type: 'webhook.test',
      status: 'succeeded',
      replayed_from: null,
      attempts: [{ number: 1, response_status: 200, error: null }],
    });
    const [got] = receiver.at('/test-hook');
    expect(got?.headers['kirim-event-type']).toBe('webhook.test');
    const body = new Webhook(created.secret as string).verify(got?.body ?? '', {
      'webhook-id': got?.headers['webhook-id'] as string,
      'webhook-timestamp': got?.headers['webhook-timestamp'] as string,
      'webhook-signature': got?.headers['webhook-signature'] as string,
    }) as { id: string; type: string; data: { webhook_subscription: { id: string } } };
    expect(body).toMatchObject({ object: 'event', type: 'webhook.test', data: { webhook_subscription: { id: created.id } } });
    expect(res.body.data.event_id).toBe(body.id);
    expect(errorOf(await t.http.get(`/v1/events/${body.id}`).set(a.auth))).toMatchObject({ status: 404 });
    // A failing endpoint: one attempt, failed, no retry, not counted against the subscription.
    receiver.on('/test-down', () => ({ status: 500 }));
    await t.http
      .patch(`/v1/webhook_subscriptions/${created.id}`)
      .set(a.auth)
      .send({ url: receiver.url('/test-down') });
    const failed = await t.http.post(`/v1/webhook_subscriptions/${created.id}/test`).set(a.auth);
    expect(failed.body.data).toMatchObject({
      status: 'failed',
      next_attempt_at: null,
      attempts: [{ response_status: 500, error: { code: 'http_status' } }],
    });
    expect(await prisma.webhookSubscription.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ consecutiveFailures: 0 });
  });

  it('deliveries: list with filters, get, replay (201, replayed_from), bulk replay ≤ 1,000 a call with {enqueued, capped}', async () => {
    const c = await createOrgSession(t.app);
    const sub = (await create({ url: receiver.url('/replays'), events: ['*'] }, c)).body.data.id as string;
    const other = (await create({ url: receiver.url('/replays'), events: ['*'] }, c)).body.data.id as string;
    // 1,002 failed deliveries of the subscription and one of another, stored directly (as the deliverer leaves them).
    const base = Date.now() - 3600_000;
    const rows = Array.from({ length: 1002 }, (_, i) => ({
      id: newId('wbd'),
      orgId: c.organizationId,
      subscriptionId: sub,
      eventId: newId('evt'),
      eventType: i % 2 === 0 ? 'customer.created' : 'message.received',
      status: 'failed' as const,
      dedupeKey: newId('wbd'),
      createdAt: new Date(base + i),
    }));
    await prisma.webhookDelivery.createMany({
      data: [
        ...rows,
        {
          id: newId('wbd'),
          orgId: c.organizationId,
          subscriptionId: other,
          eventId: newId('evt'),
          eventType: 'customer.created',
          status: 'failed',
          dedupeKey: newId('wbd'),
        },
      ],
    });
    const list = await t.http
      .get(`/v1/webhook_deliveries?subscription_id=${sub}&status=failed&event_type=message.received&limit=3`)
      .set(c.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((d: { id: string }) => d.id)).toEqual([rows[1001]?.id, rows[999]?.id, rows[997]?.id]);
    const ranged = await t.http
      .get(
        `/v1/webhook_deliveries?subscription_id=${sub}&created_after=${new Date(base + 9).toISOString()}&created_before=${new Date(base + 12).toISOString()}`,
      )
      .set(c.auth);
    expect(ranged.body.data.map((d: { id: string }) => d.id)).toEqual([rows[11]?.id, rows[10]?.id]);
    expect(errorOf(await t.http.get('/v1/webhook_deliveries?status=done').set(c.auth))).toMatchObject({ status: 400, param: 'status' });
    expect(errorOf(await t.http.get('/v1/webhook_deliveries?created_after=yesterday').set(c.auth))).toMatchObject({
      status: 400,
      param: 'created_after',
    });

    // The event of a stored delivery must exist to replay it: one real event of this organization.
    const cus = (await t.http.post('/v1/customers').set(c.auth).send({ name: 'R' })).body.data.id as string;
    const event = (await t.http.get(`/v1/events?customer_id=${cus}`).set(c.auth)).body.data[0] as { id: string };
    const original = rows[0] as (typeof rows)[number];
    await prisma.webhookDelivery.update({ where: { id: original.id }, data: { eventId: event.id } });
    const replay = await t.http.post(`/v1/webhook_deliveries/${original.id}/replay`).set(c.auth);
    expect(replay.status).toBe(201);
    expect(replay.body.data).toMatchObject({
      subscription_id: sub,
      event_id: event.id,
      status: 'pending',
      replayed_from: original.id,
      attempts: [],
    });
    expect(isId('wbd', replay.body.data.id)).toBe(true);
    expect(errorOf(await t.http.post(`/v1/webhook_deliveries/${rows[1]?.id}/replay`).set(c.auth))).toMatchObject({ status: 404 }); // its event is gone

    const bulk1 = await t.http.post('/v1/webhook_deliveries/bulk_replay').set(c.auth).send({ subscription_id: sub });
    expect(bulk1.status).toBe(201);
    expect(bulk1.body.data).toEqual({ enqueued: 1000, capped: true });
    const bulk2 = await t.http.post('/v1/webhook_deliveries/bulk_replay').set(c.auth).send({ subscription_id: sub, status: 'failed' });
    expect(bulk2.body.data).toEqual({ enqueued: 1, capped: false }); // 1,002 failed; one had its own replay; 1,000 replayed by the first call
    const replays = await prisma.webhookDelivery.count({ where: { subscriptionId: sub, replayedFrom: { not: null } } });
    expect(replays).toBe(1002);
    expect(await prisma.webhookDelivery.count({ where: { subscriptionId: other } })).toBe(1);
    const typed = await t.http
      .post('/v1/webhook_deliveries/bulk_replay')
      .set(c.auth)
      .send({ subscription_id: sub, event_type: 'customer.created' });
    expect(typed.body.data).toEqual({ enqueued: 0, capped: false });
    expect(
      errorOf(await t.http.post('/v1/webhook_deliveries/bulk_replay').set(c.auth).send({ subscription_id: sub, status: 'pending' })),
    ).toMatchObject({
      status: 400,
      param: 'status',
    });
    expect(errorOf(await t.http.post('/v1/webhook_deliveries/bulk_replay').set(c.auth).send({}))).toMatchObject({
      status: 400,
      param: 'subscription_id',
    });
  });

  it('DELETE removes the subscription with its secrets and deliveries; answers it as it was', async () => {
    const created = (await create(valid())).body.data;
    await t.http.post(`/v1/webhook_subscriptions/${created.id}/test`).set(a.auth).expect(201);
    const res = await t.http.delete(`/v1/webhook_subscriptions/${created.id}`).set(a.auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: created.id, status: 'active' });
    expect(errorOf(await t.http.get(`/v1/webhook_subscriptions/${created.id}`).set(a.auth))).toMatchObject({ status: 404 });
    expect(await prisma.webhookDelivery.count({ where: { subscriptionId: created.id } })).toBe(0);
    expect(await prisma.webhookSecret.count({ where: { subscriptionId: created.id } })).toBe(0);
  });
});
