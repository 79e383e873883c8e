import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type ContactResource,
  type ConversationResource,
  type EventDataMap,
  type EventScope,
  type EventType,
  type EventWithPreviousAttributes,
  QUEUES,
} from '@kirim/contracts';
import {
  APP_CONFIG,
  type AppConfig,
  type DurableWork,
  InjectJobQueue,
  type JobQueue,
  newId,
  pooledPrng,
  sweepLostJobs,
  Transactional,
} from '@kirim/platform';
import { monotonicFactory } from 'ulid';
import type { Message } from '../domain/message';
import type { Contact, Conversation } from '../domain/parties';
import type { MessagingAccount } from '../infrastructure/messages.repository';
import { messageEventScope, toContactResource, toConversationResource, toMessageResource } from '../application/resources';
import { MetaChangeRouter } from './change-router';
import { type EventRow, InboundRepository, type StatusRow } from './inbound.repository';
import { type InboundMessageItem, readWebhookPayload, type StatusItem, unixSeconds, type WebhookStatus } from './meta-payload';
import { applyStatus, type StatusState, type StatusUpdate, statusUpdate } from './status-machine';

/** A payload that failed this many times is left to an operator (`last_error`), not swept again. */
export const MAX_PAYLOAD_ATTEMPTS = 25;
/** Early statuses whose wamid never shows up (another system's send on the same number) are dropped after this. */
export const EARLY_STATUS_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export interface ProcessOutcome {
  outcome: 'processed' | 'already_processed' | 'missing';
  messages: number;
  duplicates: number;
  transitions: number;
  early: number;
}

const nextUlid = monotonicFactory(pooledPrng);

/** What one payload writes after its reads, gathered for the one statement of {@link InboundRepository.writeResults}. */
interface PayloadWrites {
  contacts: Map<string, Parameters<InboundRepository['writeResults']>[0]['contacts'][number]>;
  conversations: Map<string, Parameters<InboundRepository['writeResults']>[0]['conversations'][number]>;
  statuses: StatusRow[];
  early: Record<string, unknown>[];
}
const key = (accountId: string, value: string) => `${accountId} ${value}`;
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const later = (a: Date | null, b: Date): Date => (a === null || b > a ? b : a);

/** The events of one payload, written in one statement at the end of its transaction, in the order they happened. */
class EventBatch {
  readonly rows: EventRow[] = [];
  constructor(private readonly at: Date) {}

  add<T extends EventType>(
    type: T,
    scope: EventScope,
    data: EventDataMap[T],
    ...previous: T extends EventWithPreviousAttributes ? [previousAttributes: Record<string, unknown>] : []
  ): void {
    this.rows.push({
      id: newId('evt'),
      org_id: scope.organizationId,
      team_id: scope.teamId as string,
      customer_id: scope.customerId,
      type,
      data,
      previous_attributes: previous[0] ?? null,
      created_at: this.at.toISOString(),
    });
  }
}

/**
 * The worker's half of Meta's webhook (spec 05 § Inbound): one stored payload applied in ONE transaction
 * that also marks it processed — so a retried or swept job of the same payload (the row is locked first)
 * finds it done and changes nothing.
 *
 * * Each `messages` change is routed by `value.metadata.phone_number_id` to its account; a number Kirim does
 *   not know is noted on the payload and logged once, not an error.
 * * Messages: deduplicated by (account, wamid) — the stored ones are skipped, and the unique index skips a
 *   concurrent duplicate — then contacts and conversations found or created and locked, the messages
 *   inserted `received`, the contact's profile name and `last_inbound_at`, the conversation's counters and a
 *   reopen of a `resolved` one, and `message.received` (+ `contact.created`, `conversation.created`,
 *   `contact.updated` for a new profile name, `conversation.updated` for a reopen).
 * * Statuses: the state machine of status-machine.ts on the locked message, one event per transition;
 *   a wamid not stored yet goes to `early_message_statuses`, applied when the dispatcher records it
 *   ({@link applyEarlyStatuses}) or by the early-status sweep.
 */
