import type { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { InboundProcessingService, type ProcessOutcome } from '../inbound/inbound-processing.service';
import { freshWaId, type SeededAccount, seedAccount } from './helpers';
import { bootWorker, envelope, inbound, inboundApiImports, inboundHttpOptions, storePayloadOnly, type ValueParts } from './inbound-helpers';

const SECRET = 'inbound-statements-secret';
const BATCH = 50;

/**
 * What one payload's transaction costs in statements (decision 60): every statement the pg driver sends
 * while the worker applies it. A payload of messages is the lock of the payload, the accounts of its numbers,
 * ONE statement for contacts + conversations + messages and ONE for the updates, the events and the mark —
 * whatever the number of messages, new or known contacts.
 */
describe('statements of one inbound payload', () => {
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let service: InboundProcessingService;
  let s: OrgSession;
  let recording: string[] | undefined;
  const clientQuery = Client.prototype.query;

  beforeAll(async () => {
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      recording?.push((typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim());
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof clientQuery;
    // No sweep during the test: every payload is processed by the test's own call.
    env = await createTestEnv({ META_APP_SECRET: SECRET, MESSAGING_SWEEP_GRACE_MS: '600000' });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    service = worker.get(InboundProcessingService);
    s = await createOrgSession(api.app);
  }, 60_000);
  afterAll(async () => {
    Client.prototype.query = clientQuery;
    await worker?.close();
    await api?.close();
    await env?.close();
  });

  const account = async (): Promise<SeededAccount> => seedAccount(api.app, s);
  /** Stores the payload (not enqueued), then processes it while recording its statements. */
  const processRecorded = async (acc: SeededAccount, parts: ValueParts): Promise<{ outcome: ProcessOutcome; sql: string[] }> => {
    const id = await storePayloadOnly(prisma, envelope([{ phoneNumberId: acc.phoneNumberId, value: parts }]), SECRET, new Date());
    recording = [];
    try {
      const outcome = await service.process(id);
      return { outcome, sql: recording };
    } finally {
      recording = undefined;
    }
  };
  const batchOf = (waIds: string[], name = 'Budi') => {
    const items = waIds.map((w) => inbound(w, 'text', { body: `hello from ${w}` }, { name }));
    return { contacts: items.map((i) => i.contact), messages: items.map((i) => i.message) };
  };
  const eventCounts = async (accountId: string) => {
    const events = await prisma.event.findMany({ where: { orgId: s.organizationId } });
    const counts: Record<string, number> = {};
    for (const e of events) {
      const data = e.data as { message?: { account_id: string }; contact?: { account_id: string }; conversation?: { account_id: string } };
      if ((data.message ?? data.contact ?? data.conversation)?.account_id !== accountId) continue;
      counts[e.type] = (counts[e.type] ?? 0) + 1;
    }
    return counts;
  };
  const ofMessages = (sql: string[]) => sql.filter((q) => !/^(BEGIN|COMMIT)/.test(q));

  it('50 new messages from 50 new contacts, then 50 from the same (known) contacts: four statements each', async () => {
    const acc = await account();
    const waIds = Array.from({ length: BATCH }, () => freshWaId());

    const first = await processRecorded(acc, batchOf(waIds));
    expect(first.outcome).toMatchObject({ outcome: 'processed', messages: BATCH, duplicates: 0 });
    expect(ofMessages(first.sql)).toEqual([
      expect.stringMatching(/FROM meta_webhook_payloads .*FOR UPDATE/),
      expect.stringMatching(/FROM whatsapp_accounts/),
      expect.stringMatching(/INSERT INTO contacts .*INSERT INTO conversations .*INSERT INTO messages/),
      expect.stringMatching(/UPDATE contacts .*UPDATE conversations .*INSERT INTO events .*UPDATE meta_webhook_payloads/),
    ]);
    expect(await eventCounts(acc.id)).toEqual({ 'contact.created': BATCH, 'conversation.created': BATCH, 'message.received': BATCH });

    const second = await processRecorded(acc, batchOf(waIds, 'Budi Santoso'));
    expect(second.outcome).toMatchObject({ outcome: 'processed', messages: BATCH, duplicates: 0 });
    expect(ofMessages(second.sql)).toHaveLength(4);
    expect(await eventCounts(acc.id)).toEqual({
      'contact.created': BATCH,
      'contact.updated': BATCH,
      'conversation.created': BATCH,
      'message.received': 2 * BATCH,
    });
    expect(await prisma.contact.count({ where: { accountId: acc.id } })).toBe(BATCH);
    const conversations = await prisma.conversation.findMany({ where: { accountId: acc.id } });
    expect(conversations).toHaveLength(BATCH);
    expect(conversations.every((v) => v.unreadCount === 2)).toBe(true);
    expect((await prisma.contact.findMany({ where: { accountId: acc.id } })).every((c) => c.profileName === 'Budi Santoso')).toBe(true);
  });

  it('one payload mixing a known contact (resolved conversation) and a new one writing twice: each event exactly once', async () => {
    const acc = await account();
    const known = freshWaId();
    const fresh = freshWaId();
    await processRecorded(acc, batchOf([known], 'Old name'));
    await prisma.conversation.updateMany({ where: { accountId: acc.id }, data: { status: 'resolved' } });

    const k = inbound(known, 'text', { body: 'back again' }, { name: 'New name' });
    const n1 = inbound(fresh, 'text', { body: 'first' }, { name: 'Sari' });
    const n2 = inbound(fresh, 'text', { body: 'second' }, { name: 'Sari' });
    const { outcome, sql } = await processRecorded(acc, {
      contacts: [k.contact, n1.contact],
      messages: [k.message, n1.message, n2.message, n1.message],
    });
    expect(outcome).toMatchObject({ messages: 3, duplicates: 1 });
    expect(ofMessages(sql)).toHaveLength(4);
    expect(await eventCounts(acc.id)).toEqual({
      'contact.created': 2,
      'contact.updated': 1,
      'conversation.created': 2,
      'conversation.updated': 1,
      'message.received': 4,
    });
    const contacts = await prisma.contact.findMany({ where: { accountId: acc.id }, orderBy: { waId: 'asc' } });
    expect(contacts.map((c) => [c.waId, c.profileName])).toEqual(
      [
        [known, 'New name'],
        [fresh, 'Sari'],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    const conversations = await prisma.conversation.findMany({ where: { accountId: acc.id }, include: { contact: true } });
    const byWaId = new Map(conversations.map((v) => [v.contact.waId, v]));
    expect(byWaId.get(known)).toMatchObject({ status: 'open', unreadCount: 2 });
    expect(byWaId.get(fresh)).toMatchObject({ status: 'open', unreadCount: 2 });
    const updated = (await prisma.event.findMany({ where: { orgId: s.organizationId, type: 'contact.updated' } })).filter(
      (e) => (e.data as { contact: { account_id: string } }).contact.account_id === acc.id,
    );
    expect(updated.map((e) => e.previousAttributes)).toEqual([{ profile_name: 'Old name' }]);
    // Every message.received carries the contact and conversation as the payload left them.
    const received = await prisma.event.findMany({ where: { orgId: s.organizationId, type: 'message.received' } });
    const last = received
      .map((e) => e.data as { contact: { wa_id: string }; conversation: { unread_count: number } })
      .filter((d) => d.contact.wa_id === fresh);
    expect(last.map((d) => d.conversation.unread_count)).toEqual([2, 2]);
  });

  it('a payload of messages all stored already (a retry in a new POST): nothing changes, nothing is emitted', async () => {
    const acc = await account();
    const parts = batchOf([freshWaId(), freshWaId()]);
    await processRecorded(acc, parts);
    const before = await eventCounts(acc.id);
    const conversationsBefore = await prisma.conversation.findMany({ where: { accountId: acc.id }, orderBy: { id: 'asc' } });

    const again = await processRecorded(acc, parts);
    expect(again.outcome).toMatchObject({ outcome: 'processed', messages: 0, duplicates: 2 });
    expect(ofMessages(again.sql).length).toBeLessThanOrEqual(4);
    expect(await eventCounts(acc.id)).toEqual(before);
    expect(await prisma.message.count({ where: { accountId: acc.id } })).toBe(2);
    expect(await prisma.conversation.findMany({ where: { accountId: acc.id }, orderBy: { id: 'asc' } })).toEqual(conversationsBefore);
  });
});
