import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '../messaging-http.module';
import {
  bodiesOfEveryType,
  freshWaId,
  HOUR,
  MINUTE,
  type SeededAccount,
  seedAccount,
  seedContact,
  seedInbound,
  templateBody,
  textBody,
} from './helpers';
import { seedTemplate } from './templates-helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

/** `POST /v1/{phone_number_id}/messages` and the reads, over HTTP (dispatch is dispatch.int-spec's). */
describe('messages API: send, policy checks, idempotency, reads, isolation', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let queue: Queue;
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
    queue = t.app.get<Queue>(getQueueToken('messaging-dispatch'));
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const send = (session: OrgSession, phoneNumberId: string, body: unknown, key?: string) => {
    const req = t.http.post(`/v1/${phoneNumberId}/messages`).set(session.auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };
  const account = async (session: OrgSession, o: Parameters<typeof seedAccount>[2] = {}) => {
    const a = { ...(await seedAccount(t.app, session, o)), teamId: session.teamId };
    await seedTemplate(t.app, a); // `order_update`, approved: what templateBody sends
    return a;
  };
  const createCustomer = async (session: OrgSession, name = 'Toko Maju') => {
    const res = await t.http.post('/v1/customers').set(session.auth).send({ name });
    expect(res.status).toBe(201);
    return res.body.data as { id: string };
  };
  /** Messages, contacts and events of the account: what a refused send must leave unchanged. */
  const footprint = async (a: SeededAccount) => ({
    messages: await prisma.message.count({ where: { accountId: a.id } }),
    contacts: await prisma.contact.count({ where: { accountId: a.id } }),
    events: await prisma.event.count({ where: { orgId: a.organizationId } }),
  });
  const jobOf = (messageId: string) => queue.getJob(`dispatch--${messageId}`);

  it('a text inside the window → 202 with the message pending; stored with message.created; the dispatch job queued', async () => {
    const a = await account(s);
    const waId = freshWaId();
    const parties = await seedContact(t.app, a, waId, new Date(Date.now() - HOUR));
    const res = await send(s, a.phoneNumberId, {
      ...textBody(`+${waId}`, 'Halo'),
      metadata: { order: 'A-1' },
      biz_opaque_callback_data: 'cb-1',
    });
    expect(res.status).toBe(202);
    const message = res.body.data;
    expect(message).toEqual({
      id: expect.stringMatching(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/),
      object: 'message',
      account_id: a.id,
      phone_number_id: a.phoneNumberId,
      customer_id: null,
      conversation_id: parties.conversationId,
      contact_id: parties.contactId,
      direction: 'outbound',
      type: 'text',
      content: { text: { body: 'Halo' } },
      status: 'pending',
      wamid: null,
      error: null,
      context: null,
      metadata: { order: 'A-1' },
      pricing: null,
      created_at: expect.any(String),
      updated_at: message.created_at,
      sent_at: null,
      delivered_at: null,
      read_at: null,
      failed_at: null,
    });
    const row = await prisma.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(row).toMatchObject({ status: 'pending', orgId: s.organizationId, teamId: s.teamId, bizOpaqueCallbackData: 'cb-1', attempts: 0 });
    expect(row.createdAt.toISOString()).toBe(message.created_at);
    const events = await prisma.event.findMany({ where: { orgId: s.organizationId, type: 'message.created' } });
    const event = events.find((e) => (e.data as { message: { id: string } }).message.id === message.id);
    expect(event).toMatchObject({ teamId: s.teamId, customerId: null, data: { message } });
    expect((await jobOf(message.id))?.data).toEqual({ messageId: message.id, accountId: a.id });
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: parties.conversationId } });
    expect(conversation.lastMessageAt?.toISOString()).toBe(message.created_at);
    expect((await t.http.get(`/v1/${a.phoneNumberId}/messages/${message.id}`).set(s.auth)).body.data).toEqual(message);
  });

  it('a template to a new wa_id creates the contact and the conversation, with contact.created and conversation.created', async () => {
    const a = await account(s);
    const waId = freshWaId();
    const res = await send(s, a.phoneNumberId, templateBody(`+${waId.slice(0, 2)} ${waId.slice(2, 5)}-${waId.slice(5)}`));
    expect(res.status).toBe(202);
    const contact = await prisma.contact.findUniqueOrThrow({ where: { accountId_waId: { accountId: a.id, waId } } });
    const conversation = await prisma.conversation.findUniqueOrThrow({
      where: { accountId_contactId: { accountId: a.id, contactId: contact.id } },
    });
    expect(res.body.data).toMatchObject({ contact_id: contact.id, conversation_id: conversation.id, type: 'template', status: 'pending' });
    const types = (
      await prisma.event.findMany({ where: { orgId: s.organizationId, createdAt: { gte: contact.createdAt } }, orderBy: { id: 'asc' } })
    ).map((e) => e.type);
    expect(types).toEqual(['contact.created', 'conversation.created', 'message.created']);
    const created = await prisma.event.findFirstOrThrow({
      where: { orgId: s.organizationId, type: 'contact.created' },
      orderBy: { id: 'desc' },
    });
    expect(created.data).toMatchObject({
      contact: { id: contact.id, object: 'contact', wa_id: waId, phone_number: `+${waId}`, labels: [] },
    });
    // A second template to the same number reuses both.
    const again = await send(s, a.phoneNumberId, templateBody(waId));
    expect(again.body.data).toMatchObject({ contact_id: contact.id, conversation_id: conversation.id });
    expect(await prisma.contact.count({ where: { accountId: a.id } })).toBe(1);
  });

  it('every message type of the spec is accepted and stored with its content as sent', async () => {
    const a = await account(s);
    const waId = freshWaId();
    const parties = await seedContact(t.app, a, waId, new Date(Date.now() - MINUTE));
    const wamid = `wamid.${newId('msg')}`;
    await seedInbound(t.app, a, parties, wamid);
    for (const [type, body] of Object.entries(bodiesOfEveryType(waId, wamid))) {
      const res = await send(s, a.phoneNumberId, body);
      expect({ type, status: res.status, body: res.status === 202 ? undefined : res.body }).toEqual({ type, status: 202, body: undefined });
      expect(res.body.data.type).toBe(type);
      const row = await prisma.message.findUniqueOrThrow({ where: { id: res.body.data.id } });
      expect(Object.keys(row.content as object)).toEqual([type]);
      if (type !== 'template') expect((row.content as Record<string, unknown>)[type]).toEqual(body[type]);
    }
  });

  it('a quoted reply needs a wamid of this account (400 context.message_id); a reaction likewise (400 reaction.message_id)', async () => {
    const a = await account(s);
    const other = await account(s);
    const waId = freshWaId();
    const parties = await seedContact(t.app, a, waId, new Date());
    const otherParties = await seedContact(t.app, other, waId, new Date());
    const known = `wamid.${newId('msg')}`;
    const elsewhere = `wamid.${newId('msg')}`;
    await seedInbound(t.app, a, parties, known);
    await seedInbound(t.app, other, otherParties, elsewhere);
    const before = await footprint(a);
    for (const wamid of ['wamid.unknown', elsewhere]) {
      expectError(
        await send(s, a.phoneNumberId, { ...textBody(waId), context: { message_id: wamid } }),
        400,
        'invalid_field_value',
        'context.message_id',
      );
      expectError(
        await send(s, a.phoneNumberId, { to: waId, type: 'reaction', reaction: { message_id: wamid, emoji: '👍' } }),
        400,
        'invalid_field_value',
        'reaction.message_id',
      );
    }
    expect(await footprint(a)).toEqual(before);
    const reply = await send(s, a.phoneNumberId, { ...textBody(waId), context: { message_id: known } });
    expect(reply.status).toBe(202);
    expect(reply.body.data.context).toEqual({ message_id: known });
  });

  describe('policy checks, before anything is stored', () => {
    it.each(['restricted', 'disconnected', 'archived'] as const)('an account %s → 422 account_not_connected', async (status) => {
      const a = await account(s, { status });
      const waId = freshWaId();
      await seedContact(t.app, a, waId, new Date());
      const before = await footprint(a);
      expectError(await send(s, a.phoneNumberId, textBody(waId)), 422, 'account_not_connected');
      expectError(await send(s, a.phoneNumberId, templateBody(freshWaId())), 422, 'account_not_connected');
      expect(await footprint(a)).toEqual(before);
    });

    it('a suspended customer → 422 customer_suspended; an archived one → 409 customer_archived', async () => {
      const session = await createOrgSession(t.app);
      const customer = await createCustomer(session);
      const a = await account(session, { customerId: customer.id });
      const waId = freshWaId();
      await seedContact(t.app, a, waId, new Date());
      const ok = await send(session, a.phoneNumberId, textBody(waId));
      expect(ok.status).toBe(202);
      // The statement fills the customer into the row, the event and the answer alike.
      expect(ok.body.data.customer_id).toBe(customer.id);
      const created = await prisma.event.findMany({ where: { orgId: session.organizationId, type: 'message.created' } });
      expect(created.find((e) => (e.data as { message: { id: string } }).message.id === ok.body.data.id)).toMatchObject({
        customerId: customer.id,
        data: { message: ok.body.data },
      });
      expect(await prisma.message.findUniqueOrThrow({ where: { id: ok.body.data.id } })).toMatchObject({ customerId: customer.id });

      expect((await t.http.patch(`/v1/customers/${customer.id}`).set(session.auth).send({ status: 'suspended' })).status).toBe(200);
      let before = await footprint(a);
      expectError(await send(session, a.phoneNumberId, textBody(waId)), 422, 'customer_suspended');
      expectError(await send(session, a.phoneNumberId, templateBody(freshWaId())), 422, 'customer_suspended');
      expect(await footprint(a)).toEqual(before);

      expect((await t.http.delete(`/v1/customers/${customer.id}`).set(session.auth)).status).toBe(200);
      before = await footprint(a);
      expectError(await send(session, a.phoneNumberId, textBody(waId)), 409, 'customer_archived');
      expect(await footprint(a)).toEqual(before);
    });

    it('the 24 h window: free-form at 23:59 since the last inbound → 202, at 24:01 → 422; never written → 422; templates and reactions exempt', async () => {
      const a = await account(s);
      const fresh = freshWaId();
      const stale = freshWaId();
      const never = freshWaId();
      await seedContact(t.app, a, fresh, new Date(Date.now() - 23 * HOUR - 59 * MINUTE));
      const staleParties = await seedContact(t.app, a, stale, new Date(Date.now() - 24 * HOUR - MINUTE));
      await seedContact(t.app, a, never, null);
      const wamid = `wamid.${newId('msg')}`;
      await seedInbound(t.app, a, staleParties, wamid);

      expect((await send(s, a.phoneNumberId, textBody(fresh))).status).toBe(202);
      const before = await footprint(a);
      expectError(await send(s, a.phoneNumberId, textBody(stale)), 422, 'outside_customer_service_window');
      expectError(await send(s, a.phoneNumberId, bodiesOfEveryType(stale, wamid)['image']), 422, 'outside_customer_service_window');
      expectError(await send(s, a.phoneNumberId, textBody(never)), 422, 'outside_customer_service_window');
      expectError(await send(s, a.phoneNumberId, textBody(freshWaId())), 422, 'outside_customer_service_window');
      expect(await footprint(a)).toEqual(before);
      expect((await send(s, a.phoneNumberId, templateBody(stale))).status).toBe(202);
      expect((await send(s, a.phoneNumberId, bodiesOfEveryType(stale, wamid)['reaction'])).status).toBe(202);
    });
  });

  it('an idempotent replay answers the same and stores and queues nothing again; another body with the key → 422', async () => {
    const a = await account(s);
    const waId = freshWaId();
    await seedContact(t.app, a, waId, new Date());
    const body = textBody(waId, 'only once');
    const first = await send(s, a.phoneNumberId, body, 'send-once-1');
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBe('false');
    const replay = await send(s, a.phoneNumberId, body, 'send-once-1');
    expect(replay.status).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.data).toEqual(first.body.data);
    expect(await prisma.message.count({ where: { accountId: a.id } })).toBe(1);
    expect(
      await prisma.event.count({
        where: { orgId: s.organizationId, type: 'message.created', data: { path: ['message', 'id'], equals: first.body.data.id } },
      }),
    ).toBe(1);
    expect(await jobOf(first.body.data.id)).toBeDefined();
    const jobs = await queue.getJobs(['wait', 'delayed', 'active', 'prioritized']);
    expect(jobs.filter((j) => (j.data as { accountId?: string }).accountId === a.id)).toHaveLength(1);
    expectError(await send(s, a.phoneNumberId, textBody(waId, 'other'), 'send-once-1'), 422, 'idempotency_key_reuse');
    // A refused send is stored for its key too (decision 9): the same refusal again, nothing stored.
    expectError(await send(s, a.phoneNumberId, textBody(freshWaId()), 'send-once-2'), 422, 'outside_customer_service_window');
    expectError(await send(s, a.phoneNumberId, textBody(freshWaId()), 'send-once-2'), 422, 'idempotency_key_reuse');
  });

  it("validation errors come back in the envelope with a dotted param; Meta's read body for an unknown wamid → 404", async () => {
    const a = await account(s);
    const waId = freshWaId();
    await seedContact(t.app, a, waId, new Date());
    const before = await footprint(a);
    const missing = await send(s, a.phoneNumberId, { type: 'text', text: { body: 'x' } });
    expectError(missing, 400, 'missing_required_field', 'to');
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', request_id: expect.stringMatching(/^req_/) });
    expectError(await send(s, a.phoneNumberId, textBody(waId, 'x'.repeat(4097))), 400, 'invalid_field_value', 'text.body');
    expectError(await send(s, a.phoneNumberId, { ...textBody(waId), surprise: 1 }), 400, 'unknown_field', 'surprise');
    expectError(await send(s, a.phoneNumberId, textBody('12')), 400, 'invalid_phone_number', 'to');
    const markRead = await send(s, a.phoneNumberId, { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.x' });
    expectError(markRead, 404, 'resource_not_found');
    expectError(await send(s, 'abc', textBody(waId)), 400, 'invalid_field_value', 'phone_number_id');
    expect(await footprint(a)).toEqual(before);
  });

  it('lists newest first with keyset pagination and the filters of the spec; bad filters → 400', async () => {
    const session = await createOrgSession(t.app);
    const a = { ...(await seedAccount(t.app, session)), teamId: session.teamId };
    const w1 = freshWaId();
    const w2 = freshWaId();
    const p1 = await seedContact(t.app, a, w1, new Date());
    const p2 = await seedContact(t.app, a, w2, new Date());
    const inboundId = await seedInbound(t.app, a, p1, `wamid.${newId('msg')}`);
    const ids: string[] = [inboundId];
    for (const w of [w1, w2, w1]) ids.push((await send(session, a.phoneNumberId, textBody(w))).body.data.id as string);
    await prisma.message.update({ where: { id: ids[1] as string }, data: { status: 'failed' } });
    const list = (q: Record<string, string | number> = {}) => t.http.get(`/v1/${a.phoneNumberId}/messages`).query(q).set(session.auth);
    const idsOf = (res: Response) => (res.body.data as { id: string }[]).map((m) => m.id);

    const newest = [...ids].reverse();
    const all = await list();
    expect(all.status).toBe(200);
    expect(idsOf(all)).toEqual(newest);
    const page1 = await list({ limit: 2 });
    expect(page1.body).toMatchObject({ has_more: true });
    const page2 = await list({ limit: 2, cursor: page1.body.next_cursor });
    expect([...idsOf(page1), ...idsOf(page2)]).toEqual(newest);
    expect(page2.body).toMatchObject({ has_more: false, next_cursor: null });
    expect(idsOf(await list({ direction: 'inbound' }))).toEqual([inboundId]);
    expect(idsOf(await list({ direction: 'outbound', status: 'pending' }))).toEqual([ids[3], ids[2]]);
    expect(idsOf(await list({ status: 'failed' }))).toEqual([ids[1]]);
    expect(idsOf(await list({ contact_id: p2.contactId }))).toEqual([ids[2]]);
    expect(idsOf(await list({ conversation_id: p1.conversationId }))).toEqual([ids[3], ids[1], inboundId]);
    const second = await prisma.message.findUniqueOrThrow({ where: { id: ids[2] as string } });
    expect(idsOf(await list({ created_after: second.createdAt.toISOString() }))).toEqual([ids[3]]);
    expect(idsOf(await list({ created_before: second.createdAt.toISOString() }))).toEqual([ids[1], inboundId]);
    expectError(await list({ status: 'nope' }), 400, 'invalid_field_value', 'status');
    expectError(await list({ direction: 'up' }), 400, 'invalid_field_value', 'direction');
    expectError(await list({ contact_id: 'cnv_x' }), 400, 'invalid_field_value', 'contact_id');
    expectError(await list({ created_after: 'yesterday' }), 400, 'invalid_field_value', 'created_after');
    expectError(await list({ limit: 2, status: 'failed', cursor: page1.body.next_cursor }), 400, 'invalid_cursor');
    expectError(await list({ colour: 'red' }), 400, 'unknown_field', 'colour');
    expectError(
      await t.http.get(`/v1/${a.phoneNumberId}/messages/cus_01J00000000000000000000000`).set(session.auth),
      400,
      'invalid_field_value',
      'id',
    );
    expectError(await t.http.get(`/v1/${a.phoneNumberId}/messages/${newId('msg')}`).set(session.auth), 404, 'resource_not_found');
  });

  describe('isolation: every endpoint answers 404 across tenants', () => {
    it("another organization's number, and its messages under our own number", async () => {
      const other = await createOrgSession(t.app);
      const theirs = { ...(await seedAccount(t.app, other)), teamId: other.teamId };
      const mine = await account(s);
      const waId = freshWaId();
      await seedContact(t.app, theirs, waId, new Date());
      const theirMessage = (await send(other, theirs.phoneNumberId, textBody(waId))).body.data.id as string;
      const before = await footprint(theirs);

      expectError(await send(s, theirs.phoneNumberId, templateBody(waId)), 404, 'resource_not_found');
      expectError(await t.http.get(`/v1/${theirs.phoneNumberId}/messages`).set(s.auth), 404, 'resource_not_found');
      expectError(await t.http.get(`/v1/${theirs.phoneNumberId}/messages/${theirMessage}`).set(s.auth), 404, 'resource_not_found');
      expectError(await t.http.get(`/v1/${mine.phoneNumberId}/messages/${theirMessage}`).set(s.auth), 404, 'resource_not_found');
      expectError(await send(s, '999999999999', templateBody(waId)), 404, 'resource_not_found');
      expect(await footprint(theirs)).toEqual(before);
      expect((await t.http.get(`/v1/${theirs.phoneNumberId}/messages/${theirMessage}`).set(other.auth)).status).toBe(200);
    });

    it("a customer-restricted key: its customer's number only (not another customer's, nor the team's own)", async () => {
      const session = await createOrgSession(t.app);
      const mine = await createCustomer(session, 'Mine');
      const theirs = await createCustomer(session, 'Theirs');
      const a = { ...(await seedAccount(t.app, session, { customerId: mine.id })), teamId: session.teamId };
      const b = { ...(await seedAccount(t.app, session, { customerId: theirs.id })), teamId: session.teamId };
      const own = { ...(await seedAccount(t.app, session)), teamId: session.teamId };
      const key = await t.app.get(ApiKeysService).create(session.organizationId, { customerId: mine.id, label: 'restricted' });
      const restricted = { ...session, auth: { Authorization: `Bearer ${key.secret}` } };
      const waId = freshWaId();
      const messageOf = async (acc: SeededAccount & { teamId: string }) => {
        await seedContact(t.app, acc, waId, new Date());
        return (await send(session, acc.phoneNumberId, textBody(waId))).body.data.id as string;
      };
      const [ma, mb, mo] = [await messageOf(a), await messageOf(b), await messageOf(own)];

      const sent = await send(restricted, a.phoneNumberId, textBody(waId));
      expect(sent.status).toBe(202);
      expect(sent.body.data.customer_id).toBe(mine.id);
      expect((await t.http.get(`/v1/${a.phoneNumberId}/messages/${ma}`).set(restricted.auth)).status).toBe(200);
      for (const [acc, id] of [
        [b, mb],
        [own, mo],
      ] as const) {
        const before = await footprint(acc);
        expectError(await send(restricted, acc.phoneNumberId, textBody(waId)), 404, 'resource_not_found');
        expectError(await t.http.get(`/v1/${acc.phoneNumberId}/messages`).set(restricted.auth), 404, 'resource_not_found');
        expectError(await t.http.get(`/v1/${acc.phoneNumberId}/messages/${id}`).set(restricted.auth), 404, 'resource_not_found');
        expectError(await t.http.get(`/v1/${a.phoneNumberId}/messages/${id}`).set(restricted.auth), 404, 'resource_not_found');
        expect(await footprint(acc)).toEqual(before);
      }
    });
  });
});
