import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WhatsappAccountsHttpModule } from '../whatsapp-accounts-http.module';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** `/v1/accounts` over HTTP, and the accounts seen from tenancy's customer API. */
describe('accounts API', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  let seq = 0;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        contextPorts(),
      ],
    });
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app, { teams: 2 });
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const createCustomer = async (session: OrgSession, name = 'Client Co', teamId?: string) => {
    const res = await t.http
      .post('/v1/customers')
      .set(session.auth)
      .send({ name, team_id: teamId ?? session.teamId });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; team_id: string };
  };
  /** An account row as a completed signup leaves it (the signup itself is covered by signup.int-spec). */
  const seed = async (
    session: OrgSession,
    o: {
      customerId?: string | null;
      teamId?: string;
      status?: 'approved' | 'restricted' | 'disconnected' | 'archived';
      createdAt?: Date;
    } = {},
  ) => {
    seq++;
    const phoneNumberId = `${Date.now()}${String(seq).padStart(4, '0')}`.slice(-18);
    return prisma.whatsappAccount.create({
      data: {
        id: newId('wba'),
        orgId: session.organizationId,
        teamId: o.teamId ?? session.teamId,
        customerId: o.customerId ?? null,
        phoneNumberId,
        wabaId: '1000000000001',
        displayPhoneNumber: `+62 811 0000 ${String(seq).padStart(4, '0')}`,
        verifiedName: 'Client Co',
        qualityRating: 'GREEN',
        throughputLevel: 'STANDARD',
        messagingLimitTier: 'TIER_250',
        status: o.status ?? 'approved',
        businessTokenCiphertext: 'sealed-token',
        registrationPinCiphertext: 'sealed-pin',
        onboardedAt: new Date(),
        ...(o.createdAt && { createdAt: o.createdAt }),
      },
    });
  };
  const list = (session: OrgSession, query: Record<string, string | number> = {}) =>
    t.http.get('/v1/accounts').query(query).set(session.auth);

  it('GET /v1/accounts/{id} answers the spec 04 resource (customer {id, name}), never the secrets', async () => {
    const customer = await createCustomer(s, 'Toko Maju');
    const row = await seed(s, { customerId: customer.id });
    const res = await t.http.get(`/v1/accounts/${row.id}`).set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: row.id,
      object: 'whatsapp_account',
      phone_number_id: row.phoneNumberId,
      waba_id: '1000000000001',
      display_phone_number: row.displayPhoneNumber,
      verified_name: 'Client Co',
      quality_rating: 'GREEN',
      throughput_level: 'STANDARD',
      messaging_limit_tier: 'TIER_250',
      status: 'approved',
      customer: { id: customer.id, name: 'Toko Maju' },
      customer_id: customer.id,
      team_id: s.teamId,
      onboarded_at: row.onboardedAt.toISOString(),
      created_at: row.createdAt.toISOString(),
      updated_at: row.updatedAt.toISOString(),
    });
    expect(JSON.stringify(res.body)).not.toContain('sealed');
    const own = await seed(s);
    expect((await t.http.get(`/v1/accounts/${own.id}`).set(s.auth)).body.data).toMatchObject({ customer: null, customer_id: null });
  });

  it('GET /v1/accounts/{id}: malformed id → 400, unknown → 404', async () => {
    expectError(await t.http.get('/v1/accounts/cus_01J00000000000000000000000').set(s.auth), 400, 'invalid_field_value', 'id');
    expectError(await t.http.get(`/v1/accounts/${newId('wba')}`).set(s.auth), 404, 'resource_not_found');
  });

  it('GET /v1/accounts/by_phone_number_id/{id}: found; 6–20 digits else 400; unknown → 404', async () => {
    const row = await seed(s);
    const res = await t.http.get(`/v1/accounts/by_phone_number_id/${row.phoneNumberId}`).set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.id).toBe(row.id);
    for (const bad of ['12345', '1'.repeat(21), '12345a7', 'wba_x']) {
      expectError(await t.http.get(`/v1/accounts/by_phone_number_id/${bad}`).set(s.auth), 400, 'invalid_field_value', 'phone_number_id');
    }
    expectError(await t.http.get('/v1/accounts/by_phone_number_id/999999999999').set(s.auth), 404, 'resource_not_found');
  });

  it('lists newest first with filters: status (default all but archived), customer_id, team_id; bad filters → 400', async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    const customer = await createCustomer(session);
    const a = await seed(session, { customerId: customer.id });
    const b = await seed(session, { status: 'restricted' });
    const c = await seed(session, { status: 'archived', customerId: customer.id });
    const d = await seed(session, { teamId: session.teamIds[1] ?? '', status: 'disconnected' });
    const ids = (res: Response) => (res.body.data as { id: string }[]).map((x) => x.id);

    const all = await list(session);
    expect(all.status).toBe(200);
    expect(ids(all)).toEqual([d.id, b.id, a.id]);
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(ids(await list(session, { status: 'archived' }))).toEqual([c.id]);
    expect(ids(await list(session, { status: 'restricted' }))).toEqual([b.id]);
    expect(ids(await list(session, { customer_id: customer.id }))).toEqual([a.id]);
    expect(ids(await list(session, { customer_id: customer.id, status: 'archived' }))).toEqual([c.id]);
    expect(ids(await list(session, { team_id: session.teamIds[1] ?? '' }))).toEqual([d.id]);
    expectError(await list(session, { status: 'pending' }), 400, 'invalid_field_value', 'status');
    expectError(await list(session, { customer_id: 'nope' }), 400, 'invalid_field_value', 'customer_id');
    expectError(await list(session, { team_id: 'nope' }), 400, 'invalid_field_value', 'team_id');
  });

  it('paginates with signed cursors bound to the filters', async () => {
    const session = await createOrgSession(t.app);
    const base = Date.now() - 60_000;
    const rows = [];
    for (let i = 0; i < 5; i++) rows.push(await seed(session, { createdAt: new Date(base + i * 1000) }));
    const expected = rows.map((r) => r.id).reverse();
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const res = await list(session, { limit: 2, ...(cursor && { cursor }) });
      expect(res.status).toBe(200);
      seen.push(...(res.body.data as { id: string }[]).map((x) => x.id));
      cursor = res.body.next_cursor ?? undefined;
      expect(res.body.has_more).toBe(page < 2);
    }
    expect(seen).toEqual(expected);
    const first = await list(session, { limit: 2 });
    expectError(await list(session, { limit: 2, status: 'archived', cursor: first.body.next_cursor }), 400, 'invalid_cursor', 'cursor');
    expectError(await list(session, { limit: 0 }), 400, 'invalid_limit');
  });

  it("another organization's account is a 404 everywhere and absent from lists", async () => {
    const other = await createOrgSession(t.app);
    const theirs = await seed(other);
    expectError(await t.http.get(`/v1/accounts/${theirs.id}`).set(s.auth), 404, 'resource_not_found');
    expectError(await t.http.get(`/v1/accounts/by_phone_number_id/${theirs.phoneNumberId}`).set(s.auth), 404, 'resource_not_found');
    const mine = (await list(s, { limit: 100 })).body.data as { id: string }[];
    expect(mine.map((x) => x.id)).not.toContain(theirs.id);
    expect(((await list(other)).body.data as { id: string }[]).map((x) => x.id)).toEqual([theirs.id]);
  });

  it("a customer-restricted key sees only its customer's accounts", async () => {
    const session = await createOrgSession(t.app);
    const mine = await createCustomer(session, 'Mine');
    const theirs = await createCustomer(session, 'Theirs');
    const a = await seed(session, { customerId: mine.id });
    const b = await seed(session, { customerId: theirs.id });
    const own = await seed(session);
    const key = await t.app.get(ApiKeysService).create(session.organizationId, { customerId: mine.id, label: 'restricted' });
    const restricted = { ...session, auth: { Authorization: `Bearer ${key.secret}` } };

    expect(((await list(restricted)).body.data as { id: string }[]).map((x) => x.id)).toEqual([a.id]);
    expect(((await list(restricted, { customer_id: theirs.id })).body.data as unknown[]).length).toBe(0);
    expect((await t.http.get(`/v1/accounts/${a.id}`).set(restricted.auth)).status).toBe(200);
    for (const hidden of [b, own]) {
      expectError(await t.http.get(`/v1/accounts/${hidden.id}`).set(restricted.auth), 404, 'resource_not_found');
      expectError(
        await t.http.get(`/v1/accounts/by_phone_number_id/${hidden.phoneNumberId}`).set(restricted.auth),
        404,
        'resource_not_found',
      );
    }
  });

  it('GET /v1/customers/{id} lists whatsapp_accounts; a suspended customer with an account resumes to active', async () => {
    const customer = await createCustomer(s);
    const empty = await createCustomer(s);
    const row = await seed(s, { customerId: customer.id });
    const got = await t.http.get(`/v1/customers/${customer.id}`).set(s.auth);
    expect(got.body.data.whatsapp_accounts).toEqual([
      {
        id: row.id,
        phone_number_id: row.phoneNumberId,
        display_phone_number: row.displayPhoneNumber,
        verified_name: 'Client Co',
        status: 'approved',
        onboarded_at: row.onboardedAt.toISOString(),
      },
    ]);
    for (const [id, resumed] of [
      [customer.id, 'active'],
      [empty.id, 'pending'],
    ] as const) {
      expect((await t.http.patch(`/v1/customers/${id}`).set(s.auth).send({ status: 'suspended' })).body.data.status).toBe('suspended');
      expect((await t.http.patch(`/v1/customers/${id}`).set(s.auth).send({ status: 'active' })).body.data.status).toBe(resumed);
    }
  });

  it('archiving a customer keeps its accounts readable (spec 00: soft delete)', async () => {
    const customer = await createCustomer(s);
    const row = await seed(s, { customerId: customer.id });
    expect((await t.http.delete(`/v1/customers/${customer.id}`).set(s.auth)).body.data.status).toBe('archived');
    const account = await t.http.get(`/v1/accounts/${row.id}`).set(s.auth);
    expect(account.status).toBe(200);
    expect(account.body.data).toMatchObject({ id: row.id, status: 'approved', customer_id: customer.id });
    expect((await list(s, { customer_id: customer.id })).body.data.map((a: { id: string }) => a.id)).toEqual([row.id]);
    expect((await t.http.get(`/v1/customers/${customer.id}`).set(s.auth)).body.data.whatsapp_accounts).toHaveLength(1);
  });
});
