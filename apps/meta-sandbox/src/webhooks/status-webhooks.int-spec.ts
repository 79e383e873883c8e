import { APP_SECRET, Sandbox, V } from '../test/harness';
import { expectedSignature, type StatusItem, WebhookReceiver } from '../test/webhook-receiver';

const TO = '6281234567890';
const NO_DELAYS = { delays_ms: { sent: 0, delivered: 0, read: 0 } };

describe('status webhooks after a send', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    sandbox = await Sandbox.start({ META_SANDBOX_WEBHOOK_URL: receiver.url });
  });
  afterAll(async () => {
    await sandbox.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
    receiver.clear();
  });

  const sendText = async (f: Awaited<ReturnType<Sandbox['sendable']>>, extra: Record<string, unknown> = {}) =>
    (await sandbox.send(f, { to: TO, text: { body: 'hi' }, ...extra }).expect(200)).body.messages[0].id as string;
  const ofMessage = (wamid: string) => receiver.statuses().filter((s) => s.id === wamid);

  it('posts sent, delivered and read to META_SANDBOX_WEBHOOK_URL, signed like Meta', async () => {
    const f = await sandbox.sendable();
    const wamid = await sendText(f, { biz_opaque_callback_data: 'order-42' });
    await receiver.waitFor(() => ofMessage(wamid).length === 3);
    expect(ofMessage(wamid).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);

    for (const post of receiver.received) {
      expect(post.headers['content-type']).toBe('application/json');
      expect(post.headers['x-hub-signature-256']).toBe(expectedSignature(post.raw, APP_SECRET));
      expect(post.headers['x-hub-signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
      expect(post.body).toEqual({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: f.waba.id,
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: {
                    display_phone_number: f.phone_number.display_phone_number.replace(/\D/g, ''),
                    phone_number_id: f.phone_number.id,
                  },
                  statuses: [expect.any(Object)],
                },
              },
            ],
          },
        ],
      });
    }
    const [sent, delivered, read] = ofMessage(wamid) as [StatusItem, StatusItem, StatusItem];
    const timestamp = String(Math.floor(sandbox.clock.now() / 1000));
    expect(sent).toEqual({
      id: wamid,
      status: 'sent',
      timestamp,
      recipient_id: TO,
      biz_opaque_callback_data: 'order-42',
      conversation: {
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        expiration_timestamp: String(Number(timestamp) + 86400),
        origin: { type: 'service' },
      },
      pricing: { billable: false, pricing_model: 'PMP', type: 'free_customer_service', category: 'service' },
    });
    expect(delivered).toEqual({
      id: wamid,
      status: 'delivered',
      timestamp,
      recipient_id: TO,
      biz_opaque_callback_data: 'order-42',
      conversation: { id: sent.conversation?.['id'], origin: { type: 'service' } },
      pricing: sent.pricing,
    });
    expect(read).toEqual({
      id: wamid,
      status: 'read',
      timestamp,
      recipient_id: TO,
      biz_opaque_callback_data: 'order-42',
      conversation: delivered.conversation,
    });

    const record = await sandbox.http.get(`/_sandbox/messages/${wamid}`).expect(200);
    expect(record.body.statuses).toEqual([
      expect.objectContaining({ status: 'sent', state: 'posted', duplicate: false, delivery_id: expect.stringMatching(/^whd_/) }),
      expect.objectContaining({ status: 'delivered', state: 'posted' }),
      expect.objectContaining({ status: 'read', state: 'posted' }),
    ]);
    const deliveries = await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid }).expect(200);
    expect(deliveries.body.data).toHaveLength(3);
    expect(deliveries.body.data[0]).toMatchObject({
      kind: 'statuses',
      url: receiver.url,
      state: 'delivered',
      fields: ['messages'],
      waba_ids: [f.waba.id],
      wamids: [wamid],
      change_count: 1,
      attempts: [{ http_status: 200, error: null, at: expect.any(String), duration_ms: expect.any(Number) }],
    });
    expect(deliveries.body.data[0].body).toBeUndefined();
    const one = await sandbox.http.get(`/_sandbox/webhooks/deliveries/${deliveries.body.data[0].id}`).expect(200);
    expect(one.body.body).toBe(receiver.received[0]?.raw);
  });

  it('prices template sends by their category (billable, regular)', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .post('/_sandbox/templates')
      .send({ waba_id: f.waba.id, name: 'promo', language: 'en_US', category: 'MARKETING', components: [{ type: 'BODY', text: 'Sale!' }] })
      .expect(201);
    const res = await sandbox.send(f, { to: TO, type: 'template', template: { name: 'promo', language: { code: 'en_US' } } }).expect(200);
    const wamid = res.body.messages[0].id as string;
    await receiver.waitFor(() => ofMessage(wamid).length === 3);
    const [sent, delivered, read] = ofMessage(wamid);
    expect(sent?.pricing).toEqual({ billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' });
    expect(delivered?.pricing).toEqual(sent?.pricing);
    expect(read?.pricing).toBeUndefined();
    expect(sent?.conversation?.['origin']).toEqual({ type: 'marketing' });
  });

  it('escapes non-ASCII and slashes as Meta does, and signs those exact bytes', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'] })
      .expect(200);
    await sendText(f, { biz_opaque_callback_data: 'café/🚀' });
    await receiver.waitFor((r) => r.received.length === 1);
    const post = receiver.received[0];
    expect(post?.raw).toContain('"biz_opaque_callback_data":"caf\\u00e9\\/\\ud83d\\ude80"');
    expect(post?.headers['x-hub-signature-256']).toBe(expectedSignature(post?.raw ?? '', APP_SECRET));
    expect(post?.headers['x-hub-signature-256']).not.toBe(expectedSignature(JSON.stringify(post?.body), APP_SECRET));
    expect(receiver.statuses()[0]?.biz_opaque_callback_data).toBe('café/🚀');
  });

  it('never makes the send wait for the webhook', async () => {
    const f = await sandbox.sendable();
    receiver.slowDown(800);
    await sandbox.http.put('/_sandbox/status_behaviour').send(NO_DELAYS).expect(200);
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) await sendText(f);
    expect(Date.now() - started).toBeLessThan(500);
    await sandbox.drain();
    expect(receiver.statuses()).toHaveLength(15);
  });

  it('honours per-step delays, and a number keeps its own behaviour', async () => {
    const f = await sandbox.sendable();
    const g = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ delays_ms: { sent: 0, delivered: 250, read: 0 } })
      .expect(200);
    const own = await sandbox.http
      .put(`/_sandbox/phone_numbers/${g.phone_number.id}/status_behaviour`)
      .send({ statuses: ['sent', 'read'], ...NO_DELAYS })
      .expect(200);
    expect(own.body.statuses).toEqual(['sent', 'read']);
    const started = Date.now();
    const wamid = await sendText(f);
    await receiver.waitFor(() => ofMessage(wamid).length === 1);
    expect(Date.now() - started).toBeLessThan(200);
    await receiver.waitFor(() => ofMessage(wamid).length === 3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    const other = await sendText(g);
    await receiver.waitFor(() => ofMessage(other).length === 2);
    expect(ofMessage(other).map((s) => s.status)).toEqual(['sent', 'read']);
    // delivered is skipped: read carries the pricing then, as Meta does.
    expect(ofMessage(other)[1]?.pricing).toBeDefined();

    const behaviour = await sandbox.http.get('/_sandbox/status_behaviour').expect(200);
    expect(behaviour.body).toMatchObject({
      delays_ms: { sent: 0, delivered: 250, read: 0 },
      phone_numbers: { [g.phone_number.id]: { statuses: ['sent', 'read'] } },
    });
    await sandbox.http.delete(`/_sandbox/phone_numbers/${g.phone_number.id}/status_behaviour`).expect(200);
    expect((await sandbox.http.get(`/_sandbox/phone_numbers/${g.phone_number.id}/status_behaviour`)).body.statuses).toEqual([
      'sent',
      'delivered',
      'read',
    ]);
  });

  it('duplicates, drops and reorders on demand', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ ...NO_DELAYS, duplicate_rate: 1 })
      .expect(200);
    const duplicated = await sendText(f);
    await sandbox.drain();
    expect(
      ofMessage(duplicated)
        .map((s) => s.status)
        .sort(),
    ).toEqual(['delivered', 'delivered', 'read', 'read', 'sent', 'sent']);
    const record = await sandbox.http.get(`/_sandbox/messages/${duplicated}`);
    expect(record.body.statuses.filter((s: { duplicate: boolean }) => s.duplicate)).toHaveLength(3);

    await sandbox.http.put('/_sandbox/status_behaviour').send({ duplicate_rate: 0, drop_rate: 1 }).expect(200);
    const dropped = await sendText(f);
    await sandbox.drain();
    expect(ofMessage(dropped)).toEqual([]);
    const droppedRecord = await sandbox.http.get(`/_sandbox/messages/${dropped}`);
    expect(droppedRecord.body.statuses.map((s: { state: string }) => s.state)).toEqual(['dropped', 'dropped', 'dropped']);

    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ drop_rate: 0, reorder_rate: 1, delays_ms: { sent: 0, delivered: 60, read: 60 } })
      .expect(200);
    const reordered = await sendText(f);
    await receiver.waitFor(() => ofMessage(reordered).length === 3);
    const order = ofMessage(reordered).map((s) => s.status);
    expect([...order].sort()).toEqual(['delivered', 'read', 'sent']);
    expect(order).not.toEqual(['sent', 'delivered', 'read']);
  });

  it('applies rates statistically', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ ...NO_DELAYS, statuses: ['sent'], drop_rate: 0.5 })
      .expect(200);
    for (let i = 0; i < 60; i += 1) await sendText(f);
    await sandbox.drain();
    expect(receiver.statuses().length).toBeGreaterThan(10);
    expect(receiver.statuses().length).toBeLessThan(50);
  });

  it('leaves pricing and conversation out when asked (webhooks v24+ style)', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ ...NO_DELAYS, include_pricing: false, include_conversation: false })
      .expect(200);
    const wamid = await sendText(f);
    await receiver.waitFor(() => ofMessage(wamid).length === 3);
    for (const s of ofMessage(wamid)) expect(Object.keys(s).sort()).toEqual(['id', 'recipient_id', 'status', 'timestamp']);
  });

  it('posts a failed status with the error for an async fault', async () => {
    const f = await sandbox.sendable();
    await sandbox.http.put('/_sandbox/status_behaviour').send(NO_DELAYS).expect(200);
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'messages', error_code: 131049, async: true, times: 1 }).expect(201);
    const failed = await sendText(f);
    await sandbox.http
      .post('/_sandbox/faults')
      .send({ endpoint: 'messages', error_code: 131026, async: true, sent_first: true, recipient: '+62 812-0000-0009' })
      .expect(201);
    const other = await sendText(f);
    const sentThenFailed = (await sandbox.send(f, { to: '6281200000009', text: { body: 'x' } }).expect(200)).body.messages[0].id as string;
    await sandbox.drain();

    expect(ofMessage(failed)).toEqual([
      {
        id: failed,
        status: 'failed',
        timestamp: expect.any(String),
        recipient_id: TO,
        errors: [
          {
            code: 131049,
            title: 'This message was not delivered to maintain healthy ecosystem engagement',
            message: 'This message was not delivered to maintain healthy ecosystem engagement',
            error_data: { details: expect.any(String) },
            href: '/documentation/business-messaging/whatsapp/support/error-codes',
          },
        ],
      },
    ]);
    expect(ofMessage(other).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(ofMessage(sentThenFailed).map((s) => s.status)).toEqual(['sent', 'failed']);
    expect(ofMessage(sentThenFailed)[1]?.errors?.[0]?.['code']).toBe(131026);
    const record = await sandbox.http.get(`/_sandbox/messages/${failed}`);
    expect(record.body.failure).toEqual({ code: 131049, reason: expect.stringMatching(/^fault flt_/) });
  });

  it('fails free-form sends outside the service window with 131047 when enforced', async () => {
    const f = await sandbox.sendable();
    await sandbox.http.put('/_sandbox/status_behaviour').send(NO_DELAYS).expect(200);
    await sandbox.http.put('/_sandbox/messaging_behaviour').send({ enforce_service_window: true }).expect(200);
    const outside = await sendText(f);
    await sandbox.http
      .post('/_sandbox/webhooks/inbound')
      .send({ phone_number_id: f.phone_number.id, messages: [{ from: TO, type: 'text', text: { body: 'hello' } }] })
      .expect(201);
    const inside = await sendText(f);
    const template = (
      await sandbox.send(f, { to: '6289999999999', type: 'template', template: { name: 'x', language: { code: 'en' } } }).expect(200)
    ).body.messages[0].id;
    sandbox.clock.advance(24 * 3_600_000);
    const expired = await sendText(f);
    await sandbox.drain();
    expect(ofMessage(outside).map((s) => [s.status, s.errors?.[0]?.['code']])).toEqual([['failed', 131047]]);
    expect(ofMessage(inside).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(ofMessage(template).map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(ofMessage(expired).map((s) => s.status)).toEqual(['failed']);
  });

  it('posts extra statuses on demand (a late read, a failure after sent)', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'], ...NO_DELAYS })
      .expect(200);
    const wamid = await sendText(f);
    await sandbox.http.post(`/_sandbox/messages/${wamid}/statuses`).send({ status: 'read' }).expect(201);
    await sandbox.http
      .post(`/_sandbox/messages/${wamid}/statuses`)
      .send({ status: 'failed', error_code: 131053, details: 'Media upload error' })
      .expect(201);
    await sandbox.http.post(`/_sandbox/messages/${wamid}/statuses`).send({ status: 'failed' }).expect(400);
    await sandbox.http.post('/_sandbox/messages/wamid.nope/statuses').send({ status: 'read' }).expect(404);
    await sandbox.drain();
    expect(ofMessage(wamid).map((s) => s.status)).toEqual(['sent', 'read', 'failed']);
    expect(ofMessage(wamid)[2]?.errors?.[0]).toMatchObject({ code: 131053, error_data: { details: 'Media upload error' } });
  });

  it('retries a failing callback, then drops the delivery', async () => {
    const f = await sandbox.sendable();
    await sandbox.webhooksTo(receiver.url, { retry_delays_ms: [20, 20] });
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'], ...NO_DELAYS })
      .expect(200);
    receiver.answerWith(500, 503, 200);
    const wamid = await sendText(f);
    await sandbox.drain();
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1);
    const [delivery] = (await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid })).body.data;
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a: { http_status: number }) => a.http_status)).toEqual([500, 503, 200]);

    receiver.clear();
    receiver.answerWith(500);
    const lost = await sendText(f);
    await sandbox.drain();
    expect(receiver.received).toHaveLength(3);
    const [failed] = (await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid: lost })).body.data;
    expect(failed.state).toBe('failed');
    expect((await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ state: 'failed' })).body.data).toHaveLength(1);
  });

  it('gives up on an unreachable or slow callback', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'], ...NO_DELAYS })
      .expect(200);
    const closed = await WebhookReceiver.start();
    await closed.close();
    await sandbox.webhooksTo(closed.url, { retry_delays_ms: [10] });
    const unreachable = await sendText(f);
    await sandbox.drain();
    const [refused] = (await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid: unreachable })).body.data;
    expect(refused).toMatchObject({
      state: 'failed',
      attempts: [
        { http_status: null, error: 'ECONNREFUSED' },
        { http_status: null, error: 'ECONNREFUSED' },
      ],
    });

    await sandbox.webhooksTo(receiver.url, { retry_delays_ms: [], timeout_ms: 100 });
    receiver.slowDown(400);
    const slow = await sendText(f);
    await sandbox.drain();
    const [timedOut] = (await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid: slow })).body.data;
    expect(timedOut).toMatchObject({ state: 'failed', attempts: [{ http_status: null, error: 'timed out after 100 ms' }] });
  });

  it('batches due statuses into one POST when many are due at once', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'], ...NO_DELAYS })
      .expect(200);
    await sandbox.webhooksTo(receiver.url, { status_batch_size: 50, batch_window_ms: 1500 });
    const wamids: string[] = [];
    for (let i = 0; i < 120; i += 1) wamids.push(await sendText(f));
    await sandbox.drain();
    expect(
      receiver
        .statuses()
        .map((s) => s.id)
        .sort(),
    ).toEqual([...wamids].sort());
    expect(receiver.received.length).toBeLessThan(8);
    expect(Math.max(...receiver.received.map((r) => r.body.entry[0]?.changes.length ?? 0))).toBe(50);
    for (const post of receiver.received) expect(post.body.entry).toHaveLength(1);
  });

  it("routes a WABA's webhooks to its override_callback_uri", async () => {
    const other = await WebhookReceiver.start('/tenant-hook');
    try {
      const f = await sandbox.sendable();
      await sandbox.http
        .put('/_sandbox/status_behaviour')
        .send({ statuses: ['sent'], ...NO_DELAYS })
        .expect(200);
      await sandbox.http
        .post(`${V}/${f.waba.id}/subscribed_apps`)
        .auth(f.token, { type: 'bearer' })
        .send({ override_callback_uri: other.url, verify_token: 'vt' })
        .expect(200);
      const wamid = await sendText(f);
      await sandbox.drain();
      expect(other.statuses().map((s) => s.id)).toEqual([wamid]);
      expect(receiver.received).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('records without posting when no callback is set, or the WABA is not subscribed and that is required', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent'], ...NO_DELAYS })
      .expect(200);
    await sandbox.webhooksTo(null);
    const unposted = await sendText(f);
    await sandbox.drain();
    const [recorded] = (await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid: unposted })).body.data;
    expect(recorded).toMatchObject({ state: 'no_callback', url: null, attempts: [] });

    await sandbox.webhooksTo(receiver.url, { require_subscription: true });
    const unsubscribed = await sendText(f);
    await sandbox.drain();
    expect((await sandbox.http.get('/_sandbox/webhooks/deliveries').query({ wamid: unsubscribed })).body.data[0].state).toBe(
      'not_subscribed',
    );
    await sandbox.http.post(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }).expect(200);
    const subscribed = await sendText(f);
    await sandbox.drain();
    expect(receiver.statuses().map((s) => s.id)).toEqual([subscribed]);
  });

  it('forgets scheduled statuses on reset', async () => {
    const f = await sandbox.sendable();
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ delays_ms: { sent: 300 } })
      .expect(200);
    await sendText(f);
    await sandbox.reset();
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.received).toEqual([]);
    const settings = await sandbox.http.get('/_sandbox/webhooks/settings').expect(200);
    expect(settings.body.callback_url).toBe(receiver.url);
  });

  it('validates the behaviour and settings bodies', async () => {
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['sent', 'sent'] })
      .expect(400);
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ statuses: ['accepted'] })
      .expect(400);
    await sandbox.http.put('/_sandbox/status_behaviour').send({ drop_rate: 2 }).expect(400);
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ delays_ms: { sent: -1 } })
      .expect(400);
    await sandbox.http
      .put('/_sandbox/status_behaviour')
      .send({ delays_ms: { later: 1 } })
      .expect(400);
    await sandbox.http.put('/_sandbox/webhooks/settings').send({ callback_url: 'not a url' }).expect(400);
    await sandbox.http.put('/_sandbox/webhooks/settings').send({ status_batch_size: 1001 }).expect(400);
    await sandbox.http.put('/_sandbox/phone_numbers/123/status_behaviour').send({}).expect(404);
  });
});
