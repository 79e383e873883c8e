import type { INestApplicationContext } from '@nestjs/common';
import type { Response } from 'supertest';
import { ApiKeysService } from '@kirim/identity';
import { PrismaService } from '@kirim/platform';
import {
  contextPorts,
  createOrgSession,
  createTestApp,
  createTestEnv,
  type MetaSandbox,
  type OrgSession,
  startMetaSandbox,
  type TestApp,
  type TestEnv,
} from '@kirim/testing';
import { freshWaId } from './helpers';
import { bootWorker, inboundApiImports, inboundHttpOptions, META_WEBHOOK_PATH, waitFor } from './inbound-helpers';
import { connectWabaAccount, type WabaAccount } from './templates-helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

type Json = Record<string, unknown>;

const BODY = { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.', example: { body_text: [['Budi', 'A-1']] } };
const createBody = (name: string, extra: Json = {}) => ({ name, language: 'en_US', category: 'UTILITY', components: [BODY], ...extra });
const templateSend = (to: string, name: string, parameters: number) => ({
  to,
  type: 'template',
  template: {
    name,
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: Array.from({ length: parameters }, (_, i) => ({ type: 'text', text: `v${i}` })) }],
  },
});

/**
 * Templates end to end: Kirim's API against the Meta sandbox as a real process (create with Meta's
 * asynchronous review webhook, sync over Meta's pages, delete at Meta), the status webhook through the
 * api's intake and the worker, and template sends checked against the stored template.
 */
