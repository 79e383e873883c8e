import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '../messaging-http.module';
import { freshWaId, seedAccount, seedContact } from './helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

const ID = /^lbl_[0-9A-HJKMNP-TV-Z]{26}$/;

/** `/v1/labels`: create, list, read, rename/recolour, delete (detaches everywhere), uniqueness per team ignoring case, isolation. */
describe('labels API', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv({ RATE_LIMIT_WRITE_PER_MIN: '100000', RATE_LIMIT_READ_PER_MIN: '100000' });
    t = await createTestApp({
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
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const create = (session: OrgSession, body: unknown, key?: string) => {
    const req = t.http.post('/v1/labels').set(session.auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };
  const restrictedSession = async (session: OrgSession, customerName: string, teamId: string) => {
    const res = await t.http.post('/v1/customers').set(session.auth).send({ name: customerName, team_id: teamId });
    expect(res.status).toBe(201);
    const customer = res.body.data as { id: string; team_id: string };
    const key = await t.app.get(ApiKeysService).create(session.organizationId, { customerId: customer.id, label: 'restricted' });
    return { customer, restricted: { ...session, auth: { Authorization: `Bearer ${key.secret}` } } };
  };

  it('POST → 201 with the label (name trimmed, colour gray by default, the only team); no event is written', async () => {
    const session = await createOrgSession(t.app);
    const eventsBefore = await prisma.event.count({ where: { orgId: session.organizationId } });
    const res = await create(session, { name: '  VIP   customer ' });
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(ID),
      object: 'label',
      team_id: session.teamId,
      name: 'VIP customer',
      color: 'gray',
      created_at: expect.any(String),
      updated_at: res.body.data.created_at,
    });
    expect(await prisma.label.findUniqueOrThrow({ where: { id: res.body.data.id } })).toMatchObject({
      orgId: session.organizationId,
      nameKey: 'vip customer',
    });
    const colored = await create(session, { name: 'Urgent', color: 'red' });
    expect(colored.status).toBe(201);
    expect(colored.body.data.color).toBe('red');
    expect(await prisma.event.count({ where: { orgId: session.organizationId } })).toBe(eventsBefore);
  });

  it('the same name ignoring case in the same team → 409 label_already_exists; in another team it is fine', async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    const [first, second] = session.teamIds as [string, string];
    expect((await create(session, { name: 'Wholesale', team_id: first })).status).toBe(201);
    expectError(await create(session, { name: 'wHOLESALE', team_id: first }), 409, 'label_already_exists', 'name');
    expectError(await create(session, { name: ' wholesale ', team_id: first }), 409, 'label_already_exists');
    const other = await create(session, { name: 'WHOLESALE', team_id: second });
    expect(other.status).toBe(201);
    expect(other.body.data.team_id).toBe(second);
    expect(await prisma.label.count({ where: { orgId: session.organizationId } })).toBe(2);
  });

  it('multi-team resolution: several teams and no team_id → 422 team_id_required; a foreign or unknown team → 404', async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    expectError(await create(session, { name: 'A' }), 422, 'team_id_required', 'team_id');
    expectError(await create(session, { name: 'A', team_id: s.teamId }), 404, 'resource_not_found');
    expectError(await create(session, { name: 'A', team_id: 'team_01J0000000000000000000000' }), 400, 'invalid_field_value', 'team_id');
    expectError(await create(session, { name: 'A', team_id: 'team_01J00000000000000000000000' }), 404, 'resource_not_found');
    expect(await prisma.label.count({ where: { orgId: session.organizationId } })).toBe(0);
  });

  it.each([
    [{ name: '' }, 'invalid_field_value', 'name'],
    [{ name: '   ' }, 'invalid_field_value', 'name'],
    [{ name: 'x'.repeat(51) }, 'invalid_field_value', 'name'],
    [{ name: 42 }, 'invalid_field_value', 'name'],
    [{ name: 'a\u0007b' }, 'invalid_field_value', 'name'],
    [{}, 'missing_required_field', 'name'],
    [{ name: 'Fine', color: 'purple' }, 'invalid_field_value', 'color'],
    [{ name: 'Fine', color: null }, 'invalid_field_value', 'color'],
    [{ name: 'Fine', colour: 'red' }, 'unknown_field', 'colour'],
  ])('POST %j → 400 %s (%s), nothing stored', async (body, code, param) => {
    const session = await createOrgSession(t.app);
    expectError(await create(session, body), 400, code, param);
    expect(await prisma.label.count({ where: { orgId: session.organizationId } })).toBe(0);
  });

  it('a name of exactly 50 characters (after trimming) is accepted', async () => {
    const res = await create(s, { name: ` ${'é'.repeat(50)} ` });
    expect(res.status).toBe(201);
    expect(res.body.data.name).toBe('é'.repeat(50));
  });

  it('an Idempotency-Key replays the create: one label', async () => {
    const session = await createOrgSession(t.app);
    const first = await create(session, { name: 'Replayed' }, 'label-key-1');
    const again = await create(session, { name: 'Replayed' }, 'label-key-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.data).toEqual(first.body.data);
    expect(await prisma.label.count({ where: { orgId: session.organizationId } })).toBe(1);
  });

  it('GET list: newest first, paginated by cursor (every label once), filter team_id; a tampered cursor → 400', async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    const [first, second] = session.teamIds as [string, string];
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await create(session, { name: `L${i}`, team_id: i % 2 === 0 ? first : second })).body.data.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await t.http
        .get('/v1/labels')
        .query({ limit: 3, ...(cursor !== null && { cursor }) })
        .set(session.auth);
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.data.map((l: { id: string }) => l.id));
      expect(res.body.has_more).toBe(res.body.next_cursor !== null);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());

    const filtered = await t.http.get('/v1/labels').query({ team_id: second }).set(session.auth);
    expect(filtered.body.data.map((l: { id: string }) => l.id)).toEqual([made[5], made[3], made[1]]);
    const page1 = await t.http.get('/v1/labels').query({ limit: 2 }).set(session.auth);
    expectError(
      await t.http.get('/v1/labels').query({ limit: 2, team_id: second, cursor: page1.body.next_cursor }).set(session.auth),
      400,
      'invalid_cursor',
    );
    expectError(await t.http.get('/v1/labels').query({ limit: 0 }).set(session.auth), 400, 'invalid_limit');
    expectError(await t.http.get('/v1/labels').query({ team_id: 'nope' }).set(session.auth), 400, 'invalid_field_value', 'team_id');
  });

  it('GET one; PATCH renames and recolours (409 for a taken name, any case; a no-op PATCH changes nothing)', async () => {
    const session = await createOrgSession(t.app);
    const label = (await create(session, { name: 'Lead' })).body.data;
    await create(session, { name: 'Customer' });
    expect((await t.http.get(`/v1/labels/${label.id}`).set(session.auth)).body.data).toEqual(label);

    await new Promise((r) => setTimeout(r, 5));
    const renamed = await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ name: ' Hot lead ', color: 'orange' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data).toMatchObject({ id: label.id, name: 'Hot lead', color: 'orange', created_at: label.created_at });
    expect(renamed.body.data.updated_at > label.updated_at).toBe(true);
    expect((await prisma.label.findUniqueOrThrow({ where: { id: label.id } })).nameKey).toBe('hot lead');

    // Only the case changes: its own name, so allowed.
    expect((await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ name: 'HOT lead' })).body.data.name).toBe('HOT lead');
    expectError(await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ name: 'customer' }), 409, 'label_already_exists');
    expectError(
      await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ color: 'mauve' }),
      400,
      'invalid_field_value',
      'color',
    );
    expectError(await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ name: null }), 400, 'invalid_field_value', 'name');
    expectError(await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ team_id: session.teamId }), 400, 'unknown_field');
    const current = (await t.http.get(`/v1/labels/${label.id}`).set(session.auth)).body.data;
    expect(current).toMatchObject({ name: 'HOT lead', color: 'orange' });
    const noop = await t.http.patch(`/v1/labels/${label.id}`).set(session.auth).send({ name: 'HOT lead', color: 'orange' });
    expect(noop.status).toBe(200);
    expect(noop.body.data).toEqual(current);
    expectError(await t.http.get('/v1/labels/lbl_01J00000000000000000000000').set(session.auth), 404, 'resource_not_found');
    expectError(await t.http.get('/v1/labels/cus_01J00000000000000000000000').set(session.auth), 400, 'invalid_field_value', 'id');
  });

  it('DELETE → 200 with the label as it was; it is detached from every contact and conversation (and gone)', async () => {
    const session = await createOrgSession(t.app);
    const account = { ...(await seedAccount(t.app, session)), teamId: session.teamId };
    const parties = await seedContact(t.app, account, freshWaId(), new Date());
    const doomed = (await create(session, { name: 'Doomed', color: 'pink' })).body.data;
    const kept = (await create(session, { name: 'Kept' })).body.data;
    for (const label of [doomed, kept]) {
      const c = await t.http
        .post(`/v1/${account.phoneNumberId}/contacts/${parties.contactId}/labels`)
        .set(session.auth)
        .send({ label_id: label.id });
      expect(c.status).toBe(200);
      const v = await t.http
        .post(`/v1/${account.phoneNumberId}/conversations/${parties.conversationId}/labels`)
        .set(session.auth)
        .send({ label_id: label.id });
      expect(v.status).toBe(200);
    }
    const contact = await t.http.get(`/v1/${account.phoneNumberId}/contacts/${parties.contactId}`).set(session.auth);
    expect(contact.body.data.labels.map((l: { id: string }) => l.id)).toEqual([doomed.id, kept.id]);

    const deleted = await t.http.delete(`/v1/labels/${doomed.id}`).set(session.auth);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual(doomed);
    expectError(await t.http.get(`/v1/labels/${doomed.id}`).set(session.auth), 404, 'resource_not_found');
    expectError(await t.http.delete(`/v1/labels/${doomed.id}`).set(session.auth), 404, 'resource_not_found');
    const summary = { id: kept.id, name: 'Kept', color: 'gray' };
    expect((await t.http.get(`/v1/${account.phoneNumberId}/contacts/${parties.contactId}`).set(session.auth)).body.data.labels).toEqual([
      summary,
    ]);
    expect(
      (await t.http.get(`/v1/${account.phoneNumberId}/conversations/${parties.conversationId}`).set(session.auth)).body.data.labels,
    ).toEqual([summary]);
    expect(await prisma.contactLabel.count({ where: { labelId: doomed.id } })).toBe(0);
    expect(await prisma.conversationLabel.count({ where: { labelId: doomed.id } })).toBe(0);
    // A label of that name can be created again.
    expect((await create(session, { name: 'doomed' })).status).toBe(201);
  });

  it("another organization's label is 404 on every label endpoint, and absent from its list", async () => {
    const other = await createOrgSession(t.app);
    const mine = (await create(s, { name: 'Private' })).body.data;
    const before = await prisma.label.findUniqueOrThrow({ where: { id: mine.id } });
    expectError(await t.http.get(`/v1/labels/${mine.id}`).set(other.auth), 404, 'resource_not_found');
    expectError(await t.http.patch(`/v1/labels/${mine.id}`).set(other.auth).send({ name: 'Taken over' }), 404, 'resource_not_found');
    expectError(await t.http.delete(`/v1/labels/${mine.id}`).set(other.auth), 404, 'resource_not_found');
    expect((await t.http.get('/v1/labels').set(other.auth)).body.data).toEqual([]);
    expect(await prisma.label.findUniqueOrThrow({ where: { id: mine.id } })).toEqual(before);
  });

  it("a customer-restricted key reads only its customer's team's labels and cannot create, change or delete any (403)", async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    const [first, second] = session.teamIds as [string, string];
    const { restricted } = await restrictedSession(session, 'Toko A', first);
    const ofFirst = (await create(session, { name: 'First', team_id: first })).body.data;
    const ofSecond = (await create(session, { name: 'Second', team_id: second })).body.data;
    const list = await t.http.get('/v1/labels').set(restricted.auth);
    expect(list.status).toBe(200);
    expect(list.body.data.map((l: { id: string }) => l.id)).toEqual([ofFirst.id]);
    expect((await t.http.get(`/v1/labels/${ofFirst.id}`).set(restricted.auth)).status).toBe(200);
    expectError(await t.http.get(`/v1/labels/${ofSecond.id}`).set(restricted.auth), 404, 'resource_not_found');
    expectError(await create(restricted, { name: 'Mine', team_id: first }), 403, 'customer_scope_forbidden');
    expectError(await t.http.patch(`/v1/labels/${ofFirst.id}`).set(restricted.auth).send({ name: 'X' }), 403, 'customer_scope_forbidden');
    expectError(await t.http.delete(`/v1/labels/${ofFirst.id}`).set(restricted.auth), 403, 'customer_scope_forbidden');
    expect(await prisma.label.count({ where: { orgId: session.organizationId } })).toBe(2);
  });
});
