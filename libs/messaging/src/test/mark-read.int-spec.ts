import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
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
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '../messaging-http.module';
import { connectSandboxNumber, freshWaId, type SeededAccount, seedContact } from './helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

let seq = 0;
const wamid = () => `wamid.HBgLread${Date.now().toString(36)}${(++seq).toString(36).padStart(4, '0')}AA==`;

/** `POST …/messages/{id}/read` and Meta's read body on the send endpoint, against the Meta sandbox. */
describe('mark as read (+ typing indicator) at Meta', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;

  beforeAll(async () => {
    sandbox = await startMetaSandbox();
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: sandbox.appSecret,
      RATE_LIMIT_WRITE_PER_MIN: '100000',
      RATE_LIMIT_READ_PER_MIN: '100000',
    });
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
    await sandbox?.stop();
  });

  type Account = SeededAccount & { teamId: string };
  const connect = async (session: OrgSession, customerId: string | null = null): Promise<Account> => ({
    ...(await connectSandboxNumber(t.app, session, sandbox, env.config.META_GRAPH_VERSION, { customerId })),
    teamId: session.teamId,
  });
  /** A conversation with inbound messages `received` one second apart (oldest first), and unread_count = their number. */
  const thread = async (a: Account, count: number, o: { outbound?: boolean } = {}) => {
    const parties = await seedContact(t.app, a, freshWaId(), new Date());
    const base = Date.now() - 60_000;
    const ids: { id: string; wamid: string }[] = [];
    for (let i = 0; i < count; i++) {
      const w = wamid();
      const id = newId('msg');
      await prisma.message.create({
        data: {
          id,
          orgId: a.organizationId,
          teamId: a.teamId,
          customerId: a.customerId,
          accountId: a.id,
          conversationId: parties.conversationId,
          contactId: parties.contactId,
          direction: o.outbound ? 'outbound' : 'inbound',
          type: 'text',
          content: { text: { body: `hello ${i}` } },
          status: o.outbound ? 'sent' : 'received',
          wamid: w,
          createdAt: new Date(base + i * 1000),
        },
      });
      ids.push({ id, wamid: w });
    }
    if (!o.outbound) await prisma.conversation.update({ where: { id: parties.conversationId }, data: { unreadCount: count } });
    return { ...parties, messages: ids };
  };
  const read = (session: OrgSession, a: { phoneNumberId: string }, id: string, body?: object) => {
    const req = t.http.post(`/v1/${a.phoneNumberId}/messages/${id}/read`).set(session.auth);
    return body === undefined ? req : req.send(body);
  };
  const metaBody = (session: OrgSession, a: { phoneNumberId: string }, body: object) =>
    t.http.post(`/v1/${a.phoneNumberId}/messages`).set(session.auth).send(body);
  /** Mark-as-read calls the sandbox received for the number (bodies as posted). */
  const readCalls = async (a: Account) =>
    (await sandbox.requests({ endpoint: 'messages', path_contains: `/${a.phoneNumberId}/messages` }))
      .filter((r) => (r.body as { status?: string } | null)?.status === 'read')
      .map((r) => ({ body: r.body, authorization: r.headers['authorization'], status: r.status }));
  const readEvents = (a: Account) =>
    prisma.event.findMany({
      where: { orgId: a.organizationId, type: 'message.read', data: { path: ['message', 'account_id'], equals: a.id } },
      orderBy: { id: 'asc' },
    });
  const statuses = async (ids: { id: string }[]) =>
    Promise.all(ids.map(async ({ id }) => (await prisma.message.findUniqueOrThrow({ where: { id } })).status));
  const unread = async (conversationId: string) =>
    (await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } })).unreadCount;

  it('200 with the message read; Meta called once with the wamid; earlier ones read too; unread_count = those still received; message.read once each', async () => {
    const session = await createOrgSession(t.app);
    const a = await connect(session);
    const c = await thread(a, 4);
    const [m0, m1, m2, m3] = c.messages as [
      { id: string; wamid: string },
      { id: string; wamid: string },
      { id: string; wamid: string },
      { id: string; wamid: string },
    ];
    const before = Date.now();
    const res = await read(session, a, m1.id);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: m1.id,
      object: 'message',
      direction: 'inbound',
      status: 'read',
      wamid: m1.wamid,
      conversation_id: c.conversationId,
    });
    expect(Date.parse(res.body.data.read_at)).toBeGreaterThanOrEqual(before - 5);
    expect(res.body.data.updated_at).toBe(res.body.data.read_at);

    const calls = await readCalls(a);
    expect(calls).toEqual([
      {
        body: { messaging_product: 'whatsapp', status: 'read', message_id: m1.wamid },
        authorization: expect.stringMatching(/^Bearer …/),
        status: 200,
      },
    ]);
    expect(await statuses([m0, m1, m2, m3])).toEqual(['read', 'read', 'received', 'received']);
    expect(await unread(c.conversationId)).toBe(2);
    const events = await readEvents(a);
    expect(events.map((e) => (e.data as { message: { id: string; status: string } }).message)).toEqual([
      expect.objectContaining({ id: m0.id, status: 'read' }),
      expect.objectContaining({ id: m1.id, status: 'read', read_at: res.body.data.read_at }),
    ]);
    expect(events.every((e) => e.teamId === a.teamId && e.customerId === null)).toBe(true);
    // Repeated, or an earlier message already read with it: 200, no Meta call, no event.
    expect((await read(session, a, m1.id)).body.data).toMatchObject({ status: 'read', read_at: res.body.data.read_at });
    expect((await read(session, a, m0.id, {})).body.data).toMatchObject({ status: 'read' });
    expect(await readCalls(a)).toHaveLength(1);
    expect(await readEvents(a)).toHaveLength(2);

    // The last one: everything read, unread_count 0.
    expect((await read(session, a, m3.id)).status).toBe(200);
    expect(await statuses([m2, m3])).toEqual(['read', 'read']);
    expect(await unread(c.conversationId)).toBe(0);
    expect(await readEvents(a)).toHaveLength(4);
  });

  it('typing_indicator: true is passed to Meta; on an already-read message Meta still gets it (an action), nothing changes here', async () => {
    const a = await connect(s);
    const c = await thread(a, 1);
    const m = c.messages[0] as { id: string; wamid: string };
    const res = await read(s, a, m.id, { typing_indicator: true });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('read');
    const again = await read(s, a, m.id, { typing_indicator: true });
    expect(again.status).toBe(200);
    expect(again.body.data.read_at).toBe(res.body.data.read_at);
    expect((await readCalls(a)).map((c2) => c2.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: m.wamid, typing_indicator: { type: 'text' } },
      { messaging_product: 'whatsapp', status: 'read', message_id: m.wamid, typing_indicator: { type: 'text' } },
    ]);
    expect(await readEvents(a)).toHaveLength(1);
    // typing_indicator: false is a plain read (no call for a read message).
    expect((await read(s, a, m.id, { typing_indicator: false })).status).toBe(200);
    expect(await readCalls(a)).toHaveLength(2);
  });

  it('an outbound message → 400 invalid_field_value; bad ids and bodies → 400; unknown message → 404; none calls Meta', async () => {
    const a = await connect(s);
    const out = await thread(a, 1, { outbound: true });
    expectError(await read(s, a, (out.messages[0] as { id: string }).id), 400, 'invalid_field_value', 'id');
    expectError(await read(s, a, 'msg_nope'), 400, 'invalid_field_value', 'id');
    expectError(await read(s, a, newId('msg')), 404, 'resource_not_found');
    const c = await thread(a, 1);
    const id = (c.messages[0] as { id: string }).id;
    expectError(await read(s, a, id, { typing_indicator: 'yes' }), 400, 'invalid_field_value', 'typing_indicator');
    expectError(await read(s, a, id, { surprise: 1 }), 400, 'unknown_field', 'surprise');
    expectError(await read(s, { phoneNumberId: 'abc' }, id), 400, 'invalid_field_value', 'phone_number_id');
    expect(await readCalls(a)).toEqual([]);
    expect(await statuses(c.messages)).toEqual(['received']);
  });

  it('Meta failing (5xx through the sandbox’s faults) → 502 whatsapp_upstream_error and nothing changed', async () => {
    const a = await connect(s);
    const c = await thread(a, 2);
    const m = c.messages[1] as { id: string };
    const fault = await sandbox.setFault({ endpoint: 'messages', target_id: a.phoneNumberId, http_status: 503, times: 1 });
    const failed = await read(s, a, m.id);
    expectError(failed, 502, 'whatsapp_upstream_error');
    expect(JSON.stringify(failed.body)).not.toMatch(/Bearer|token/i);
    expect(await statuses(c.messages)).toEqual(['received', 'received']);
    expect(await unread(c.conversationId)).toBe(2);
    expect(await readEvents(a)).toHaveLength(0);
    await sandbox.setFault({ endpoint: 'messages', target_id: a.phoneNumberId, error_code: 190, times: 1 });
    expectError(await read(s, a, m.id), 502, 'whatsapp_upstream_error');
    expect(fault.id).toBeTruthy();
    // Once Meta answers again it works.
    expect((await read(s, a, m.id)).body.data.status).toBe('read');
  });

  it('a disconnected account → 422 account_not_connected, no Meta call', async () => {
    const a = await connect(s);
    const c = await thread(a, 1);
    await prisma.whatsappAccount.update({ where: { id: a.id }, data: { status: 'disconnected' } });
    expectError(await read(s, a, (c.messages[0] as { id: string }).id), 422, 'account_not_connected');
    expect(await readCalls(a)).toEqual([]);
  });

  it("Meta's own read body on the send endpoint → 200 with the message, like …/read (found by wamid in this account)", async () => {
    const a = await connect(s);
    const c = await thread(a, 2);
    const [m0, m1] = c.messages as [{ id: string; wamid: string }, { id: string; wamid: string }];
    const res = await metaBody(s, a, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: m1.wamid,
      typing_indicator: { type: 'text' },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ id: m1.id, status: 'read', wamid: m1.wamid });
    expect(await statuses([m0, m1])).toEqual(['read', 'read']);
    expect((await readCalls(a)).map((r) => r.body)).toEqual([
      { messaging_product: 'whatsapp', status: 'read', message_id: m1.wamid, typing_indicator: { type: 'text' } },
    ]);
    // Without messaging_product, already read: 200 and no call.
    const again = await metaBody(s, a, { status: 'read', message_id: m0.wamid });
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ id: m0.id, status: 'read' });
    expect(await readCalls(a)).toHaveLength(1);

    expectError(await metaBody(s, a, { status: 'read', message_id: wamid() }), 404, 'resource_not_found');
    const out = await thread(a, 1, { outbound: true });
    expectError(
      await metaBody(s, a, { status: 'read', message_id: (out.messages[0] as { wamid: string }).wamid }),
      400,
      'invalid_field_value',
      'message_id',
    );
    expectError(await metaBody(s, a, { status: 'delivered', message_id: m0.wamid }), 400, 'invalid_field_value', 'status');
    expectError(await metaBody(s, a, { status: 'read', message_id: m0.wamid, to: '+628111' }), 400, 'unknown_field', 'to');
    // Another account's wamid (same organization) is not this account's message.
    const b = await connect(s);
    const other = await thread(b, 1);
    expectError(
      await metaBody(s, a, { status: 'read', message_id: (other.messages[0] as { wamid: string }).wamid }),
      404,
      'resource_not_found',
    );
    expect(await readCalls(a)).toHaveLength(1);
  });

  it('another organization → 404 on both endpoints; a customer-restricted key sees only its customer’s numbers', async () => {
    const a = await connect(s);
    const c = await thread(a, 1);
    const m = c.messages[0] as { id: string; wamid: string };
    const stranger = await createOrgSession(t.app);
    expectError(await read(stranger, a, m.id), 404, 'resource_not_found');
    expectError(await metaBody(stranger, a, { status: 'read', message_id: m.wamid }), 404, 'resource_not_found');
    // The stranger's own account with this message id in the path: still not found.
    const theirs = await connect(stranger);
    expectError(await read(stranger, theirs, m.id), 404, 'resource_not_found');

    const mine = (await t.http.post('/v1/customers').set(s.auth).send({ name: 'Toko Mine' })).body.data as { id: string };
    const other = (await t.http.post('/v1/customers').set(s.auth).send({ name: 'Toko Other' })).body.data as { id: string };
    const key = await t.app.get(ApiKeysService).create(s.organizationId, { customerId: mine.id, label: 'restricted' });
    const restricted = { ...s, auth: { Authorization: `Bearer ${key.secret}` } };
    const ours = await connect(s, mine.id);
    const notOurs = await connect(s, other.id);
    const cm = await thread(ours, 1);
    const co = await thread(notOurs, 1);
    for (const [acc, msg] of [
      [notOurs, co.messages[0]],
      [a, m],
    ] as const) {
      expectError(await read(restricted, acc, (msg as { id: string }).id), 404, 'resource_not_found');
      expectError(
        await metaBody(restricted, acc, { status: 'read', message_id: (msg as { wamid: string }).wamid }),
        404,
        'resource_not_found',
      );
    }
    expectError(await read(restricted, ours, (co.messages[0] as { id: string }).id), 404, 'resource_not_found');
    expect(await readCalls(a)).toEqual([]);
    expect(await readCalls(notOurs)).toEqual([]);
    const ok = await read(restricted, ours, (cm.messages[0] as { id: string }).id);
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ status: 'read', customer_id: mine.id });
    const events = await readEvents(ours);
    expect(events.filter((e) => e.customerId === mine.id)).toHaveLength(1);
  });
});
