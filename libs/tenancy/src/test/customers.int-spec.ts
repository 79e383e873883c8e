import type { Response } from 'supertest';
import { EventWriter } from '@kirim/contracts';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { buildOpenApiDocument, OutboxWriter, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import type { CustomerAccountsPort } from '../application/customer-accounts.port';
import { TenancyHttpModule } from '../tenancy-http.module';

/** supertest's response (its `body` is untyped JSON). */
type Res = Response;

function expectError(res: Res, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** Metadata whose UTF-8 JSON is exactly `bytes` bytes. */
function metadataOfBytes(bytes: number): Record<string, string> {
  return { k: 'x'.repeat(bytes - JSON.stringify({ k: '' }).length) };
}

/** Stands in for the whatsapp-accounts context's answer to the CUSTOMER_ACCOUNTS port: none, unless a test says otherwise. */
const NO_ACCOUNTS: CustomerAccountsPort = { hasOnboardedAccount: () => Promise.resolve(false), listForCustomer: () => Promise.resolve([]) };
const customerAccounts: CustomerAccountsPort = { ...NO_ACCOUNTS };

const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

describe('customers API', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        contextPorts({ customerAccounts }),
      ],
    });
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    Object.assign(customerAccounts, NO_ACCOUNTS);
  });

  const post = (session: OrgSession, body: unknown) =>
    t.http
      .post('/v1/customers')
      .set(session.auth)
      .send(body as object);
  const create = async (session: OrgSession, body: Record<string, unknown> = {}) => {
    const res = await post(session, { name: 'Acme', ...body });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; team_id: string; updated_at: string; [k: string]: unknown };
  };
  const eventsOf = (organizationId: string, customerId?: string) =>
    prisma.event.findMany({
      where: { orgId: organizationId, ...(customerId && { customerId }) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });

  describe('POST /v1/customers', () => {
    it('creates a pending customer (201) and writes customer.created with it, in its scope', async () => {
      const res = await post(s, { name: '  Acme \n Corp ', email: 'ops@acme.example', metadata: { plan: 'pro', n: [1, 2] } });
      expect(res.status).toBe(201);
      const customer = res.body.data;
      expect(customer).toEqual({
        id: expect.stringMatching(/^cus_[0-9A-HJKMNP-TV-Z]{26}$/),
        object: 'customer',
        name: 'Acme Corp',
        email: 'ops@acme.example',
        status: 'pending',
        metadata: { plan: 'pro', n: [1, 2] },
        team_id: s.teamId,
        archived_at: null,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        updated_at: customer.created_at,
      });
      const events = await eventsOf(s.organizationId, customer.id);
      expect(events.map((e) => e.type)).toEqual(['customer.created']);
      expect(events[0]).toMatchObject({ teamId: s.teamId, customerId: customer.id, data: { customer }, previousAttributes: null });
    });

    it('name: 200 characters after sanitising are fine, 201 are not; missing → missing_required_field', async () => {
      const ok = await post(s, { name: `\n\t ${'a'.repeat(100)} \n\n ${'b'.repeat(99)}  ` });
      expect(ok.status).toBe(201);
      expect(ok.body.data.name).toHaveLength(200);
      expectError(await post(s, { name: `${'a'.repeat(100)} ${'b'.repeat(100)}` }), 400, 'invalid_field_value', 'name');
      expectError(await post(s, { name: ' \n\u0000\t ' }), 400, 'invalid_field_value', 'name');
      expectError(await post(s, {}), 400, 'missing_required_field', 'name');
      expectError(await post(s, { name: 42 }), 400, 'invalid_field_value', 'name');
    });

    it('email must be syntactically an email (or null)', async () => {
      expectError(await post(s, { name: 'A', email: 'not-an-email' }), 400, 'invalid_field_value', 'email');
      expectError(await post(s, { name: 'A', email: 7 }), 400, 'invalid_field_value', 'email');
      expect((await create(s, { email: null })).email).toBeNull();
    });

    it('metadata: 64 keys and exactly 16 KB are fine; 65 keys, one byte more, arrays and scalars are not', async () => {
      expect(Object.keys((await create(s, { metadata: keys(64) })).metadata as object)).toHaveLength(64);
      expectError(await post(s, { name: 'A', metadata: keys(65) }), 400, 'invalid_field_value', 'metadata');
      const exact = metadataOfBytes(16 * 1024);
      expect((await create(s, { metadata: exact })).metadata).toEqual(exact);
      expectError(await post(s, { name: 'A', metadata: metadataOfBytes(16 * 1024 + 1) }), 400, 'invalid_field_value', 'metadata');
      expectError(await post(s, { name: 'A', metadata: [1] }), 400, 'invalid_field_value', 'metadata');
      expectError(await post(s, { name: 'A', metadata: 'x' }), 400, 'invalid_field_value', 'metadata');
      expectError(await post(s, { name: 'A', metadata: { a: 'nul \u0000' } }), 400, 'invalid_field_value', 'metadata.a');
    });

    it('refuses unknown fields', async () => {
      expectError(await post(s, { name: 'A', status: 'active' }), 400, 'unknown_field', 'status');
    });

    it('multi-team resolution: one team implied; several need team_id (422); another org’s team is 404', async () => {
      const multi = await createOrgSession(t.app, { teams: 2 });
      expectError(await post(multi, { name: 'A' }), 422, 'team_id_required', 'team_id');
      expect((await create(multi, { team_id: multi.teamIds[1] })).team_id).toBe(multi.teamIds[1]);
      expectError(await post(multi, { name: 'A', team_id: s.teamId }), 404, 'resource_not_found');
      expectError(await post(s, { name: 'A', team_id: multi.teamIds[0] }), 404, 'resource_not_found');
      expect((await create(s, { team_id: s.teamId })).team_id).toBe(s.teamId);
      expectError(await post(s, { name: 'A', team_id: 'team_nope' }), 400, 'invalid_field_value', 'team_id');
      expectError(await post(s, { name: 'A', team_id: null }), 400, 'invalid_field_value', 'team_id');
      const none = await createOrgSession(t.app);
      await prisma.team.deleteMany({ where: { orgId: none.organizationId } });
      expectError(await post(none, { name: 'A' }), 422, 'team_id_required', 'team_id');
    });

    it('writes neither the customer nor its event when the event write fails (one transaction)', async () => {
      const org = await createOrgSession(t.app);
      const outbox = t.app.get(OutboxWriter);
      const append = outbox.append.bind(outbox);
      jest.spyOn(outbox, 'append').mockImplementationOnce(async (event) => {
        await append(event); // the event row is written too, then the transaction fails
        throw new Error('forced failure after the writes');
      });
      const res = await post(org, { name: 'Doomed' });
      expectError(res, 500, 'internal_error');
      expect(await prisma.customer.count({ where: { orgId: org.organizationId } })).toBe(0);
      expect(await prisma.event.count({ where: { orgId: org.organizationId } })).toBe(0);
    });
  });

  describe('GET /v1/customers', () => {
    let org: OrgSession;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      org = await createOrgSession(t.app, { teams: 2 });
      const mk = async (key: string, body: Record<string, unknown>) => {
        ids[key] = (await create(org, { team_id: org.teamIds[0], ...body })).id;
      };
      await mk('a', { name: 'Alpha Traders', email: 'alpha@example.com' });
      await mk('b', { name: 'Beta 100% Foods', team_id: org.teamIds[1] });
      await mk('c', { name: 'Gamma alpha', email: 'Alpha@example.com' });
      await mk('d', { name: 'Delta_x' });
      await mk('e', { name: 'Epsilon' });
      await t.http.patch(`/v1/customers/${ids['e']}`).set(org.auth).send({ status: 'suspended' }).expect(200);
    });

    const list = (query: Record<string, string | number>, session = org) => t.http.get('/v1/customers').query(query).set(session.auth);
    const idsOf = (res: Res) => (res.body.data as { id: string }[]).map((c) => c.id);

    it('lists newest first, without whatsapp_accounts, in the list envelope', async () => {
      const res = await list({});
      expect(res.status).toBe(200);
      expect(idsOf(res)).toEqual([ids['e'], ids['d'], ids['c'], ids['b'], ids['a']]);
      expect(res.body).toMatchObject({ has_more: false, next_cursor: null, request_id: res.headers['x-request-id'] });
      expect(res.body.data[0]).not.toHaveProperty('whatsapp_accounts');
    });

    it('pages with limit and a cursor bound to the filters', async () => {
      const first = await list({ limit: 2 });
      expect(idsOf(first)).toEqual([ids['e'], ids['d']]);
      expect(first.body.has_more).toBe(true);
      const second = await list({ limit: 2, cursor: first.body.next_cursor });
      expect(idsOf(second)).toEqual([ids['c'], ids['b']]);
      const third = await list({ limit: 2, cursor: second.body.next_cursor });
      expect(idsOf(third)).toEqual([ids['a']]);
      expect(third.body).toMatchObject({ has_more: false, next_cursor: null });
      expectError(await list({ limit: 2, cursor: first.body.next_cursor, status: 'pending' }), 400, 'invalid_cursor', 'cursor');
      expectError(await list({ limit: 0 }), 400, 'invalid_limit', 'limit');
    });

    it('filters by status, team_id, exact email and name contains (case-insensitive, wildcards literal)', async () => {
      expect(idsOf(await list({ status: 'suspended' }))).toEqual([ids['e']]);
      expect(idsOf(await list({ team_id: org.teamIds[1] ?? '' }))).toEqual([ids['b']]);
      expect(idsOf(await list({ email: 'alpha@example.com' }))).toEqual([ids['a']]);
      expect(idsOf(await list({ q: 'ALPHA' }))).toEqual([ids['c'], ids['a']]);
      expect(idsOf(await list({ q: '0%' }))).toEqual([ids['b']]);
      expect(idsOf(await list({ q: '%' }))).toEqual([ids['b']]);
      expect(idsOf(await list({ q: 'a_x' }))).toEqual([ids['d']]);
      expect(idsOf(await list({ q: 'a_t' }))).toEqual([]); // as a wildcard it would match 'Alpha Traders'
      expect(idsOf(await list({ team_id: s.teamId }))).toEqual([]);
      expect(idsOf(await list({ q: 'x'.repeat(200) }))).toEqual([]);
    });

    it('refuses bad filters with 400 and param', async () => {
      expectError(await list({ q: 'x'.repeat(201) }), 400, 'invalid_field_value', 'q');
      expectError(await list({ q: '' }), 400, 'invalid_field_value', 'q');
      expectError(await list({ status: 'deleted' }), 400, 'invalid_field_value', 'status');
      expectError(await list({ team_id: 'team_1' }), 400, 'invalid_field_value', 'team_id');
      expectError(await t.http.get('/v1/customers?status=active&status=pending').set(org.auth), 400, 'invalid_field_value', 'status');
      expectError(await list({ colour: 'red' }), 400, 'unknown_field', 'colour');
    });

    it('never shows another organization’s customers', async () => {
      const other = await createOrgSession(t.app);
      expect(idsOf(await list({}, other))).toEqual([]);
    });
  });

  describe('GET /v1/customers/{id}', () => {
    it('includes whatsapp_accounts (empty until the accounts context fills the port)', async () => {
      const c = await create(s);
      const res = await t.http.get(`/v1/customers/${c.id}`).set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ ...c, whatsapp_accounts: [] });
      const account = {
        id: 'wba_01J00000000000000000000000',
        phone_number_id: '1234567890',
        display_phone_number: '+62 811 000',
        verified_name: 'Acme',
        status: 'approved' as const,
        onboarded_at: '2026-06-04T10:00:00.000Z',
      };
      const seen: string[][] = [];
      Object.assign(customerAccounts, {
        hasOnboardedAccount: () => Promise.resolve(true),
        listForCustomer: (orgId: string, customerId: string) => {
          seen.push([orgId, customerId]);
          return Promise.resolve([account]);
        },
      });
      expect((await t.http.get(`/v1/customers/${c.id}`).set(s.auth)).body.data.whatsapp_accounts).toEqual([account]);
      expect(seen).toEqual([[s.organizationId, c.id]]);
    });

    it('400 for a malformed id, 404 for an unknown one', async () => {
      expectError(await t.http.get('/v1/customers/cus_123').set(s.auth), 400, 'invalid_field_value', 'id');
      expectError(await t.http.get('/v1/customers/csl_01J00000000000000000000000').set(s.auth), 400, 'invalid_field_value', 'id');
      expectError(await t.http.get('/v1/customers/cus_01J00000000000000000000000').set(s.auth), 404, 'resource_not_found');
    });
  });

  describe('PATCH /v1/customers/{id}', () => {
    const patch = (id: string, body: unknown, session = s) =>
      t.http
        .patch(`/v1/customers/${id}`)
        .set(session.auth)
        .send(body as object);

    it('changes fields and writes customer.updated with the old values of the changed fields only', async () => {
      const c = await create(s, { name: 'Old', email: 'old@example.com', metadata: { a: 1 } });
      const res = await patch(c.id, { name: ' New\nName ', email: 'old@example.com', metadata: { a: 1 } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ name: 'New Name', email: 'old@example.com', metadata: { a: 1 } });
      const events = await eventsOf(s.organizationId, c.id);
      expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
      expect(events[1]).toMatchObject({ data: { customer: res.body.data }, previousAttributes: { name: 'Old' }, teamId: c.team_id });

      const cleared = await patch(c.id, { email: null, metadata: null });
      expect(cleared.body.data).toMatchObject({ email: null, metadata: null });
      const again = await eventsOf(s.organizationId, c.id);
      expect(again[2]?.previousAttributes).toEqual({ email: 'old@example.com', metadata: { a: 1 } });
    });

    it('replaces metadata as a whole', async () => {
      const c = await create(s, { metadata: { a: 1, b: 2 } });
      expect((await patch(c.id, { metadata: { c: 3 } })).body.data.metadata).toEqual({ c: 3 });
    });

    it('a no-op PATCH writes nothing and emits nothing (same values, key order aside, or an empty body)', async () => {
      const c = await create(s, { name: 'Same', email: 'same@example.com', metadata: { a: 1, b: { c: [1, 2] } } });
      for (const body of [
        {},
        { name: '  Same ' },
        { email: 'same@example.com', metadata: { b: { c: [1, 2] }, a: 1 } },
        { status: 'pending' },
      ]) {
        const res = await patch(c.id, body);
        expect(res.status).toBe(200);
        expect(res.body.data.updated_at).toBe(c.updated_at);
      }
      expect((await eventsOf(s.organizationId, c.id)).map((e) => e.type)).toEqual(['customer.created']);
    });

    it('validates like create', async () => {
      const c = await create(s);
      expectError(await patch(c.id, { name: 'x'.repeat(201) }), 400, 'invalid_field_value', 'name');
      expectError(await patch(c.id, { name: null }), 400, 'invalid_field_value', 'name');
      expectError(await patch(c.id, { email: 'nope' }), 400, 'invalid_field_value', 'email');
      expectError(await patch(c.id, { metadata: keys(65) }), 400, 'invalid_field_value', 'metadata');
      expectError(await patch(c.id, { metadata: metadataOfBytes(16 * 1024 + 1) }), 400, 'invalid_field_value', 'metadata');
      expectError(await patch(c.id, { team_id: s.teamId }), 400, 'unknown_field', 'team_id');
      expectError(await patch(c.id, { status: 'gone' }), 400, 'invalid_field_value', 'status');
      expectError(await patch(c.id, { status: null }), 400, 'invalid_field_value', 'status');
    });

    it('status: suspend from pending; resume to pending without an onboarded account, to active with one', async () => {
      const c = await create(s);
      expectError(await patch(c.id, { status: 'active' }), 400, 'invalid_field_value', 'status');
      expectError(await patch(c.id, { status: 'archived' }), 400, 'invalid_field_value', 'status');
      expect((await patch(c.id, { status: 'suspended' })).body.data.status).toBe('suspended');
      expect((await patch(c.id, { status: 'active' })).body.data.status).toBe('pending');
      expect((await patch(c.id, { status: 'suspended' })).body.data.status).toBe('suspended');
      Object.assign(customerAccounts, { hasOnboardedAccount: () => Promise.resolve(true) });
      expect((await patch(c.id, { status: 'pending' })).body.data.status).toBe('active');
      // active → suspended is allowed, active → pending is not
      expectError(await patch(c.id, { status: 'pending' }), 400, 'invalid_field_value', 'status');
      expect((await patch(c.id, { status: 'suspended' })).body.data.status).toBe('suspended');
      const events = await eventsOf(s.organizationId, c.id);
      expect(events.filter((e) => e.type === 'customer.updated').map((e) => e.previousAttributes)).toEqual([
        { status: 'pending' },
        { status: 'suspended' },
        { status: 'pending' },
        { status: 'suspended' },
        { status: 'active' },
      ]);
    });

    it('rolls the change back when the event write fails', async () => {
      const c = await create(s, { name: 'Before' });
      jest.spyOn(t.app.get(EventWriter), 'append').mockRejectedValueOnce(new Error('forced'));
      expectError(await patch(c.id, { name: 'After' }), 500, 'internal_error');
      expect((await t.http.get(`/v1/customers/${c.id}`).set(s.auth)).body.data.name).toBe('Before');
      expect((await eventsOf(s.organizationId, c.id)).map((e) => e.type)).toEqual(['customer.created']);
    });
  });

  describe('DELETE /v1/customers/{id} (archive)', () => {
    it('archives (200), writes customer.archived; again is a 200 no-op without an event; no further changes (409)', async () => {
      const c = await create(s);
      const res = await t.http.delete(`/v1/customers/${c.id}`).set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: c.id, status: 'archived', archived_at: expect.any(String) });
      const again = await t.http.delete(`/v1/customers/${c.id}`).set(s.auth);
      expect(again.status).toBe(200);
      expect(again.body.data).toEqual(res.body.data);
      const events = await eventsOf(s.organizationId, c.id);
      expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.archived']);
      expect(events[1]?.data).toEqual({ customer: res.body.data });

      expectError(await t.http.patch(`/v1/customers/${c.id}`).set(s.auth).send({ name: 'X' }), 409, 'customer_archived');
      expectError(await t.http.patch(`/v1/customers/${c.id}`).set(s.auth).send({ status: 'suspended' }), 409, 'customer_archived');
      expectError(await t.http.post(`/v1/customers/${c.id}/setup_links`).set(s.auth).send({}), 409, 'customer_archived');
      // still readable
      expect((await t.http.get(`/v1/customers/${c.id}`).set(s.auth)).body.data.status).toBe('archived');
    });

    it('archives a suspended customer too', async () => {
      const c = await create(s);
      await t.http.patch(`/v1/customers/${c.id}`).set(s.auth).send({ status: 'suspended' }).expect(200);
      expect((await t.http.delete(`/v1/customers/${c.id}`).set(s.auth)).body.data.status).toBe('archived');
    });

    it('rolls back archive and link revocation when the event write fails', async () => {
      const c = await create(s);
      const link = (await t.http.post(`/v1/customers/${c.id}/setup_links`).set(s.auth).send({}).expect(201)).body.data;
      jest.spyOn(t.app.get(EventWriter), 'append').mockRejectedValueOnce(new Error('forced'));
      expectError(await t.http.delete(`/v1/customers/${c.id}`).set(s.auth), 500, 'internal_error');
      expect((await t.http.get(`/v1/customers/${c.id}`).set(s.auth)).body.data.status).toBe('pending');
      const links = (await t.http.get(`/v1/customers/${c.id}/setup_links`).set(s.auth)).body.data;
      expect(links).toEqual([expect.objectContaining({ id: link.id, status: 'active', revoked_at: null })]);
      expect((await eventsOf(s.organizationId, c.id)).map((e) => e.type)).toEqual(['customer.created', 'customer.setup_link.created']);
    });
  });

  describe('tenant isolation', () => {
    it('every customer endpoint answers 404 for another organization’s customer', async () => {
      const other = await createOrgSession(t.app);
      const theirs = await create(other, { name: 'Theirs' });
      const path = `/v1/customers/${theirs.id}`;
      expectError(await t.http.get(path).set(s.auth), 404, 'resource_not_found');
      expectError(await t.http.patch(path).set(s.auth).send({ name: 'Mine now' }), 404, 'resource_not_found');
      expectError(await t.http.delete(path).set(s.auth), 404, 'resource_not_found');
      const unchanged = await t.http.get(path).set(other.auth);
      expect(unchanged.body.data).toEqual({ ...theirs, whatsapp_accounts: [] });
      expect((await eventsOf(other.organizationId)).map((e) => e.type)).toEqual(['customer.created']);
    });

    it('a customer-restricted key sees only its customer and cannot create customers (403)', async () => {
      const org = await createOrgSession(t.app);
      const mine = await create(org, { name: 'Mine' });
      const sibling = await create(org, { name: 'Sibling' });
      const key = await t.app.get(ApiKeysService).create(org.organizationId, { customerId: mine.id, label: 'restricted' });
      const auth = { Authorization: `Bearer ${key.secret}` };

      const listed = await t.http.get('/v1/customers').set(auth);
      expect(listed.body.data.map((c: { id: string }) => c.id)).toEqual([mine.id]);
      expect((await t.http.get(`/v1/customers/${mine.id}`).set(auth)).status).toBe(200);
      expectError(await t.http.get(`/v1/customers/${sibling.id}`).set(auth), 404, 'resource_not_found');
      expectError(await t.http.patch(`/v1/customers/${sibling.id}`).set(auth).send({ name: 'X' }), 404, 'resource_not_found');
      expectError(await t.http.delete(`/v1/customers/${sibling.id}`).set(auth), 404, 'resource_not_found');
      expectError(await t.http.post('/v1/customers').set(auth).send({ name: 'New' }), 403, 'customer_scope_forbidden');
      expect((await t.http.patch(`/v1/customers/${mine.id}`).set(auth).send({ name: 'Mine 2' })).body.data.name).toBe('Mine 2');
      expect(await prisma.customer.count({ where: { orgId: org.organizationId } })).toBe(2);
    });
  });

  it('describes every endpoint and resource in the OpenAPI document', () => {
    const doc = buildOpenApiDocument(t.app);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/customers',
        '/v1/customers/{id}',
        '/v1/customers/{id}/setup_links',
        '/v1/customers/{id}/setup_links/{link_id}',
      ]),
    );
    expect(Object.keys(doc.paths['/v1/customers'] ?? {})).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/v1/customers/{id}'] ?? {})).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(Object.keys(doc.paths['/v1/customers/{id}/setup_links/{link_id}'] ?? {})).toEqual(expect.arrayContaining(['patch', 'delete']));
    const schemas = doc.components?.schemas ?? {};
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining(['CustomerDto', 'CustomerWithAccountsDto', 'SetupLinkDto', 'CreatedSetupLinkDto']),
    );
    expect(JSON.stringify(schemas['SetupLinkDto'])).not.toContain('setup_url');
  });

  describe('CUSTOMER_DIRECTORY (restricting an API key to a customer)', () => {
    it('POST /v1/api_keys accepts an existing customer of the organization, 404 otherwise', async () => {
      const org = await createOrgSession(t.app);
      const other = await createOrgSession(t.app);
      const mine = await create(org);
      const theirs = await create(other);
      const created = await t.http.post('/v1/api_keys').set(org.auth).send({ label: 'r', customer_id: mine.id });
      expect(created.status).toBe(201);
      expect(created.body.data.customer_id).toBe(mine.id);
      expectError(await t.http.post('/v1/api_keys').set(org.auth).send({ label: 'r', customer_id: theirs.id }), 404, 'resource_not_found');
      expectError(
        await t.http.post('/v1/api_keys').set(org.auth).send({ label: 'r', customer_id: 'cus_01J00000000000000000000000' }),
        404,
        'resource_not_found',
      );
    });
  });
});