@Injectable()
export class InboundProcessingService {
  private readonly logger = new Logger('InboundProcessing');

  constructor(
    private readonly repo: InboundRepository,
    private readonly changes: MetaChangeRouter,
    @InjectJobQueue(QUEUES.messagingInbound) private readonly queue: JobQueue<typeof QUEUES.messagingInbound>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async process(payloadId: string): Promise<ProcessOutcome> {
    try {
      return await this.processInTransaction(payloadId);
    } catch (error) {
      await this.repo.recordFailure(payloadId, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
  }

  /** The sweep: stored payloads never processed (their job was lost after the 200) get one again. */
  sweepPayloads(): Promise<number> {
    return sweepLostJobs({
      queue: this.queue,
      job: 'process_payload',
      graceMs: this.config.MESSAGING_SWEEP_GRACE_MS,
      findStale: async (olderThan, limit): Promise<DurableWork<{ payloadId: string }>[]> =>
        (await this.repo.findUnprocessed(olderThan, limit, MAX_PAYLOAD_ATTEMPTS)).map((id) => ({ id, payload: { payloadId: id } })),
    });
  }

  /** The early-status sweep: statuses whose wamid has been recorded since are applied; very old ones dropped. */
  async sweepEarlyStatuses(): Promise<{ applied: number; purged: number }> {
    let applied = 0;
    for (const { accountId, wamid } of await this.repo.findApplicableEarly(500)) {
      applied += await this.applyEarlyStatuses(accountId, wamid);
    }
    const purged = await this.repo.purgeEarly(new Date(Date.now() - EARLY_STATUS_TTL_MS));
    return { applied, purged };
  }

  /**
   * Applies the statuses that arrived for `wamid` before it was recorded (called by the dispatcher right
   * after its one-statement record of Meta's answer, and by the sweep). Returns how many were applied.
   */
  @Transactional()
  async applyEarlyStatuses(accountId: string, wamid: string): Promise<number> {
    const [message] = await this.repo.lockMessagesByWamid([{ account_id: accountId, wamid }]);
    if (!message) return 0;
    const taken = await this.repo.takeEarlyStatuses(accountId, wamid);
    if (taken.length === 0) return 0;
    const now = new Date();
    const updates = taken
      .map((row) => ({ row, at: unixSeconds(row.payload['timestamp']) }))
      .sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0) || a.row.receivedAt.getTime() - b.row.receivedAt.getTime())
      .map(({ row, at }) => statusUpdate(row.status as WebhookStatus, row.payload, at, now));
    const events = new EventBatch(now);
    const result = this.applyUpdates(message, updates, now, events);
    await this.repo.writeResults({
      contacts: [],
      conversations: [],
      statuses: result ? [statusRow(result)] : [],
      early: [],
      events: events.rows,
    });
    this.logger.log({ msg: 'early statuses applied', message_id: message.id, statuses: taken.length, transitions: events.rows.length });
    return taken.length;
  }

  @Transactional()
  private async processInTransaction(payloadId: string): Promise<ProcessOutcome> {
    const outcome: ProcessOutcome = { outcome: 'processed', messages: 0, duplicates: 0, transitions: 0, early: 0 };
    const payload = await this.repo.lockPayload(payloadId);
    if (!payload) return { ...outcome, outcome: 'missing' };
    if (payload.processed) return { ...outcome, outcome: 'already_processed' };
    const now = new Date();
    let body: unknown;
    try {
      // The api stored these bytes only after parseJsonBody accepted them (no duplicate keys, no inexact
      // numbers, no U+0000, valid UTF-8), and for such JSON JSON.parse gives the same value at a fraction of
      // the CPU (the strict reader was ~3 % of the worker's time per payload).
      body = JSON.parse(payload.body.toString('utf8'));
    } catch {
      body = undefined; // kept, noted, never retried
    }
    const read = readWebhookPayload(body);
    const accounts = await this.repo.accountsByPhoneNumberIds(read.phoneNumberIds);
    const byNumber = new Map(accounts.map((a) => [a.phoneNumberId, a]));
    const unknown = read.phoneNumberIds.filter((n) => !byNumber.has(n));
    const notes = [...read.notes];
    if (unknown.length > 0) {
      notes.unshift(`unknown phone_number_id ${unknown.join(', ')}`);
      this.logger.warn({
        msg: 'Meta webhook for phone numbers Kirim does not know: kept, not applied',
        payload_id: payloadId,
        phone_number_ids: unknown,
      });
    }
    const events = new EventBatch(now);
    const writes: PayloadWrites = { contacts: new Map(), conversations: new Map(), statuses: [], early: [] };
    await this.applyMessages(read.messages, byNumber, now, events, outcome, writes);
    await this.applyStatuses(read.statuses, byNumber, now, events, outcome, writes);
    const changeNotes = await this.changes.apply(read.changes, now);
    notes.push(...changeNotes);
    const note = notes.length > 0 ? notes.join('; ').slice(0, 2000) : null;
    if (read.notes.length + changeNotes.length > 0)
      this.logger.log({ msg: 'Meta webhook parts kept but not applied', payload_id: payloadId, note });
    // ONE statement: the parties' new state, the statuses, the early ones, every event, the payload processed.
    await this.repo.writeResults({
      contacts: [...writes.contacts.values()],
      conversations: [...writes.conversations.values()],
      statuses: writes.statuses,
      early: writes.early,
      events: events.rows,
      mark: { id: payloadId, note, at: now },
    });
    return outcome;
  }

  // ---------------------------------------------------------------------------------- messages

  private async applyMessages(
    items: InboundMessageItem[],
    byNumber: Map<string, MessagingAccount>,
    now: Date,
    events: EventBatch,
    outcome: ProcessOutcome,
    writes: PayloadWrites,
  ): Promise<void> {
    const seen = new Set<string>();
    const routed: { item: InboundMessageItem; account: MessagingAccount; id: string }[] = [];
    const contactRows = new Map<string, Parameters<InboundRepository['upsertPartiesAndMessages']>[0][number]>();
    for (const item of items) {
      const account = byNumber.get(item.phoneNumberId);
      if (!account) continue;
      if (seen.has(key(account.id, item.wamid))) {
        outcome.duplicates++;
        continue;
      }
      seen.add(key(account.id, item.wamid));
      routed.push({ item, account, id: newId('msg') });
      if (!contactRows.has(key(account.id, item.from))) {
        contactRows.set(key(account.id, item.from), {
          id: newId('ctc'),
          conversation_id: newId('cnv'),
          ...tenantColumns(account),
          account_id: account.id,
          wa_id: item.from,
        });
      }
    }
    if (routed.length === 0) return;

    // ONE statement: contacts and conversations created or locked, the messages inserted; a wamid stored
    // already (Meta's retry, a concurrent duplicate that committed first) is skipped by the unique index.
    const { contacts, conversations, inserted } = await this.repo.upsertPartiesAndMessages(
      [...contactRows.values()],
      routed.map(({ item, account, id }) => ({
        id,
        account_id: account.id,
        wa_id: item.from,
        type: item.type,
        content: item.content,
        wamid: item.wamid,
        context: item.context,
      })),
      now,
    );
    const contactBy = new Map(contacts.map((c) => [key(c.accountId, c.waId), c]));
    const conversationBy = new Map(conversations.map((v) => [v.contactId, v]));
    const stored = routed.filter((d) => inserted.has(d.id));
    outcome.duplicates += routed.length - stored.length;
    outcome.messages += stored.length;

    // Contacts and conversations as the new messages leave them (a party created without a stored message
    // — its only messages were duplicates — still gets its `*.created`).
    const contactState = new Map<string, { before: Contact; after: Contact; created: boolean }>();
    const conversationState = new Map<string, { before: Conversation; after: Conversation; created: boolean }>();
    for (const { created, ...c } of contacts) if (created) contactState.set(c.id, { before: c, after: { ...c }, created });
    for (const { created, ...v } of conversations) if (created) conversationState.set(v.id, { before: v, after: { ...v }, created });
    const drafts = stored.map((d) => {
      const contact = contactBy.get(key(d.account.id, d.item.from)) as Contact & { created: boolean };
      const conversation = conversationBy.get(contact.id) as Conversation & { created: boolean };
      return { ...d, contactId: contact.id, conversationId: conversation.id, contact, conversation };
    });
    for (const d of drafts) {
      const { created: contactCreated, ...contact } = d.contact;
      const { created: conversationCreated, ...conversation } = d.conversation;
      const c = contactState.get(contact.id) ?? { before: contact, after: { ...contact }, created: contactCreated };
      const v = conversationState.get(conversation.id) ?? {
        before: conversation,
        after: { ...conversation },
        created: conversationCreated,
      };
      const wroteAt = d.item.sentAt !== null && d.item.sentAt < now ? d.item.sentAt : now;
      // A late retry of an older message does not overwrite a newer profile name.
      if (d.item.profileName !== null && (c.after.lastInboundAt === null || wroteAt >= c.after.lastInboundAt)) {
        c.after.profileName = d.item.profileName;
      }
      if (d.item.type !== 'system') {
        c.after.lastInboundAt = later(c.after.lastInboundAt, wroteAt);
        v.after.lastInboundAt = later(v.after.lastInboundAt, wroteAt);
      }
      v.after.unreadCount += 1;
      v.after.lastMessageAt = later(v.after.lastMessageAt, now);
      if (v.after.status === 'resolved') v.after.status = 'open';
      c.after.updatedAt = now;
      v.after.updatedAt = now;
      contactState.set(contact.id, c);
      conversationState.set(conversation.id, v);
    }
    for (const d of drafts) {
      // The parties of stored messages are written (one only locked or only created is left as it is).
      const c = contactState.get(d.contactId) as { after: Contact };
      const v = conversationState.get(d.conversationId) as { after: Conversation };
      writes.contacts.set(c.after.id, {
        id: c.after.id,
        profile_name: c.after.profileName,
        last_inbound_at: iso(c.after.lastInboundAt),
        updated_at: now.toISOString(),
      });
      writes.conversations.set(v.after.id, {
        id: v.after.id,
        status: v.after.status,
        unread_count: v.after.unreadCount,
        last_message_at: iso(v.after.lastMessageAt),
        last_inbound_at: iso(v.after.lastInboundAt),
        updated_at: now.toISOString(),
      });
    }

    // The resources as the payload leaves each party, built once per party.
    const phoneOf = new Map(routed.map(({ account }) => [account.id, account.phoneNumberId]));
    const contactResources = new Map<string, ContactResource>();
    for (const { before, after, created } of contactState.values()) {
      const resource = toContactResource(after, phoneOf.get(after.accountId) ?? '');
      contactResources.set(after.id, resource);
      const scope = messageEventScope(after);
      if (created) events.add('contact.created', scope, { contact: resource });
      else if (before.profileName !== after.profileName) {
        events.add('contact.updated', scope, { contact: resource }, { profile_name: before.profileName });
      }
    }
    const conversationResources = new Map<string, ConversationResource>();
    for (const { before, after, created } of conversationState.values()) {
      const contact = contactState.get(after.contactId)?.after ?? (contacts.find((c) => c.id === after.contactId) as Contact);
      const resource = toConversationResource(after, contact, phoneOf.get(after.accountId) ?? '');
      conversationResources.set(after.id, resource);
      const scope = messageEventScope(after);
      if (created) events.add('conversation.created', scope, { conversation: resource });
      else if (before.status !== after.status) {
        events.add('conversation.updated', scope, { conversation: resource }, { status: before.status });
      }
    }
    for (const d of drafts) {
      const message: Message = {
        id: d.id,
        organizationId: d.account.organizationId,
        teamId: d.account.teamId,
        customerId: d.account.customerId,
        accountId: d.account.id,
        phoneNumberId: d.account.phoneNumberId,
        conversationId: d.conversationId,
        contactId: d.contactId,
        direction: 'inbound',
        type: d.item.type,
        content: d.item.content,
        status: 'received',
        wamid: d.item.wamid,
        error: null,
        context: d.item.context,
        metadata: null,
        pricing: null,
        bizOpaqueCallbackData: null,
        attempts: 0,
        createdAt: now,
        updatedAt: now,
        sentAt: null,
        deliveredAt: null,
        readAt: null,
        failedAt: null,
      };
      events.add('message.received', messageEventScope(message), {
        message: toMessageResource(message),
        contact: contactResources.get(d.contactId) as ContactResource,
        conversation: conversationResources.get(d.conversationId) as ConversationResource,
      });
    }
  }

  // ---------------------------------------------------------------------------------- statuses

  private async applyStatuses(
    items: StatusItem[],
    byNumber: Map<string, MessagingAccount>,
    now: Date,
    events: EventBatch,
    outcome: ProcessOutcome,
    writes: PayloadWrites,
  ): Promise<void> {
    const routed = items.flatMap((item) => {
      const account = byNumber.get(item.phoneNumberId);
      return account ? [{ item, account }] : [];
    });
    if (routed.length === 0) return;
    const pairs = new Map<string, { account_id: string; wamid: string }>();
    for (const { item, account } of routed) pairs.set(key(account.id, item.wamid), { account_id: account.id, wamid: item.wamid });
    const messages = await this.repo.lockMessagesByWamid([...pairs.values()]);
    const byWamid = new Map(messages.map((m) => [key(m.accountId, m.wamid ?? ''), m]));
    const updates = new Map<string, { message: Message; updates: StatusUpdate[] }>();
    const early = writes.early;
    for (const { item, account } of routed) {
      const message = byWamid.get(key(account.id, item.wamid));
      if (!message) {
        early.push({
          id: nextUlid(),
          ...tenantColumns(account),
          account_id: account.id,
          wamid: item.wamid,
          status: item.status,
          payload: item.raw,
          received_at: now.toISOString(),
        });
        continue;
      }
      if (message.direction !== 'outbound') continue;
      const entry = updates.get(message.id) ?? { message, updates: [] };
      entry.updates.push(statusUpdate(item.status, item.raw, item.at, now));
      updates.set(message.id, entry);
    }
    const before = events.rows.length;
    for (const { message, updates: list } of updates.values()) {
      const result = this.applyUpdates(message, list, now, events);
      if (result) writes.statuses.push(statusRow(result));
    }
    outcome.transitions += events.rows.length - before;
    outcome.early += early.length;
  }

  /** Runs the updates through the state machine, one event per transition; the message as it ends, or null if unchanged. */
  private applyUpdates(message: Message, updates: StatusUpdate[], now: Date, events: EventBatch): Message | null {
    let current = message;
    let changed = false;
    for (const update of updates) {
      const result = applyStatus(stateOf(current), update);
      if (!result.changed) continue;
      changed = true;
      current = { ...current, ...result.state, updatedAt: now };
      if (result.transition !== null) {
        events.add(`message.${result.transition}`, messageEventScope(current), { message: toMessageResource(current) });
      }
    }
    return changed ? current : null;
  }
}

function tenantColumns(account: MessagingAccount): { org_id: string; team_id: string; customer_id: string | null } {
  return { org_id: account.organizationId, team_id: account.teamId, customer_id: account.customerId };
}

function stateOf(m: Message): StatusState {
  return {
    status: m.status,
    error: m.error,
    pricing: m.pricing,
    sentAt: m.sentAt,
    deliveredAt: m.deliveredAt,
    readAt: m.readAt,
    failedAt: m.failedAt,
  };
}

function statusRow(m: Message): StatusRow {
  return {
    id: m.id,
    status: m.status,
    error: m.error,
    pricing: m.pricing,
    sent_at: iso(m.sentAt),
    delivered_at: iso(m.deliveredAt),
    read_at: iso(m.readAt),
    failed_at: iso(m.failedAt),
    updated_at: m.updatedAt.toISOString(),
  };
}