describe('templates: create, review webhook, send checks, sync, delete, isolation', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let s: OrgSession;
  let other: OrgSession;

  beforeAll(async () => {
    sandbox = await startMetaSandbox();
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: sandbox.appSecret,
      MESSAGING_SWEEP_GRACE_MS: '60000',
      RATE_LIMIT_READ_PER_MIN: '100000',
      RATE_LIMIT_WRITE_PER_MIN: '100000',
    });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { listen: true, http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    s = await createOrgSession(api.app);
    other = await createOrgSession(api.app);
    await sandbox.control('PUT', '/webhooks/settings', { callback_url: `http://127.0.0.1:${api.port}${META_WEBHOOK_PATH}` });
    await sandbox.control('PUT', '/status_behaviour', { statuses: [] });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await sandbox.control('PUT', '/template_review', { outcome: 'hold', delay_ms: 0 });
  });

  const connect = (session: OrgSession = s, o: Parameters<typeof connectWabaAccount>[4] = {}) =>
    connectWabaAccount(api.app, session, sandbox, env.config.META_GRAPH_VERSION, o);
  const path = (a: { phoneNumberId: string }, rest = '') => `/v1/${a.phoneNumberId}/templates${rest}`;
  const create = (a: WabaAccount, body: unknown, session = s) =>
    api.http
      .post(path(a))
      .set(session.auth)
      .send(body as object);
  const templatePosts = async (wabaId: string) =>
    (await sandbox.requests({ endpoint: 'message_templates', method: 'POST' })).filter((r) => r.path.includes(wabaId)).length;
  const statusEvents = (templateId: string) =>
    prisma.event
      .findMany({ where: { type: 'template.status_updated' }, orderBy: { createdAt: 'asc' } })
      .then((events) => events.filter((e) => (e.data as { template: { id: string } }).template.id === templateId));
  const row = (id: string) => prisma.template.findUniqueOrThrow({ where: { id } });

  it('create → 201 pending with Meta id; Meta approves asynchronously (webhook → template.status_updated); then it sends', async () => {
    const a = await connect();
    const waId = freshWaId();
    await sandbox.control('PUT', '/template_review', { outcome: 'hold' });
    const res = await create(a, createBody('order_shipped'));
    expect(res.status).toBe(201);
    const t = res.body.data;
    expect(t).toEqual({
      id: expect.stringMatching(/^tmpl_[0-9A-HJKMNP-TV-Z]{26}$/),
      object: 'template',
      account_id: a.id,
      waba_id: a.wabaId,
      meta_template_id: expect.stringMatching(/^\d+$/),
      name: 'order_shipped',
      language: 'en_US',
      category: 'UTILITY',
      status: 'pending',
      components: [BODY],
      rejection_reason: null,
      quality: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const posted = (await sandbox.requests({ endpoint: 'message_templates', method: 'POST' })).at(-1);
    expect(posted?.body).toMatchObject({ name: 'order_shipped', language: 'en_US', category: 'UTILITY', components: [BODY] });

    // Before approval: refused, nothing stored.
    const before = await prisma.message.count({ where: { accountId: a.id } });
    expectError(
      await api.http
        .post(`/v1/${a.phoneNumberId}/messages`)
        .set(s.auth)
        .send(templateSend(waId, 'order_shipped', 2)),
      422,
      'template_not_approved',
      'template.name',
    );
    expectError(
      await api.http
        .post(`/v1/${a.phoneNumberId}/messages`)
        .set(s.auth)
        .send(templateSend(waId, 'nope', 0)),
      422,
      'template_not_approved',
      'template.name',
    );
    expect(await prisma.message.count({ where: { accountId: a.id } })).toBe(before);

    // Meta approves (the sandbox's review, as a signed webhook through the api and the worker).
    await sandbox.control('POST', `/templates/${t.meta_template_id}/approve`, {});
    await waitFor('approved', async () => (await row(t.id)).status === 'approved');
    const events = await statusEvents(t.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      orgId: s.organizationId,
      teamId: s.teamId,
      previousAttributes: { status: 'pending' },
      data: { template: { id: t.id, status: 'approved', meta_template_id: t.meta_template_id } },
    });
    // The same webhook again (Meta's duplicates): nothing changes, no second event.
    await sandbox.control('POST', '/webhooks/template_status', { template_id: t.meta_template_id, event: 'APPROVED' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusEvents(t.id)).toHaveLength(1);

    // Parameters off by one → 422 with the body component's param; right → 202, reaches Meta.
    expectError(
      await api.http
        .post(`/v1/${a.phoneNumberId}/messages`)
        .set(s.auth)
        .send(templateSend(waId, 'order_shipped', 1)),
      422,
      'template_parameter_mismatch',
      'template.components[0].parameters',
    );
    const sent = await api.http
      .post(`/v1/${a.phoneNumberId}/messages`)
      .set(s.auth)
      .send(templateSend(waId, 'order_shipped', 2));
    expect(sent.status).toBe(202);
    const wamid = await waitFor('sent', async () => (await prisma.message.findUniqueOrThrow({ where: { id: sent.body.data.id } })).wamid);
    const atMeta = await sandbox.control<{ data: { wamid: string; type: string; body: Json }[] }>(
      'GET',
      `/messages?phone_number_id=${a.phoneNumberId}&direction=outbound`,
    );
    expect(atMeta.data.find((m) => m.wamid === wamid)).toMatchObject({ type: 'template', body: { template: { name: 'order_shipped' } } });
  }, 60_000);

  it("the sandbox's timed review: approved after its delay; a rejection carries its reason", async () => {
    const a = await connect();
    await sandbox.control('PUT', '/template_review', {
      outcome: 'approve',
      delay_ms: 200,
      by_name: { promo_blast: { outcome: 'reject', delay_ms: 100, reason: 'PROMOTIONAL' } },
    });
    const ok = (await create(a, createBody('welcome_note')).expect(201)).body.data;
    const bad = (await create(a, createBody('promo_blast', { category: 'MARKETING' })).expect(201)).body.data;
    expect(ok.status).toBe('pending');
    await waitFor('reviewed', async () => (await row(ok.id)).status === 'approved' && (await row(bad.id)).status === 'rejected');
    expect(await row(bad.id)).toMatchObject({ status: 'rejected', rejectionReason: 'PROMOTIONAL' });
    const [rejected] = await statusEvents(bad.id);
    expect(rejected).toMatchObject({
      previousAttributes: { status: 'pending' },
      data: { template: { status: 'rejected', rejection_reason: 'PROMOTIONAL' } },
    });
    const got = await api.http
      .get(path(a, `/${bad.id}`))
      .set(s.auth)
      .expect(200);
    expect(got.body.data).toMatchObject({ status: 'rejected', rejection_reason: 'PROMOTIONAL', category: 'MARKETING' });
    // An unknown template's webhook changes nothing (noted on the payload).
    await sandbox.control('POST', '/webhooks/template_status', {
      waba_id: a.wabaId,
      message_template_id: '999999999999',
      message_template_name: 'never_made',
      message_template_language: 'en_US',
      event: 'APPROVED',
    });
    await waitFor('noted', async () => {
      const payloads = await prisma.metaWebhookPayload.findMany({ where: { processedAt: { not: null } } });
      return payloads.some((p) => Buffer.from(p.body).toString('utf8').includes('never_made') && (p.note ?? '').includes('unknown'));
    });
    expect(await prisma.template.count({ where: { name: 'never_made' } })).toBe(0);
  }, 60_000);

  it("Kirim's validation first: 400 with a dotted param and Meta never called; 409 for the same name + language before Meta", async () => {
    const a = await connect();
    const cases: [Json, string, string][] = [
      [createBody('two_bodies', { components: [BODY, BODY] }), 'invalid_field_value', 'components[1].type'],
      [
        createBody('gap', { components: [{ type: 'BODY', text: 'A {{1}} and {{3}}.', example: { body_text: [['a', 'b']] } }] }),
        'invalid_field_value',
        'components[0].text',
      ],
      [
        createBody('no_example', { components: [{ type: 'BODY', text: 'Hello {{1}}.' }] }),
        'missing_required_field',
        'components[0].example.body_text',
      ],
      [createBody('Bad-Name'), 'invalid_field_value', 'name'],
      [createBody('x', { category: 'PROMO' }), 'invalid_field_value', 'category'],
      [createBody('x', { colour: 'red' }), 'unknown_field', 'colour'],
      [{ language: 'en_US', category: 'UTILITY', components: [BODY] }, 'missing_required_field', 'name'],
    ];
    for (const [body, code, param] of cases) expectError(await create(a, body), 400, code, param);
    expect(await templatePosts(a.wabaId)).toBe(0);
    expect(await prisma.template.count({ where: { accountId: a.id } })).toBe(0);

    await create(a, createBody('dup')).expect(201);
    expectError(await create(a, createBody('dup')), 409, 'template_already_exists', 'name');
    await create(a, createBody('dup', { language: 'id' })).expect(201);
    expect(await templatePosts(a.wabaId)).toBe(2);
    // Two creates at once: one reaches Meta, the other is told it exists.
    const both = await Promise.all([create(a, createBody('race')), create(a, createBody('race'))]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await templatePosts(a.wabaId)).toBe(3);
  }, 60_000);

  it('Meta failing the create → 502, Meta refusing it → 400 with its words; nothing stored either way', async () => {
    const a = await connect();
    await sandbox.setFault({ endpoint: 'message_templates', method: 'POST', error_code: 131000, http_status: 500, times: 1 });
    expectError(await create(a, createBody('flaky')), 502, 'whatsapp_upstream_error');
    await sandbox.setFault({ endpoint: 'message_templates', method: 'POST', error_code: 100, http_status: 400, details: 'No', times: 1 });
    const refused = await create(a, createBody('flaky'));
    expectError(refused, 400, 'invalid_field_value');
    expect(refused.body.error.message).toContain('Meta refused');
    expect(await prisma.template.count({ where: { accountId: a.id } })).toBe(0);
    // Then it goes through (the row was not left behind).
    await create(a, createBody('flaky')).expect(201);
  }, 60_000);

  it('list: filters, deleted only with status=deleted, pagination; delete at Meta (name + hsm_id); re-create reuses the row', async () => {
    const a = await connect();
    const made: Json[] = [];
    for (const [name, language, category] of [
      ['alpha', 'en_US', 'UTILITY'],
      ['alpha', 'id', 'UTILITY'],
      ['beta', 'en_US', 'MARKETING'],
    ]) {
      made.push((await create(a, createBody(name as string, { language, category })).expect(201)).body.data);
    }
    const list = (q: Record<string, string> = {}) => api.http.get(path(a)).set(s.auth).query(q);
    const first = await list({ limit: '2' }).expect(200);
    expect(first.body).toMatchObject({ has_more: true, next_cursor: expect.any(String) });
    expect(first.body.data.map((t: Json) => t['id'])).toEqual([made[2]?.['id'], made[1]?.['id']]);
    const second = await list({ limit: '2', cursor: first.body.next_cursor }).expect(200);
    expect(second.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.body.data.map((t: Json) => t['id'])).toEqual([made[0]?.['id']]);
    expect((await list({ name: 'alpha' })).body.data).toHaveLength(2);
    expect((await list({ language: 'id' })).body.data.map((t: Json) => t['id'])).toEqual([made[1]?.['id']]);
    expect((await list({ category: 'MARKETING' })).body.data.map((t: Json) => t['id'])).toEqual([made[2]?.['id']]);
    expect((await list({ status: 'pending' })).body.data).toHaveLength(3);
    expectError(await list({ status: 'PENDING' }), 400, 'invalid_field_value', 'status');
    expectError(await list({ limit: '0' }), 400, 'invalid_limit');

    const victim = made[1] as { id: string; meta_template_id: string };
    const deleted = await api.http.delete(path(a, `/${victim.id}`)).set(s.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toMatchObject({ id: victim.id, status: 'deleted' });
    const call = (await sandbox.requests({ endpoint: 'message_templates', method: 'DELETE' })).at(-1);
    expect(call?.query).toMatchObject({ name: 'alpha', hsm_id: victim.meta_template_id });
    expect((await row(victim.id)).deletedAt).not.toBeNull();
    expect(await statusEvents(victim.id)).toEqual([expect.objectContaining({ previousAttributes: { status: 'pending' } })]);
    // Only this language went at Meta.
    const atMeta = await sandbox.control<{ data: { name: string; language: string; status: string }[] }>(
      'GET',
      `/templates?waba_id=${a.wabaId}`,
    );
    expect(atMeta.data.filter((t) => t.name === 'alpha').map((t) => [t.language, t.status])).toEqual([
      ['en_US', 'PENDING'],
      ['id', 'DELETED'],
    ]);
    expect((await list()).body.data).toHaveLength(2);
    expect((await list({ status: 'deleted' })).body.data.map((t: Json) => t['id'])).toEqual([victim.id]);
    // Deleting again changes nothing and asks nothing of Meta.
    const deletes = (await sandbox.requests({ endpoint: 'message_templates', method: 'DELETE' })).length;
    await api.http
      .delete(path(a, `/${victim.id}`))
      .set(s.auth)
      .expect(200);
    expect((await sandbox.requests({ endpoint: 'message_templates', method: 'DELETE' })).length).toBe(deletes);
    // Re-created: the same row, pending again with Meta's new id.
    const again = (await create(a, createBody('alpha', { language: 'id' })).expect(201)).body.data;
    expect(again).toMatchObject({ id: victim.id, status: 'pending' });
    expect(again.meta_template_id).not.toBe(victim.meta_template_id);
  }, 60_000);

  it("sync pages through all of Meta's templates (3 pages), reconciles, and a second run reports only unchanged", async () => {
    const a = await connect();
    const total = 215;
    const ids: string[] = [];
    for (let i = 0; i < total; i++) {
      const made = await sandbox.control<{ id: string }>('POST', '/templates', {
        waba_id: a.wabaId,
        name: `bulk_${String(i).padStart(3, '0')}`,
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: `Message ${i}.` }],
      });
      ids.push(made.id);
    }
    // One Kirim already knows, pending: Meta says approved.
    const known = (await create(a, createBody('known_one')).expect(201)).body.data;
    await sandbox.control('PATCH', `/templates/${known.meta_template_id}`, { status: 'APPROVED' });
    await sandbox.clearRequests();

    const first = await api.http.post(path(a, '/sync')).set(s.auth).expect(200);
    expect(first.body.data).toEqual({ created: total, updated: 1, unchanged: 0 });
    const pages = await sandbox.requests({ endpoint: 'message_templates', method: 'GET' });
    expect(pages).toHaveLength(3);
    expect(pages[1]?.query).toMatchObject({ after: expect.any(String) });
    expect(await prisma.template.count({ where: { accountId: a.id, status: 'approved' } })).toBe(total + 1);
    expect(await statusEvents(known.id)).toEqual([expect.objectContaining({ previousAttributes: { status: 'pending' } })]);

    const second = await api.http.post(path(a, '/sync')).set(s.auth).expect(200);
    expect(second.body.data).toEqual({ created: 0, updated: 0, unchanged: total + 1 });

    // At Meta: one paused, one gone → updated 2 (paused; deleted), each with its event.
    await sandbox.control('PATCH', `/templates/${ids[0]}`, { status: 'PAUSED' });
    await sandbox.control('DELETE', `/templates/${ids[1]}`);
    const third = await api.http.post(path(a, '/sync')).set(s.auth).expect(200);
    expect(third.body.data).toEqual({ created: 0, updated: 2, unchanged: total - 1 });
    const gone = await prisma.template.findFirstOrThrow({ where: { accountId: a.id, metaTemplateId: ids[1] } });
    expect(gone.status).toBe('deleted');
    expect(await statusEvents(gone.id)).toEqual([expect.objectContaining({ previousAttributes: { status: 'approved' } })]);

    await sandbox.setFault({ endpoint: 'message_templates', method: 'GET', error_code: 2, http_status: 503, times: 1 });
    expectError(await api.http.post(path(a, '/sync')).set(s.auth), 502, 'whatsapp_upstream_error');
  }, 120_000);

  it('another organization, another customer (restricted key), another account: 404 on every endpoint; bad ids 400', async () => {
    const customer = (await api.http.post('/v1/customers').set(s.auth).send({ name: 'Toko A' }).expect(201)).body.data as { id: string };
    const otherCustomer = (await api.http.post('/v1/customers').set(s.auth).send({ name: 'Toko B' }).expect(201)).body.data as {
      id: string;
    };
    const a = await connect(s, { customerId: customer.id });
    const t = (await create(a, createBody('mine')).expect(201)).body.data as { id: string };
    const key = await api.app.get(ApiKeysService).create(s.organizationId, { customerId: otherCustomer.id, label: 'restricted' });
    const restricted = { auth: { Authorization: `Bearer ${key.secret}` } };
    const ownKey = await api.app.get(ApiKeysService).create(s.organizationId, { customerId: customer.id, label: 'own' });
    const own = { auth: { Authorization: `Bearer ${ownKey.secret}` } };
    const b = await connect(s);
    const calls = (session: { auth: { Authorization: string } }, account: { phoneNumberId: string }) => [
      api.http.get(path(account)).set(session.auth),
      api.http.get(path(account, `/${t.id}`)).set(session.auth),
      api.http.post(path(account)).set(session.auth).send(createBody('theirs')),
      api.http.post(path(account, '/sync')).set(session.auth),
      api.http.delete(path(account, `/${t.id}`)).set(session.auth),
    ];
    for (const session of [other, restricted]) {
      for (const res of await Promise.all(calls(session, a))) expectError(res, 404, 'resource_not_found');
    }
    // The account's own customer key sees it; another account of the organization does not hold the template.
    await api.http
      .get(path(a, `/${t.id}`))
      .set(own.auth)
      .expect(200);
    expectError(await api.http.get(path(b, `/${t.id}`)).set(s.auth), 404, 'resource_not_found');
    expectError(await api.http.delete(path(b, `/${t.id}`)).set(s.auth), 404, 'resource_not_found');
    expectError(await api.http.get(path(a, '/tmpl_nope')).set(s.auth), 400, 'invalid_field_value', 'id');
    expectError(await api.http.get('/v1/12ab/templates').set(s.auth), 400, 'invalid_field_value', 'phone_number_id');
    expect(await prisma.template.count({ where: { name: 'theirs' } })).toBe(0);
    expect((await row(t.id)).status).toBe('pending');

    // A disconnected account's templates are readable, not managed at Meta.
    const gone = await connect(s, { status: 'disconnected' });
    await api.http.get(path(gone)).set(s.auth).expect(200);
    expectError(await create(gone, createBody('late')), 422, 'account_not_connected');
  }, 60_000);
});
