import { APP_SECRET, expectGraphError, Sandbox, V } from '../../test/harness';
import { expectedSignature, WebhookReceiver } from '../../test/webhook-receiver';

const BODY = { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Budi', 'A-1']] } };
const create = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  language: 'en_US',
  category: 'UTILITY',
  components: [BODY],
  ...extra,
});

describe('template management over Graph, with asynchronous review webhooks', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;
  let f: Awaited<ReturnType<Sandbox['sendable']>>;

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
    f = await sandbox.sendable();
  });

  const post = (body: unknown, token = f.token) =>
    sandbox.http
      .post(`${V}/${f.waba.id}/message_templates`)
      .auth(token, { type: 'bearer' })
      .send(body as object);
  const list = (query: Record<string, string> = {}) =>
    sandbox.http.get(`${V}/${f.waba.id}/message_templates`).auth(f.token, { type: 'bearer' }).query(query);
  const statusWebhooks = () =>
    receiver.received.flatMap((r) => r.body.entry.flatMap((e) => e.changes.filter((c) => c.field === 'message_template_status_update')));

  it('create → PENDING, then APPROVED after the review delay with a signed message_template_status_update', async () => {
    await sandbox.http.put('/_sandbox/template_review').send({ outcome: 'approve', delay_ms: 30 }).expect(200);
    const res = await post(create('order_shipped')).expect(200);
    expect(res.body).toEqual({ id: expect.stringMatching(/^\d+$/), status: 'PENDING', category: 'UTILITY' });
    const one = await sandbox.http.get(`${V}/${res.body.id}`).auth(f.token, { type: 'bearer' }).query({ fields: 'status' }).expect(200);
    expect(one.body).toEqual({ status: 'PENDING', id: res.body.id });

    await receiver.waitFor(() => statusWebhooks().length === 1);
    const received = receiver.received.find((r) => r.body.entry[0]?.changes[0]?.field === 'message_template_status_update');
    expect(received?.headers['x-hub-signature-256']).toBe(expectedSignature(received?.raw ?? '', APP_SECRET));
    expect(received?.body.entry[0]).toMatchObject({ id: f.waba.id, time: expect.any(Number) });
    expect(statusWebhooks()[0]?.value).toEqual({
      event: 'APPROVED',
      message_template_id: Number(res.body.id),
      message_template_name: 'order_shipped',
      message_template_language: 'en_US',
      reason: 'NONE',
      message_template_category: 'UTILITY',
    });
    const after = await sandbox.http.get(`${V}/${res.body.id}`).auth(f.token, { type: 'bearer' }).expect(200);
    expect(after.body).toMatchObject({ name: 'order_shipped', status: 'APPROVED', language: 'en_US', parameter_format: 'POSITIONAL' });

    // Approved over Graph → sendable; the parameter check applies.
    const send = (n: number) =>
      sandbox.send(f, {
        to: '6281234567890',
        type: 'template',
        template: {
          name: 'order_shipped',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: Array.from({ length: n }, () => ({ type: 'text', text: 'x' })) }],
        },
      });
    await send(2).expect(200);
    expectGraphError(await send(1), 132000, 400);
  });

  it('rejection by name with a reason; hold stays PENDING; control actions post the webhook at once', async () => {
    await sandbox.http
      .put('/_sandbox/template_review')
      .send({ outcome: 'hold', by_name: { promo_blast: { outcome: 'reject', delay_ms: 10, reason: 'PROMOTIONAL' } } })
      .expect(200);
    const rejected = await post(create('promo_blast', { category: 'MARKETING' })).expect(200);
    const held = await post(create('held_one')).expect(200);
    await receiver.waitFor(() => statusWebhooks().length === 1);
    expect(statusWebhooks()[0]?.value).toMatchObject({
      event: 'REJECTED',
      message_template_id: Number(rejected.body.id),
      reason: 'PROMOTIONAL',
      rejection_info: { reason: 'PROMOTIONAL', recommendation: expect.any(String) },
    });
    await new Promise((r) => setTimeout(r, 50));
    const page = await list({ fields: 'name,status,rejected_reason' }).expect(200);
    expect(page.body.data).toEqual([
      { name: 'promo_blast', status: 'REJECTED', rejected_reason: 'PROMOTIONAL', id: rejected.body.id },
      { name: 'held_one', status: 'PENDING', rejected_reason: 'NONE', id: held.body.id },
    ]);

    const approved = await sandbox.http.post(`/_sandbox/templates/${held.body.id}/approve`).send({}).expect(200);
    expect(approved.body).toMatchObject({ template: { status: 'APPROVED' }, webhook: { state: 'delivered', http_status: 200 } });
    const paused = await sandbox.http.post(`/_sandbox/templates/${held.body.id}/pause`).send({}).expect(200);
    expect(paused.body.template.status).toBe('PAUSED');
    const disabled = await sandbox.http.post(`/_sandbox/templates/${held.body.id}/disable`).send({}).expect(200);
    expect(disabled.body.template.status).toBe('DISABLED');
    expect(statusWebhooks().map((c) => c.value['event'])).toEqual(['REJECTED', 'APPROVED', 'PAUSED', 'DISABLED']);
    expect(statusWebhooks()[2]?.value['other_info']).toMatchObject({ title: 'FIRST_PAUSE' });
    await sandbox.http.post(`/_sandbox/templates/${held.body.id}/explode`).send({}).expect(404);
    await sandbox.http.put('/_sandbox/template_review').send({ outcome: 'maybe' }).expect(400);
  });

  it("Meta's validation errors: name, duplicate name + language, one BODY, numbering, examples, unknown keys", async () => {
    await sandbox.http.put('/_sandbox/template_review').send({ outcome: 'hold' }).expect(200);
    await post(create('dup')).expect(200);
    expect(expectGraphError(await post(create('dup')), 100, 400, 2388024).error_data?.details).toContain('already exists');
    await post(create('dup', { language: 'id' })).expect(200);
    const cases: [Record<string, unknown>, string][] = [
      [create('Bad-Name'), 'lowercase'],
      [{ language: 'en_US', category: 'UTILITY', components: [BODY] }, 'name'],
      [create('no_cat', { category: 'PROMO' }), 'category'],
      [create('two_bodies', { components: [BODY, BODY] }), 'exactly one BODY'],
      [create('gap', { components: [{ type: 'BODY', text: 'A {{1}} and {{3}}.', example: { body_text: [['a', 'b']] } }] }), 'sequence'],
      [create('no_example', { components: [{ type: 'BODY', text: 'Hello {{1}}.' }] }), 'sample value'],
      [create('extra', { colour: 'red' }), 'Unexpected key'],
    ];
    for (const [body, details] of cases) {
      const error = expectGraphError(await post(body), 100, 400);
      expect(`${error.message} ${error.error_data?.details ?? ''}`).toContain(details);
    }
    expect((await list().expect(200)).body.data).toHaveLength(2);
  });

  it('list pages with cursors (paging.next carries the query), filters; delete by name + hsm_id or every language', async () => {
    await sandbox.http.put('/_sandbox/template_review').send({ outcome: 'hold' }).expect(200);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(create(`t_${i}`)).expect(200)).body.id);
    const other = (await post(create('t_0', { language: 'id' })).expect(200)).body.id as string;

    const first = await list({ limit: '2', fields: 'name,language' }).expect(200);
    expect(first.body.data.map((t: { id: string }) => t.id)).toEqual(ids.slice(0, 2));
    const next = new URL(first.body.paging.next);
    expect(next.searchParams.get('fields')).toBe('name,language');
    expect(next.searchParams.get('after')).toBe(first.body.paging.cursors.after);
    const seen = [...first.body.data];
    let after: string | undefined = first.body.paging.cursors.after;
    while (after) {
      const page = await list({ limit: '2', after }).expect(200);
      seen.push(...page.body.data);
      after = page.body.paging?.next ? page.body.paging.cursors.after : undefined;
    }
    expect(seen.map((t: { id: string }) => t.id)).toEqual([...ids, other]);
    expect((await list({ name: 't_0' }).expect(200)).body.data).toHaveLength(2);
    expect((await list({ language: 'id' }).expect(200)).body.data.map((t: { id: string }) => t.id)).toEqual([other]);
    expect((await list({ status: 'approved' }).expect(200)).body.data).toEqual([]);

    const del = (query: Record<string, string>) =>
      sandbox.http.delete(`${V}/${f.waba.id}/message_templates`).auth(f.token, { type: 'bearer' }).query(query);
    expect((await del({ name: 't_0', hsm_id: other }).expect(200)).body).toEqual({ success: true });
    expect((await list({ name: 't_0' }).expect(200)).body.data.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    expectGraphError(await sandbox.http.get(`${V}/${other}`).auth(f.token, { type: 'bearer' }), 100, 400, 33);
    await del({ name: 't_1' }).expect(200);
    expectGraphError(await del({ name: 't_1' }), 100, 400);
    expectGraphError(await del({}), 100, 400);
    // A deleted template is refused on send (132001), and its name + language may be created again.
    expectGraphError(
      await sandbox.send(f, { to: '6281234567890', type: 'template', template: { name: 't_1', language: { code: 'en_US' } } }),
      132001,
      404,
    );
    await post(create('t_1')).expect(200);

    // Another WABA's token: the permission error.
    const stranger = await sandbox.onboarded();
    expectGraphError(await post(create('x'), stranger.token), 200, 403);
    const requests = await sandbox.http.get('/_sandbox/requests').query({ endpoint: 'message_templates' }).expect(200);
    expect(requests.body.data.length).toBeGreaterThan(10);
  });
});
