import type { INestApplicationContext } from '@nestjs/common';
import type { Job } from 'bullmq';
import { newId, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { DispatchService, type DispatchPayload } from '../application/dispatch.service';
import { InboundProcessingService } from '../inbound/inbound-processing.service';
import { freshWaId, type SeededAccount, seedAccount } from './helpers';
import {
  bootWorker,
  envelope,
  inbound,
  inboundApiImports,
  inboundHttpOptions,
  postWebhook,
  status,
  storePayloadOnly,
  unix,
  type ValueParts,
  waitFor,
  wamid,
} from './inbound-helpers';

const SECRET = 'inbound-processing-secret';
const MINUTE = 60_000;

type Account = SeededAccount & { teamId: string };

/** The worker's processing of stored Meta webhooks: messages of every type, dedupe, parties, statuses, early statuses, routing, sweep, isolation. */
describe('inbound processing (worker)', () => {
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let a: OrgSession;
  let b: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv({ META_APP_SECRET: SECRET, MESSAGING_SWEEP_GRACE_MS: '300', RATE_LIMIT_READ_PER_MIN: '100000' });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    a = await createOrgSession(api.app);
    b = await createOrgSession(api.app);
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await env?.close();
  });

  const account = async (session: OrgSession = a): Promise<Account> => ({
    ...(await seedAccount(api.app, session)),
    teamId: session.teamId,
  });
  const allProcessed = () =>
    waitFor('every stored payload processed', async () => (await prisma.metaWebhookPayload.count({ where: { processedAt: null } })) === 0);
  /** Posts signed like Meta, expects the 200, waits until the worker processed it. */
  const deliver = async (body: unknown) => {
    const res = await postWebhook(api, body, SECRET);
    expect(res.status).toBe(200);
    await allProcessed();
  };
  const messagesOf = (acc: Account) => ({ value: (parts: ValueParts) => envelope([{ phoneNumberId: acc.phoneNumberId, value: parts }]) });
  const eventsOf = async (orgId: string, type?: string) =>
    prisma.event.findMany({ where: { orgId, ...(type !== undefined && { type }) }, orderBy: { id: 'asc' } });
  const eventsAbout = async (orgId: string, type: string, messageId: string) =>
    (await eventsOf(orgId, type)).filter((e) => (e.data as { message: { id: string } }).message.id === messageId);

  /** An outbound message as the dispatcher leaves it after Meta's 200: `sent` with its wamid. */
  const seedSent = async (acc: Account, w: string | null, o: { status?: 'pending' | 'sent' } = {}) => {
    const waId = freshWaId();
    const contact = await prisma.contact.create({
      data: { id: newId('ctc'), orgId: acc.organizationId, teamId: acc.teamId, customerId: acc.customerId, accountId: acc.id, waId },
    });
    const conversation = await prisma.conversation.create({
      data: {
        id: newId('cnv'),
        orgId: acc.organizationId,
        teamId: acc.teamId,
        customerId: acc.customerId,
        accountId: acc.id,
        contactId: contact.id,
      },
    });
    const sent = (o.status ?? 'sent') === 'sent';
    return prisma.message.create({
      data: {
        id: newId('msg'),
        orgId: acc.organizationId,
        teamId: acc.teamId,
        customerId: acc.customerId,
        accountId: acc.id,
        conversationId: conversation.id,
        contactId: contact.id,
        direction: 'outbound',
        type: 'template',
        content: { template: { name: 'order_update', language: { code: 'en_US' } } },
        status: o.status ?? 'sent',
        wamid: w,
        sentAt: sent ? new Date(Date.now() - MINUTE) : null,
      },
    });
  };

  it('stores every inbound type as received (unknown → unsupported, system → system), with contact, conversation and events', async () => {
    const acc = await account();
    const from = freshWaId();
    const quoted = wamid();
    const payloads: Record<string, unknown> = {
      text: { body: 'Does it come in another color?' },
      image: { caption: 'this one', mime_type: 'image/jpeg', sha256: 'abc=', id: '1479537139650973' },
      video: { mime_type: 'video/mp4', sha256: 'v=', id: '1479537139650974' },
      audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'a=', id: '1479537139650975', voice: true },
      document: { caption: 'invoice', filename: 'inv.pdf', mime_type: 'application/pdf', sha256: 'd=', id: '1479537139650976' },
      sticker: { mime_type: 'image/webp', sha256: 's=', id: '1479537139650977', animated: false },
      location: { latitude: -6.175, longitude: 106.827, name: 'Monas', address: 'Jakarta', url: 'https://example.com' },
      contacts: [
        {
          name: { formatted_name: 'Budi Santoso', first_name: 'Budi' },
          phones: [{ phone: '+62 811 000', wa_id: '62811000', type: 'CELL' }],
        },
      ],
      reaction: { message_id: quoted, emoji: '👍' },
      order: {
        catalog_id: '123',
        text: 'please',
        product_items: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 10, currency: 'IDR' }],
      },
    };
    const items = Object.entries(payloads).map(([type, payload]) => inbound(from, type, payload));
    const buttonReply = inbound(from, 'interactive', { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } });
    const listReply = inbound(from, 'interactive', { type: 'list_reply', list_reply: { id: 'row-1', title: 'Row', description: 'first' } });
    const button = inbound(
      from,
      'button',
      { payload: 'Unsubscribe', text: 'Unsubscribe' },
      { extra: { context: { from: '628110000', id: quoted } } },
    );
    const system = inbound(from, 'system', { body: 'User changed number', wa_id: '6281999', type: 'user_changed_number' });
    const unknownError = [
      { code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'not supported' } },
    ];
    const unknown = inbound(from, 'unknown', undefined, { extra: { errors: unknownError } });
    const unsupported = inbound(from, 'unsupported', undefined, { extra: { errors: unknownError } });
    const future = inbound(from, 'hologram', { shape: 'cube' });
    const all = [...items, buttonReply, listReply, button, system, unknown, unsupported, future];
    await deliver(
      messagesOf(acc).value({
        contacts: [(items[0] as { contact: Record<string, unknown> }).contact],
        messages: all.map((i) => i.message),
      }),
    );

    const stored = await prisma.message.findMany({ where: { accountId: acc.id }, orderBy: { id: 'asc' } });
    expect(stored).toHaveLength(all.length);
    const byWamid = new Map(stored.map((m) => [m.wamid, m]));
    for (const { message } of [...items, buttonReply, listReply, button, system]) {
      const type = message['type'] as string;
      expect(byWamid.get(message['id'] as string)).toMatchObject({
        direction: 'inbound',
        status: 'received',
        type,
        content: { [type]: message[type] },
      });
    }
    expect(byWamid.get(button.message['id'] as string)?.context).toEqual({ message_id: quoted });
    for (const { message } of [unknown, unsupported, future]) {
      expect(byWamid.get(message['id'] as string)).toMatchObject({ type: 'unsupported', status: 'received' });
    }
    expect(byWamid.get(unknown.message['id'] as string)?.content).toEqual({ unsupported: { type: 'unknown', errors: unknownError } });
    expect(byWamid.get(future.message['id'] as string)?.content).toEqual({
      unsupported: { type: 'hologram', hologram: { shape: 'cube' } },
    });

    const contact = await prisma.contact.findUniqueOrThrow({ where: { accountId_waId: { accountId: acc.id, waId: from } } });
    expect(contact).toMatchObject({ profileName: 'Budi', orgId: a.organizationId, teamId: a.teamId });
    expect(contact.lastInboundAt).not.toBeNull();
    const conversation = await prisma.conversation.findUniqueOrThrow({
      where: { accountId_contactId: { accountId: acc.id, contactId: contact.id } },
    });
    expect(conversation).toMatchObject({ status: 'open', unreadCount: all.length });
    expect(conversation.lastInboundAt).not.toBeNull();
    expect(conversation.lastMessageAt).not.toBeNull();

    const events = (await eventsOf(a.organizationId)).filter((e) => JSON.stringify(e.data).includes(acc.id));
    expect(events.filter((e) => e.type === 'contact.created')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'conversation.created')).toHaveLength(1);
    const received = events.filter((e) => e.type === 'message.received');
    expect(received).toHaveLength(all.length);
    const first = received[0]?.data as {
      message: Record<string, unknown>;
      contact: Record<string, unknown>;
      conversation: Record<string, unknown>;
    };
    expect(first.message).toMatchObject({
      object: 'message',
      direction: 'inbound',
      phone_number_id: acc.phoneNumberId,
      account_id: acc.id,
    });
    expect(first.contact).toMatchObject({ object: 'contact', wa_id: from, profile_name: 'Budi' });
    expect(first.conversation).toMatchObject({ object: 'conversation', status: 'open' });
  });

  it('the same payload twice → one message and one message.received; a retry inside a new batch adds only the new message', async () => {
    const acc = await account();
    const from = freshWaId();
    const one = inbound(from, 'text', { body: 'one' });
    const body = messagesOf(acc).value({ contacts: [one.contact], messages: [one.message] });
    await deliver(body);
    await deliver(body);
    const two = inbound(from, 'text', { body: 'two' });
    await deliver(messagesOf(acc).value({ contacts: [one.contact], messages: [one.message, two.message, one.message] }));
    const stored = await prisma.message.findMany({ where: { accountId: acc.id } });
    expect(stored.map((m) => (m.content as { text: { body: string } }).text.body).sort()).toEqual(['one', 'two']);
    const received = (await eventsOf(a.organizationId, 'message.received')).filter(
      (e) => (e.data as { message: { account_id: string } }).message.account_id === acc.id,
    );
    expect(received).toHaveLength(2);
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { accountId: acc.id } });
    expect(conversation.unreadCount).toBe(2);
    expect((await prisma.metaWebhookPayload.findMany({ where: { processedAt: null } })).length).toBe(0);
  });

  it('a processed payload processed again (a retried or swept job) changes nothing', async () => {
    const acc = await account();
    const item = inbound(freshWaId(), 'text', { body: 'once' });
    const id = await storePayloadOnly(
      prisma,
      messagesOf(acc).value({ contacts: [item.contact], messages: [item.message] }),
      SECRET,
      new Date(),
    );
    const service = worker.get(InboundProcessingService);
    expect((await service.process(id)).outcome).toBe('processed');
    const events = (await eventsOf(a.organizationId)).length;
    expect(await service.process(id)).toMatchObject({ outcome: 'already_processed', messages: 0 });
    expect(await prisma.message.count({ where: { accountId: acc.id } })).toBe(1);
    expect((await eventsOf(a.organizationId)).length).toBe(events);
  });

  it('creates the contact, then takes a newer profile name (contact.updated) but never an older one', async () => {
    const acc = await account();
    const from = freshWaId();
    const now = Date.now();
    const first = inbound(from, 'text', { body: 'hi' }, { name: 'Budi', at: new Date(now - 10 * MINUTE) });
    await deliver(messagesOf(acc).value({ contacts: [first.contact], messages: [first.message] }));
    const newer = inbound(from, 'text', { body: 'again' }, { name: 'Budi Santoso', at: new Date(now - 5 * MINUTE) });
    await deliver(messagesOf(acc).value({ contacts: [newer.contact], messages: [newer.message] }));
    const older = inbound(from, 'text', { body: 'late retry' }, { name: 'B.', at: new Date(now - 8 * MINUTE) });
    await deliver(messagesOf(acc).value({ contacts: [older.contact], messages: [older.message] }));

    const contact = await prisma.contact.findUniqueOrThrow({ where: { accountId_waId: { accountId: acc.id, waId: from } } });
    expect(contact.profileName).toBe('Budi Santoso');
    expect(contact.lastInboundAt?.toISOString()).toBe(new Date(Number(unix(new Date(now - 5 * MINUTE))) * 1000).toISOString());
    const about = (type: string) =>
      eventsOf(a.organizationId, type).then((es) => es.filter((e) => (e.data as { contact: { id: string } }).contact.id === contact.id));
    expect((await about('contact.created')).map((e) => (e.data as { contact: { profile_name: string } }).contact.profile_name)).toEqual([
      'Budi',
    ]);
    const updated = await about('contact.updated');
    expect(updated).toHaveLength(1);
    expect(updated[0]?.previousAttributes).toEqual({ profile_name: 'Budi' });
    expect(await prisma.message.count({ where: { contactId: contact.id } })).toBe(3);
  });

  it('a new message on a resolved conversation reopens it (conversation.updated), without a second conversation', async () => {
    const acc = await account();
    const from = freshWaId();
    const first = inbound(from, 'text', { body: 'hi' });
    await deliver(messagesOf(acc).value({ contacts: [first.contact], messages: [first.message] }));
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { accountId: acc.id } });
    await prisma.conversation.update({ where: { id: conversation.id }, data: { status: 'resolved', unreadCount: 0 } });
    const second = inbound(from, 'text', { body: 'one more question' });
    await deliver(messagesOf(acc).value({ contacts: [second.contact], messages: [second.message] }));
    expect(await prisma.conversation.findMany({ where: { accountId: acc.id } })).toEqual([
      expect.objectContaining({ id: conversation.id, status: 'open', unreadCount: 1 }),
    ]);
    const updated = (await eventsOf(a.organizationId, 'conversation.updated')).filter(
      (e) => (e.data as { conversation: { id: string } }).conversation.id === conversation.id,
    );
    expect(updated.map((e) => [(e.data as { conversation: { status: string } }).conversation.status, e.previousAttributes])).toEqual([
      ['open', { status: 'resolved' }],
    ]);
  });

  describe('statuses', () => {
    const PERMUTATIONS = [
      ['sent', 'delivered', 'read'],
      ['sent', 'read', 'delivered'],
      ['delivered', 'sent', 'read'],
      ['delivered', 'read', 'sent'],
      ['read', 'sent', 'delivered'],
      ['read', 'delivered', 'sent'],
    ];

    it('every order of sent/delivered/read, each delivered twice → read, timestamps filled, one event per transition, pricing kept', async () => {
      const acc = await account();
      const wamids = PERMUTATIONS.map(() => wamid());
      const rows = await Promise.all(wamids.map((w) => seedSent(acc, w)));
      const pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
      const base = Math.floor(Date.now() / 1000) * 1000 - 30_000; // Meta's timestamps are whole seconds
      const at = { sent: new Date(base), delivered: new Date(base + 2000), read: new Date(base + 4000) };
      const rounds = [0, 1, 2, 0, 1, 2]; // each status twice, in each message's order
      for (const [round, index] of rounds.entries()) {
        const statuses = PERMUTATIONS.map((order, i) => {
          const value = order[index] as 'sent' | 'delivered' | 'read';
          return status(wamids[i] as string, value, { at: at[value], extra: value === 'sent' ? { pricing } : {} });
        });
        // The first round also repeats itself inside one payload.
        await deliver(messagesOf(acc).value({ statuses: round === 0 ? [...statuses, ...statuses] : statuses }));
      }
      for (const [i, order] of PERMUTATIONS.entries()) {
        const row = await prisma.message.findUniqueOrThrow({ where: { id: (rows[i] as { id: string }).id } });
        expect({
          order,
          status: row.status,
          read: row.readAt?.getTime(),
          delivered: row.deliveredAt?.getTime(),
          pricing: row.pricing,
        }).toEqual({
          order,
          status: 'read',
          read: at.read.getTime(),
          delivered: at.delivered.getTime(),
          pricing,
        });
        const deliveredBeforeRead = order.indexOf('delivered') < order.indexOf('read');
        const counts = {
          sent: (await eventsAbout(a.organizationId, 'message.sent', row.id)).length,
          delivered: (await eventsAbout(a.organizationId, 'message.delivered', row.id)).length,
          read: (await eventsAbout(a.organizationId, 'message.read', row.id)).length,
        };
        expect({ order, counts }).toEqual({ order, counts: { sent: 0, delivered: deliveredBeforeRead ? 1 : 0, read: 1 } });
      }
      const read = (await eventsAbout(a.organizationId, 'message.read', (rows[0] as { id: string }).id))[0]?.data as {
        message: Record<string, unknown>;
      };
      expect(read.message).toMatchObject({ status: 'read', read_at: at.read.toISOString(), wamid: wamids[0] });
    });

    it.each([
      [131049, 'recipient_blocked'],
      [131047, 'outside_customer_service_window'],
      [131026, 'recipient_not_on_whatsapp'],
      [999999, 'meta_error'],
    ])(
      'failed (%s) after sent → failed with the mapped code %s and one message.failed; later statuses change nothing',
      async (code, mapped) => {
        const acc = await account();
        const w = wamid();
        const row = await seedSent(acc, w);
        const errors = [{ code, title: 'Some title', message: 'Some title', error_data: { details: 'Meta says why' }, href: '/docs' }];
        await deliver(messagesOf(acc).value({ statuses: [status(w, 'failed', { extra: { errors } })] }));
        await deliver(
          messagesOf(acc).value({ statuses: [status(w, 'delivered'), status(w, 'read'), status(w, 'failed', { extra: { errors } })] }),
        );
        const stored = await prisma.message.findUniqueOrThrow({ where: { id: row.id } });
        expect(stored).toMatchObject({
          status: 'failed',
          error: { code: mapped, message: 'Meta says why', meta_code: code, meta_title: 'Some title' },
        });
        expect(stored.deliveredAt).toBeNull();
        expect(stored.failedAt).not.toBeNull();
        expect(await eventsAbout(a.organizationId, 'message.failed', row.id)).toHaveLength(1);
        expect(await eventsAbout(a.organizationId, 'message.delivered', row.id)).toHaveLength(0);
        expect(await eventsAbout(a.organizationId, 'message.read', row.id)).toHaveLength(0);
      },
    );

    it('a failed status after read changes nothing', async () => {
      const acc = await account();
      const w = wamid();
      const row = await seedSent(acc, w);
      await deliver(
        messagesOf(acc).value({ statuses: [status(w, 'read'), status(w, 'failed', { extra: { errors: [{ code: 131026 }] } })] }),
      );
      expect(await prisma.message.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'read', error: null });
      expect(await eventsAbout(a.organizationId, 'message.failed', row.id)).toHaveLength(0);
    });

    it('statuses before the wamid is recorded are kept, then applied right after the dispatcher records it', async () => {
      const acc = await account();
      const w = wamid();
      const base = Date.now() - 10_000;
      await deliver(
        messagesOf(acc).value({
          statuses: [status(w, 'read', { at: new Date(base + 2000) }), status(w, 'delivered', { at: new Date(base + 1000) })],
        }),
      );
      expect(await prisma.earlyMessageStatus.count({ where: { accountId: acc.id, wamid: w } })).toBe(2);
      // The send: pending, Meta answered with wamid `w`, and the dispatcher records it (the path of a retry that records Meta's answer).
      const row = await seedSent(acc, null, { status: 'pending' });
      const job = { updateData: async () => undefined } as unknown as Job<DispatchPayload>;
      expect(await worker.get(DispatchService).dispatch({ messageId: row.id, accountId: acc.id, wamid: w, attempt: 1 }, job)).toBe('sent');
      const stored = await prisma.message.findUniqueOrThrow({ where: { id: row.id } });
      expect(stored).toMatchObject({ status: 'read', wamid: w });
      expect(stored.deliveredAt?.getTime()).toBe(Math.floor((base + 1000) / 1000) * 1000);
      expect(stored.readAt?.getTime()).toBe(Math.floor((base + 2000) / 1000) * 1000);
      expect(await prisma.earlyMessageStatus.count({ where: { wamid: w } })).toBe(0);
      for (const type of ['message.sent', 'message.delivered', 'message.read']) {
        expect({ type, n: (await eventsAbout(a.organizationId, type, row.id)).length }).toEqual({ type, n: 1 });
      }
    });

    it('an early status whose wamid shows up by another path is applied by the early-status sweep', async () => {
      const acc = await account();
      const w = wamid();
      await deliver(messagesOf(acc).value({ statuses: [status(w, 'delivered')] }));
      const row = await seedSent(acc, w);
      const applied = await waitFor(
        'the sweep applied it',
        async () => (await prisma.message.findUniqueOrThrow({ where: { id: row.id } })).deliveredAt,
        15_000,
      );
      expect(applied).toBeInstanceOf(Date);
      expect(await prisma.message.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: 'delivered' });
      expect(await eventsAbout(a.organizationId, 'message.delivered', row.id)).toHaveLength(1);
    });
  });

  it('a number Kirim does not know: the payload is kept and marked processed with a note, nothing created', async () => {
    const before = { messages: await prisma.message.count(), contacts: await prisma.contact.count(), events: await prisma.event.count() };
    const item = inbound(freshWaId(), 'text', { body: 'wrong number' });
    await deliver(
      envelope([
        {
          phoneNumberId: '987650000000001',
          value: { contacts: [item.contact], messages: [item.message], statuses: [status(wamid(), 'read')] },
        },
      ]),
    );
    const payload = await prisma.metaWebhookPayload.findFirstOrThrow({ orderBy: { receivedAt: 'desc' } });
    expect(payload.processedAt).not.toBeNull();
    expect(payload.note).toContain('unknown phone_number_id 987650000000001');
    expect({ messages: await prisma.message.count(), contacts: await prisma.contact.count(), events: await prisma.event.count() }).toEqual(
      before,
    );
    expect(await prisma.earlyMessageStatus.count({ where: { wamid: item.message['id'] as string } })).toBe(0);
  });

  it('group messages and statuses, template status updates and account updates: acknowledged, kept with a note, not applied', async () => {
    const acc = await account();
    const before = { messages: await prisma.message.count(), events: await prisma.event.count() };
    const group = inbound(freshWaId(), 'text', { body: 'to the group' }, { extra: { group_id: 'g-1' } });
    await deliver(
      messagesOf(acc).value({
        messages: [group.message],
        statuses: [status(wamid(), 'read', { extra: { recipient_type: 'group', recipient_participant_id: '628' } })],
      }),
    );
    await deliver({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1000000000001',
          time: 1751247548,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'APPROVED',
                message_template_id: 1689556908129832,
                message_template_name: 'order_update',
                message_template_language: 'en_US',
                reason: 'NONE',
              },
            },
            { field: 'account_update', value: { event: 'PARTNER_APP_INSTALLED', waba_info: { waba_id: '1000000000001' } } },
          ],
        },
      ],
    });
    const notes = (await prisma.metaWebhookPayload.findMany({ orderBy: { receivedAt: 'desc' }, take: 2 })).map((p) => p.note ?? '');
    expect(notes[1]).toMatch(/group message.*group status|group status.*group message/);
    // Both fields now have handlers: an unknown template and an event with no effect are noted, nothing applied.
    expect(notes[0]).toContain('message_template_status_update');
    expect(notes[0]).toContain('PARTNER_APP_INSTALLED');
    expect({ messages: await prisma.message.count(), events: await prisma.event.count() }).toEqual(before);
  });

  it('a payload stored whose job was lost (Redis flushed after the 200) is processed by the sweep', async () => {
    const acc = await account();
    const item = inbound(freshWaId(), 'text', { body: 'after the flush' });
    const id = await storePayloadOnly(prisma, messagesOf(acc).value({ contacts: [item.contact], messages: [item.message] }), SECRET);
    const processed = await waitFor(
      'the sweep',
      async () => (await prisma.metaWebhookPayload.findUniqueOrThrow({ where: { id } })).processedAt,
      15_000,
    );
    expect(processed).toBeInstanceOf(Date);
    expect(await prisma.message.findFirst({ where: { accountId: acc.id, wamid: item.message['id'] as string } })).toMatchObject({
      status: 'received',
    });
  });

  it("cross-tenant: one payload for org A's and org B's numbers creates rows each org sees alone", async () => {
    const accA = await account(a);
    const accB = await account(b);
    const fromA = inbound(freshWaId(), 'text', { body: 'for A' });
    const fromB = inbound(freshWaId(), 'text', { body: 'for B' });
    await deliver(
      envelope([
        { phoneNumberId: accA.phoneNumberId, value: { contacts: [fromA.contact], messages: [fromA.message] } },
        { phoneNumberId: accB.phoneNumberId, value: { contacts: [fromB.contact], messages: [fromB.message] } },
      ]),
    );
    const listA = await api.http.get(`/v1/${accA.phoneNumberId}/messages`).set(a.auth);
    expect(listA.status).toBe(200);
    expect(listA.body.data.map((m: { content: unknown }) => m.content)).toEqual([{ text: { body: 'for A' } }]);
    const listB = await api.http.get(`/v1/${accB.phoneNumberId}/messages`).set(b.auth);
    expect(listB.body.data.map((m: { content: unknown }) => m.content)).toEqual([{ text: { body: 'for B' } }]);
    // B cannot see A's number, its messages or learn that they exist.
    expect((await api.http.get(`/v1/${accA.phoneNumberId}/messages`).set(b.auth)).status).toBe(404);
    expect((await api.http.get(`/v1/${accA.phoneNumberId}/messages/${listA.body.data[0].id}`).set(b.auth)).status).toBe(404);
    expect((await api.http.get(`/v1/${accB.phoneNumberId}/messages/${listA.body.data[0].id}`).set(b.auth)).status).toBe(404);
    const rowsA = await prisma.contact.findMany({ where: { accountId: accA.id } });
    expect(rowsA.map((c) => c.orgId)).toEqual([a.organizationId]);
    const eventsB = await eventsOf(b.organizationId, 'message.received');
    expect(eventsB.map((e) => (e.data as { message: { content: unknown } }).message.content)).toEqual([{ text: { body: 'for B' } }]);
  });
});
