import type { INestApplicationContext } from '@nestjs/common';
import type { Response } from 'supertest';
import { ApiKeysService, UsersService } from '@kirim/identity';
import { newId, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { InboundProcessingService } from '../inbound/inbound-processing.service';
import { freshWaId, type SeededAccount, seedAccount, seedContact } from './helpers';
import { bootWorker, envelope, inbound, inboundApiImports, inboundHttpOptions, storePayloadOnly } from './inbound-helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

const SECRET = 'conversations-secret';
type Account = SeededAccount & { teamId: string };
type Json = Record<string, unknown>;

/** `/v1/{phone_number_id}/conversations`: list order and filters, PATCH with its events, labels, isolation; inbound events carry labels and assignee. */
describe('conversations API', () => {
  let env: TestEnv;
  let t: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let s: OrgSession;
  let a: Account;

  beforeAll(async () => {
    env = await createTestEnv({
      META_APP_SECRET: SECRET,
      RATE_LIMIT_WRITE_PER_MIN: '100000',
      RATE_LIMIT_READ_PER_MIN: '100000',
    });
    t = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
    a = await account(s);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await env?.close();
  });

  async function account(session: OrgSession, o: Parameters<typeof seedAccount>[2] = {}): Promise<Account> {
    return { ...(await seedAccount(t.app, session, o)), teamId: session.teamId };
  }
  const path = (acc: { phoneNumberId: string }, rest = '') => `/v1/${acc.phoneNumberId}/conversations${rest}`;
  const conversation = async (acc: Account, o: { lastMessageAt?: Date | null; status?: 'open' | 'pending' | 'resolved' } = {}) => {
    const parties = await seedContact(t.app, acc, freshWaId(), null);
    await prisma.conversation.update({
      where: { id: parties.conversationId },
      data: { lastMessageAt: o.lastMessageAt === undefined ? new Date() : o.lastMessageAt, status: o.status ?? 'open' },
    });
    return parties;
  };
  const user = async (session: OrgSession, name: string) => {
    const { user: u } = await t.app
      .get(UsersService)
      .create(session.organizationId, { email: `${name}-${newId('usr').slice(-8)}@example.test`.toLowerCase(), name, role: 'agent' });
    return { id: u.id, email: u.email, name: u.name };
  };
  const label = async (session: OrgSession, name: string, teamId?: string) => {
    const res = await t.http
      .post('/v1/labels')
      .set(session.auth)
      .send({ name, ...(teamId !== undefined && { team_id: teamId }) });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; name: string; color: string };
  };
  const about = async (orgId: string, conversationId: string) =>
    (await prisma.event.findMany({ where: { orgId, type: { startsWith: 'conversation.' } }, orderBy: { id: 'asc' } })).filter(
      (e) => (e.data as { conversation: { id: string } }).conversation.id === conversationId,
    );
  const patch = (acc: Account, id: string, body: Json, session = s) =>
    t.http
      .patch(path(acc, `/${id}`))
      .set(session.auth)
      .send(body);

  it('GET one: the resource with contact, assignee null, labels, unread count and the service window', async () => {
    const waId = freshWaId();
    const inboundAt = new Date(Date.now() - 60_000);
    const parties = await seedContact(t.app, a, waId, inboundAt);
    await prisma.contact.update({ where: { id: parties.contactId }, data: { profileName: 'Budi WA' } });
    const res = await t.http.get(path(a, `/${parties.conversationId}`)).set(s.auth);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({
      id: parties.conversationId,
      object: 'conversation',
      account_id: a.id,
      phone_number_id: a.phoneNumberId,
      customer_id: null,
      contact: { id: parties.contactId, wa_id: waId, phone_number: `+${waId}`, name: 'Budi WA' },
      status: 'open',
      assignee: null,
      labels: [],
      unread_count: 0,
      last_message_at: null,
      last_inbound_at: inboundAt.toISOString(),
      service_window_expires_at: new Date(inboundAt.getTime() + 24 * 3600_000).toISOString(),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expectError(await t.http.get(path(a, `/${newId('cnv')}`)).set(s.auth), 404, 'resource_not_found');
    expectError(await t.http.get(path(a, `/${parties.contactId}`)).set(s.auth), 400, 'invalid_field_value', 'id');
  });

  it('list: newest last_message_at first, none last, walked by cursor across that boundary; filters status, assignee_id, label_id, contact_id', async () => {
    const acc = await account(s);
    const base = Date.now() - 3600_000;
    const specs: { lastMessageAt: Date | null; status?: 'open' | 'pending' | 'resolved' }[] = [
      { lastMessageAt: new Date(base + 1000) },
      { lastMessageAt: new Date(base + 5000), status: 'resolved' },
      { lastMessageAt: null },
      { lastMessageAt: new Date(base + 3000), status: 'pending' },
      { lastMessageAt: new Date(base + 3000) }, // the same time as the previous: id breaks the tie
      { lastMessageAt: null, status: 'resolved' },
      { lastMessageAt: new Date(base + 9000) },
    ];
    const made: { contactId: string; conversationId: string }[] = [];
    for (const spec of specs) made.push(await conversation(acc, spec));
    const c = made.map((m) => m.conversationId);
    const expected = [c[6], c[1], c[4], c[3], c[0], c[5], c[2]];
    for (const limit of [1, 2, 3, 25]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t.http
          .get(path(acc))
          .query({ limit, ...(cursor !== null && { cursor }) })
          .set(s.auth);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(limit);
        seen.push(...res.body.data.map((v: { id: string }) => v.id));
        cursor = res.body.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual(expected);
    }

    const ids = async (query: Json) => {
      const res = await t.http.get(path(acc)).query(query).set(s.auth);
      expect(res.status).toBe(200);
      return res.body.data.map((v: { id: string }) => v.id);
    };
    expect(await ids({ status: 'resolved' })).toEqual([c[1], c[5]]);
    expect(await ids({ status: 'pending' })).toEqual([c[3]]);
    const agent = await user(s, 'Agent');
    await patch(acc, c[4] as string, { assignee_id: agent.id });
    await patch(acc, c[2] as string, { assignee_id: agent.id });
    expect(await ids({ assignee_id: agent.id })).toEqual([c[4], c[2]]);
    const tag = await label(s, `Hot ${newId('lbl').slice(-6)}`);
    for (const id of [c[0], c[5]])
      await t.http
        .post(path(acc, `/${id}/labels`))
        .set(s.auth)
        .send({ label_id: tag.id });
    expect(await ids({ label_id: tag.id })).toEqual([c[0], c[5]]);
    expect(await ids({ label_id: tag.id, status: 'resolved' })).toEqual([c[5]]);
    expect(await ids({ contact_id: made[3]?.contactId })).toEqual([c[3]]);
    expect(await ids({ contact_id: newId('ctc') })).toEqual([]);

    expectError(await t.http.get(path(acc)).query({ status: 'closed' }).set(s.auth), 400, 'invalid_field_value', 'status');
    expectError(await t.http.get(path(acc)).query({ assignee_id: 'bob' }).set(s.auth), 400, 'invalid_field_value', 'assignee_id');
    expectError(await t.http.get(path(acc)).query({ label_id: 'x' }).set(s.auth), 400, 'invalid_field_value', 'label_id');
    expectError(await t.http.get(path(acc)).query({ contact_id: c[0] }).set(s.auth), 400, 'invalid_field_value', 'contact_id');
    const page = await t.http.get(path(acc)).query({ limit: 2 }).set(s.auth);
    expectError(
      await t.http.get(path(acc)).query({ limit: 2, status: 'open', cursor: page.body.next_cursor }).set(s.auth),
      400,
      'invalid_cursor',
    );
  });

  it('PATCH: assign → updated + assigned; resolve → updated + resolved; unassign → updated only; a no-op → 200, no events', async () => {
    const { conversationId: id } = await conversation(a);
    const agent = await user(s, 'Sari');
    const assigned = await patch(a, id, { assignee_id: agent.id });
    expect(assigned.status).toBe(200);
    expect(assigned.body.data.assignee).toEqual(agent);
    let events = await about(s.organizationId, id);
    expect(events.map((e) => e.type)).toEqual(['conversation.updated', 'conversation.assigned']);
    expect(events[0]).toMatchObject({ previousAttributes: { assignee: null }, data: { conversation: assigned.body.data } });
    expect(events[1]).toMatchObject({ data: { conversation: assigned.body.data } });
    expect((await t.http.get(path(a, `/${id}`)).set(s.auth)).body.data).toEqual(assigned.body.data);

    const resolved = await patch(a, id, { status: 'resolved', assignee_id: agent.id });
    expect(resolved.body.data).toMatchObject({ status: 'resolved', assignee: agent });
    events = await about(s.organizationId, id);
    expect(events.slice(2).map((e) => [e.type, e.previousAttributes])).toEqual([
      ['conversation.updated', { status: 'open' }],
      ['conversation.resolved', null],
    ]);

    const other = await user(s, 'Tono');
    const both = await patch(a, id, { status: 'pending', assignee_id: other.id });
    expect(both.body.data).toMatchObject({ status: 'pending', assignee: other });
    events = await about(s.organizationId, id);
    expect(events.slice(4).map((e) => [e.type, e.previousAttributes])).toEqual([
      ['conversation.updated', { status: 'resolved', assignee: agent }],
      ['conversation.assigned', null],
    ]);

    const unassigned = await patch(a, id, { assignee_id: null });
    expect(unassigned.body.data.assignee).toBeNull();
    events = await about(s.organizationId, id);
    expect(events.slice(6).map((e) => [e.type, e.previousAttributes])).toEqual([['conversation.updated', { assignee: other }]]);

    const noop = await patch(a, id, { status: 'pending', assignee_id: null });
    expect(noop.status).toBe(200);
    expect(noop.body.data).toEqual(unassigned.body.data);
    expect(await about(s.organizationId, id)).toHaveLength(7);
  });

  it('PATCH refuses: no field (400), bad status or assignee shape (400), a user of another organization or unknown (404); nothing changes', async () => {
    const { conversationId: id } = await conversation(a);
    const stranger = await user(await createOrgSession(t.app), 'Stranger');
    const before = await prisma.conversation.findUniqueOrThrow({ where: { id } });
    expectError(await patch(a, id, {}), 400, 'missing_required_field');
    expectError(await patch(a, id, { status: 'closed' }), 400, 'invalid_field_value', 'status');
    expectError(await patch(a, id, { status: null }), 400, 'invalid_field_value', 'status');
    expectError(await patch(a, id, { assignee_id: 'usr_1' }), 400, 'invalid_field_value', 'assignee_id');
    expectError(await patch(a, id, { assignee_id: 42 }), 400, 'invalid_field_value', 'assignee_id');
    expectError(await patch(a, id, { unread_count: 0 }), 400, 'unknown_field', 'unread_count');
    expectError(await patch(a, id, { assignee_id: stranger.id }), 404, 'resource_not_found');
    expectError(await patch(a, id, { assignee_id: newId('usr'), status: 'resolved' }), 404, 'resource_not_found');
    expectError(await patch(a, newId('cnv'), { status: 'resolved' }), 404, 'resource_not_found');
    expect(await prisma.conversation.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await about(s.organizationId, id)).toHaveLength(0);
  });

  it('labels: attach (updated with the old labels) and detach, each idempotent; a label of another team or organization → 404', async () => {
    const session = await createOrgSession(t.app, { teams: 2 });
    const acc = await account(session);
    const { conversationId: id } = await conversation(acc);
    const tag = await label(session, 'Follow up', session.teamId);
    const summary = { id: tag.id, name: 'Follow up', color: 'gray' };
    const attached = await t.http
      .post(path(acc, `/${id}/labels`))
      .set(session.auth)
      .send({ label_id: tag.id });
    expect(attached.status).toBe(200);
    expect(attached.body.data.labels).toEqual([summary]);
    expect(
      (
        await t.http
          .post(path(acc, `/${id}/labels`))
          .set(session.auth)
          .send({ label_id: tag.id })
      ).body.data,
    ).toEqual(attached.body.data);
    const detached = await t.http.delete(path(acc, `/${id}/labels/${tag.id}`)).set(session.auth);
    expect(detached.body.data.labels).toEqual([]);
    expect((await t.http.delete(path(acc, `/${id}/labels/${tag.id}`)).set(session.auth)).status).toBe(200);
    const events = await about(session.organizationId, id);
    expect(events.map((e) => [e.type, e.previousAttributes])).toEqual([
      ['conversation.updated', { labels: [] }],
      ['conversation.updated', { labels: [summary] }],
    ]);
    expect(events[0]?.data).toEqual({ conversation: attached.body.data });

    const otherTeam = await label(session, 'Elsewhere', session.teamIds[1]);
    const otherOrg = await label(s, `Foreign ${newId('lbl').slice(-6)}`);
    for (const l of [otherTeam, otherOrg]) {
      expectError(
        await t.http
          .post(path(acc, `/${id}/labels`))
          .set(session.auth)
          .send({ label_id: l.id }),
        404,
        'resource_not_found',
      );
      expectError(await t.http.delete(path(acc, `/${id}/labels/${l.id}`)).set(session.auth), 404, 'resource_not_found');
    }
    expectError(
      await t.http
        .post(path(acc, `/${id}/labels`))
        .set(session.auth)
        .send({ label_id: 'lbl_x' }),
      400,
      'invalid_field_value',
      'label_id',
    );
    expect(await prisma.conversationLabel.count({ where: { conversationId: id } })).toBe(0);
  });

  it('inbound: message.received carries the contact and conversation with their labels and assignee; a resolved conversation reopens', async () => {
    const waId = freshWaId();
    const parties = await seedContact(t.app, a, waId, null);
    await prisma.conversation.update({ where: { id: parties.conversationId }, data: { status: 'resolved', lastMessageAt: new Date() } });
    const agent = await user(s, 'Inbox');
    const tag = await label(s, `Inbound ${newId('lbl').slice(-6)}`);
    const summary = { id: tag.id, name: tag.name, color: 'gray' };
    expect((await patch(a, parties.conversationId, { assignee_id: agent.id })).status).toBe(200);
    await t.http
      .post(path(a, `/${parties.conversationId}/labels`))
      .set(s.auth)
      .send({ label_id: tag.id });
    await t.http.post(`/v1/${a.phoneNumberId}/contacts/${parties.contactId}/labels`).set(s.auth).send({ label_id: tag.id });

    const item = inbound(waId, 'text', { body: 'Hello again' }, { name: 'Budi' });
    const payload = envelope([{ phoneNumberId: a.phoneNumberId, value: { contacts: [item.contact], messages: [item.message] } }]);
    const payloadId = await storePayloadOnly(prisma, payload, SECRET);
    expect((await worker.get(InboundProcessingService).process(payloadId)).messages).toBe(1);

    const received = (await prisma.event.findMany({ where: { orgId: s.organizationId, type: 'message.received' } })).find(
      (e) => (e.data as { contact: { id: string } }).contact.id === parties.contactId,
    );
    const data = received?.data as { contact: Json; conversation: Json };
    expect(data.contact).toMatchObject({ id: parties.contactId, labels: [summary], profile_name: 'Budi' });
    expect(data.conversation).toMatchObject({
      id: parties.conversationId,
      status: 'open',
      assignee: agent,
      labels: [summary],
      unread_count: 1,
    });
    const reopened = (await about(s.organizationId, parties.conversationId)).at(-1);
    expect(reopened).toMatchObject({ type: 'conversation.updated', previousAttributes: { status: 'resolved' } });
    expect((reopened?.data as { conversation: Json }).conversation).toMatchObject({ assignee: agent, labels: [summary] });
    const now = (await t.http.get(path(a, `/${parties.conversationId}`)).set(s.auth)).body.data;
    expect(now).toMatchObject({ status: 'open', assignee: agent, labels: [summary], unread_count: 1 });
    expect(data.conversation).toEqual(now);
  });

  describe('isolation', () => {
    const everyEndpoint = (acc: { phoneNumberId: string }, id: string, labelId: string, assigneeId: string) => [
      () => t.http.get(path(acc)),
      () => t.http.get(path(acc, `/${id}`)),
      () => t.http.patch(path(acc, `/${id}`)).send({ status: 'resolved' }),
      () => t.http.patch(path(acc, `/${id}`)).send({ assignee_id: assigneeId }),
      () => t.http.post(path(acc, `/${id}/labels`)).send({ label_id: labelId }),
      () => t.http.delete(path(acc, `/${id}/labels/${labelId}`)),
    ];
    const footprint = async () => ({
      conversations: await prisma.conversation.findMany({ orderBy: { id: 'asc' } }),
      links: await prisma.conversationLabel.count(),
      events: await prisma.event.count(),
    });

    it("another organization's number → 404 on every endpoint; its conversation through my own number → 404; nothing changes", async () => {
      const other = await createOrgSession(t.app);
      const theirs = await account(other);
      const { conversationId } = await conversation(theirs);
      const theirLabel = await label(other, 'Theirs');
      const me = await user(s, 'Me');
      const myLabel = await label(s, `Mine ${newId('lbl').slice(-6)}`);
      const before = await footprint();
      for (const call of everyEndpoint(theirs, conversationId, theirLabel.id, me.id))
        expectError(await call().set(s.auth), 404, 'resource_not_found');
      for (const call of everyEndpoint(a, conversationId, myLabel.id, me.id).slice(1))
        expectError(await call().set(s.auth), 404, 'resource_not_found');
      expect(await footprint()).toEqual(before);
    });

    it("a key restricted to customer A: customer B's number (and the team's own) → 404 everywhere; its own number works", async () => {
      const session = await createOrgSession(t.app);
      const customerOf = async (name: string) =>
        (await t.http.post('/v1/customers').set(session.auth).send({ name })).body.data as { id: string };
      const [ca, cb] = [await customerOf('A'), await customerOf('B')];
      const accA = await account(session, { customerId: ca.id });
      const accB = await account(session, { customerId: cb.id });
      const own = await account(session);
      const key = await t.app.get(ApiKeysService).create(session.organizationId, { customerId: ca.id, label: 'restricted' });
      const restricted = { Authorization: `Bearer ${key.secret}` };
      const tag = await label(session, 'Shared');
      const agent = await user(session, 'Agent');
      const [cvB, cvOwn, cvA] = [await conversation(accB), await conversation(own), await conversation(accA)];
      const before = await footprint();
      for (const [acc, cv] of [
        [accB, cvB],
        [own, cvOwn],
      ] as const) {
        for (const call of everyEndpoint(acc, cv.conversationId, tag.id, agent.id))
          expectError(await call().set(restricted), 404, 'resource_not_found');
        for (const call of everyEndpoint(accA, cv.conversationId, tag.id, agent.id).slice(1)) {
          expectError(await call().set(restricted), 404, 'resource_not_found');
        }
      }
      expect(await footprint()).toEqual(before);

      const list = await t.http.get(path(accA)).set(restricted);
      expect(list.body.data.map((v: { id: string }) => v.id)).toEqual([cvA.conversationId]);
      const assigned = await t.http
        .patch(path(accA, `/${cvA.conversationId}`))
        .set(restricted)
        .send({ assignee_id: agent.id, status: 'pending' });
      expect(assigned.status).toBe(200);
      expect(assigned.body.data).toMatchObject({ customer_id: ca.id, assignee: agent, status: 'pending' });
      expect((await about(session.organizationId, cvA.conversationId)).every((e) => e.customerId === ca.id)).toBe(true);
      const labelled = await t.http
        .post(path(accA, `/${cvA.conversationId}/labels`))
        .set(restricted)
        .send({ label_id: tag.id });
      expect(labelled.body.data.labels).toEqual([{ id: tag.id, name: 'Shared', color: 'gray' }]);
    });
  });
});
