import { Inject, Injectable, Logger } from '@nestjs/common';
import { type EventDataMap, type EventScope, type EventType, type EventWithPreviousAttributes, QUEUES } from '@kirim/contracts';
import {
  APP_CONFIG,
  type AppConfig,
  type DurableWork,
  InjectJobQueue,
  type JobQueue,
  newId,
  parseJsonBody,
  pooledPrng,
  sweepLostJobs,
  Transactional,
} from '@kirim/platform';
import { monotonicFactory } from 'ulid';
import type { Message } from '../domain/message';
import type { Contact, Conversation } from '../domain/parties';
import type { MessagingAccount } from '../infrastructure/messages.repository';
import { messageEventScope, toContactResource, toConversationResource, toMessageResource } from '../application/resources';
import { type EventRow, InboundRepository } from './inbound.repository';
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
    if (result) await this.repo.updateMessageStatuses([statusRow(result)]);
    await this.repo.insertEvents(events.rows);
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
      body = parseJsonBody(payload.body);
    } catch {
      body = undefined; // the api parsed it before storing it; kept, noted, never retried
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
    await this.applyMessages(read.messages, byNumber, now, events, outcome);
    await this.applyStatuses(read.statuses, byNumber, now, events, outcome);
    await this.repo.insertEvents(events.rows);
    const note = notes.length > 0 ? notes.join('; ').slice(0, 2000) : null;
    if (read.notes.length > 0) this.logger.log({ msg: 'Meta webhook parts kept but not applied', payload_id: payloadId, note });
    await this.repo.markProcessed(payloadId, note, now);
    return outcome;
  }

  // ---------------------------------------------------------------------------------- messages

  private async applyMessages(
    items: InboundMessageItem[],
    byNumber: Map<string, MessagingAccount>,
    now: Date,
    events: EventBatch,
    outcome: ProcessOutcome,
  ): Promise<void> {
    const seen = new Set<string>();
    const routed: { item: InboundMessageItem; account: MessagingAccount }[] = [];
    for (const item of items) {
      const account = byNumber.get(item.phoneNumberId);
      if (!account) continue;
      if (seen.has(key(account.id, item.wamid))) {
        outcome.duplicates++;
        continue;
      }
      seen.add(key(account.id, item.wamid));
      routed.push({ item, account });
    }
    if (routed.length === 0) return;
    const known = await this.repo.knownWamids(routed.map(({ item, account }) => ({ account_id: account.id, wamid: item.wamid })));
    const fresh = routed.filter(({ item, account }) => !known.has(key(account.id, item.wamid)));
    outcome.duplicates += routed.length - fresh.length;
    if (fresh.length === 0) return;

    // Contacts, then conversations: created when absent, all of them locked until commit.
    const contactRows = new Map<string, Record<string, unknown>>();
    for (const { item, account } of fresh) {
      contactRows.set(key(account.id, item.from), {
        id: newId('ctc'),
        ...tenantColumns(account),
        account_id: account.id,
        wa_id: item.from,
      });
    }
    const { contacts, created: newContacts } = await this.repo.findOrCreateContacts([...contactRows.values()], now);
    const contactBy = new Map(contacts.map((c) => [key(c.accountId, c.waId), c]));
    const conversationRows = contacts.map((c) => ({
      id: newId('cnv'),
      org_id: c.organizationId,
      team_id: c.teamId,
      customer_id: c.customerId,
      account_id: c.accountId,
      contact_id: c.id,
    }));
    const { conversations, created: newConversations } = await this.repo.findOrCreateConversations(conversationRows, now);
    const conversationBy = new Map(conversations.map((v) => [key(v.accountId, v.contactId), v]));

    // The messages; a concurrent duplicate that committed first is skipped by the unique index.
    const drafts = fresh.map(({ item, account }) => {
      const contact = contactBy.get(key(account.id, item.from)) as Contact;
      const conversation = conversationBy.get(key(account.id, contact.id)) as Conversation;
      return { id: newId('msg'), item, account, contact, conversation };
    });
    const inserted = await this.repo.insertInboundMessages(
      drafts.map((d) => ({
        id: d.id,
        ...tenantColumns(d.account),
        account_id: d.account.id,
        conversation_id: d.conversation.id,
        contact_id: d.contact.id,
        type: d.item.type,
        content: d.item.content,
        wamid: d.item.wamid,
        context: d.item.context,
      })),
      now,
    );
    const stored = drafts.filter((d) => inserted.has(d.id));
    outcome.duplicates += drafts.length - stored.length;
    outcome.messages += stored.length;
    if (stored.length === 0) return;

    // Contacts and conversations as the new messages leave them.
    const contactState = new Map<string, { before: Contact; after: Contact }>();
    const conversationState = new Map<string, { before: Conversation; after: Conversation }>();
    for (const d of stored) {
      const c = contactState.get(d.contact.id) ?? { before: d.contact, after: { ...d.contact } };
      const v = conversationState.get(d.conversation.id) ?? { before: d.conversation, after: { ...d.conversation } };
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
      contactState.set(d.contact.id, c);
      conversationState.set(d.conversation.id, v);
    }
    await this.repo.updateContacts(
      [...contactState.values()].map(({ after }) => ({
        id: after.id,
        profile_name: after.profileName,
        last_inbound_at: iso(after.lastInboundAt),
        updated_at: now.toISOString(),
      })),
    );
    await this.repo.updateConversations(
      [...conversationState.values()].map(({ after }) => ({
        id: after.id,
        status: after.status,
        unread_count: after.unreadCount,
        last_message_at: iso(after.lastMessageAt),
        last_inbound_at: iso(after.lastInboundAt),
        updated_at: now.toISOString(),
      })),
    );

    const phoneOf = (accountId: string) => fresh.find((f) => f.account.id === accountId)?.account.phoneNumberId ?? '';
    for (const { before, after } of contactState.values()) {
      const scope = messageEventScope(after);
      const resource = toContactResource(after, phoneOf(after.accountId));
      if (newContacts.has(after.id)) events.add('contact.created', scope, { contact: resource });
      else if (before.profileName !== after.profileName) {
        events.add('contact.updated', scope, { contact: resource }, { profile_name: before.profileName });
      }
    }
    for (const { before, after } of conversationState.values()) {
      const contact = contactState.get(after.contactId)?.after as Contact;
      const resource = toConversationResource(after, contact, phoneOf(after.accountId));
      const scope = messageEventScope(after);
      if (newConversations.has(after.id)) events.add('conversation.created', scope, { conversation: resource });
      else if (before.status !== after.status) {
        events.add('conversation.updated', scope, { conversation: resource }, { status: before.status });
      }
    }
    for (const d of stored) {
      const contact = contactState.get(d.contact.id)?.after as Contact;
      const conversation = conversationState.get(d.conversation.id)?.after as Conversation;
      const message: Message = {
        id: d.id,
        organizationId: d.account.organizationId,
        teamId: d.account.teamId,
        customerId: d.account.customerId,
        accountId: d.account.id,
        phoneNumberId: d.account.phoneNumberId,
        conversationId: conversation.id,
        contactId: contact.id,
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
        contact: toContactResource(contact, d.account.phoneNumberId),
        conversation: toConversationResource(conversation, contact, d.account.phoneNumberId),
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
    const early: Record<string, unknown>[] = [];
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
    const rows = [];
    const before = events.rows.length;
    for (const { message, updates: list } of updates.values()) {
      const result = this.applyUpdates(message, list, now, events);
      if (result) rows.push(statusRow(result));
    }
    outcome.transitions += events.rows.length - before;
    outcome.early += early.length;
    await this.repo.updateMessageStatuses(rows);
    await this.repo.insertEarlyStatuses(early);
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

function statusRow(m: Message) {
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
