import { Injectable } from '@nestjs/common';
import type { MessageError, MessageResource } from '@kirim/contracts';
import { Database, KEYSET_ORDER, type KeysetPosition, keysetWhere, newId, scopeWhere, sql, type TenantScope } from '@kirim/platform';
import type { Message, MessageFilters, MessageStatus } from '../domain/message';

/** The account a path's `{phone_number_id}` names, as messaging needs it. */
export interface MessagingAccount {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  phoneNumberId: string;
  status: 'approved' | 'restricted' | 'disconnected' | 'archived';
}

/** Everything a send's policy checks need, read in one statement (see {@link MessagesRepository.sendContext}). */
export interface SendContext {
  account: MessagingAccount;
  customerStatus: 'pending' | 'active' | 'suspended' | 'archived' | null;
  contact: { id: string; lastInboundAt: Date | null } | null;
  conversationId: string | null;
  /** Whether `context.message_id` / the reaction's `message_id` is a wamid of this account (null: not asked). */
  contextKnown: boolean | null;
  reactionKnown: boolean | null;
}

/** What the dispatcher needs of a message's account (whatsapp-accounts' row; the token still sealed). */
export interface DispatchAccountRow {
  id: string;
  organizationId: string;
  phoneNumberId: string;
  status: MessagingAccount['status'];
  throughputLevel: 'STANDARD' | 'HIGH';
  businessTokenCiphertext: string;
}

interface RawDispatchAccount {
  accountRowId: string | null;
  accountOrgId: string;
  accountPhoneNumberId: string;
  accountStatus: MessagingAccount['status'];
  accountThroughputLevel: string;
  accountTokenCiphertext: string;
}

/** What a send's statement is asked about (see {@link MessagesRepository.send}). */
export interface OutboundSendDraft {
  waId: string;
  contextWamid: string | null;
  reactionWamid: string | null;
  /** Free-form messages need the contact's 24 h window: its last inbound after `windowOpensAfter` (ms precision). */
  freeForm: boolean;
  windowOpensAfter: Date;
  /** False when a template send is refused (unknown, not approved, parameters off): the statement then writes nothing. */
  templateOk: boolean;
}

/** The stored template a template send names (see {@link MessagesRepository.templateForSend}). */
export interface TemplateForSend {
  id: string;
  name: string;
  status: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
}

/** The columns of a new outbound message that do not depend on the account, contact or conversation. */
export interface OutboundRow {
  id: string;
  type: string;
  content: Record<string, unknown>;
  context: { message_id: string } | null;
  metadata: Record<string, unknown> | null;
  bizOpaqueCallbackData: string | null;
  createdAt: Date;
}

/** A new outbound message row (status `pending`). */
export interface NewOutboundMessage extends OutboundRow {
  account: MessagingAccount;
  conversationId: string;
  contactId: string;
}

/** The event appended in the same statement as a message change (the outbox row, typed by the caller). */
export interface InlineEvent {
  type: 'message.created' | 'message.sent' | 'message.failed';
  data: Record<string, unknown>;
}

interface MessageRow {
  id: string;
  orgId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  conversationId: string;
  contactId: string;
  direction: Message['direction'];
  type: string;
  content: unknown;
  status: MessageStatus;
  wamid: string | null;
  error: unknown;
  context: unknown;
  metadata: unknown;
  pricing: unknown;
  bizOpaqueCallbackData: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
}

type AccountRow = Pick<SendContextRow, 'id' | 'org_id' | 'team_id' | 'customer_id' | 'phone_number_id' | 'account_status'>;

function toMessagingAccount(row: AccountRow): MessagingAccount {
  return {
    id: row.id,
    organizationId: row.org_id,
    teamId: row.team_id,
    customerId: row.customer_id,
    phoneNumberId: row.phone_number_id,
    status: row.account_status,
  };
}

interface SendContextRow {
  id: string;
  org_id: string;
  team_id: string;
  customer_id: string | null;
  phone_number_id: string;
  account_status: MessagingAccount['status'];
  customer_status: SendContext['customerStatus'];
  contact_id: string | null;
  last_inbound_at: Date | null;
  conversation_id: string | null;
  context_known: boolean | null;
  reaction_known: boolean | null;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * Messages in PostgreSQL. Tenant reads take the scope (organization, and customer for a restricted key);
 * the dispatcher's reads and writes go by message id (the worker acts for the message's own organization).
 *
 * The send path is raw SQL (decision 40's reasoning, see decisions.md): one statement reads every fact the
 * policy checks need and, when they pass and the contact and conversation exist, writes message +
 * conversation + `message.created`. The dispatcher records Meta's answer and its event in one statement too.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly db: Database) {}

  /**
   * A send in ONE round trip: the path's account (in the scope: another organization's or customer's number
   * reads as absent), its customer's status, the contact with this wa_id and its conversation, and whether
   * the quoted and the reacted-to wamids exist in this account — and, only when every policy check passes on
   * those facts and contact and conversation exist, the conversation's `last_message_at`, the `pending`
   * message and its `message.created` event (atomic on its own; inside the idempotency transaction when
   * there is one). The checks are written twice on purpose: here as the write's guard, in the service as the
   * answer (which error, in which order); the guard may only be stricter, never looser. `event` is the
   * message resource without the facts read here (account, customer, conversation, contact), which this
   * statement fills in. Reads whatsapp-accounts' and tenancy's rows (read-only): the API's hottest path.
   * Returns null when the account is not in the scope.
   */
  async send(
    scope: TenantScope,
    phoneNumberId: string,
    draft: OutboundSendDraft,
    message: OutboundRow,
    event: { type: 'message.created'; resource: MessageResource },
  ): Promise<{ context: SendContext; written: boolean } | null> {
    const at = message.createdAt;
    const rows = await this.db.tx.$queryRaw<(SendContextRow & { written: boolean })[]>`
      WITH ctx AS (
        SELECT a.id, a.org_id, a.team_id, a.customer_id, a.phone_number_id, a.status::text AS account_status,
               c.status::text AS customer_status, ct.id AS contact_id, ct.last_inbound_at, cv.id AS conversation_id,
               CASE WHEN ${draft.contextWamid}::text IS NULL THEN NULL
                    ELSE EXISTS (SELECT 1 FROM messages m WHERE m.account_id = a.id AND m.wamid = ${draft.contextWamid}::text) END AS context_known,
               CASE WHEN ${draft.reactionWamid}::text IS NULL THEN NULL
                    ELSE EXISTS (SELECT 1 FROM messages m WHERE m.account_id = a.id AND m.wamid = ${draft.reactionWamid}::text) END AS reaction_known
        FROM whatsapp_accounts a
        LEFT JOIN customers c ON c.id = a.customer_id
        LEFT JOIN contacts ct ON ct.account_id = a.id AND ct.wa_id = ${draft.waId}
        LEFT JOIN conversations cv ON cv.account_id = a.id AND cv.contact_id = ct.id
        WHERE a.phone_number_id = ${phoneNumberId} AND a.org_id = ${scope.organizationId}
          AND (${scope.customerId}::text IS NULL OR a.customer_id = ${scope.customerId}::text)
      ), ok AS (
        SELECT * FROM ctx
        WHERE conversation_id IS NOT NULL
          AND context_known IS NOT FALSE AND reaction_known IS NOT FALSE
          AND account_status = 'approved'
          AND customer_status IS DISTINCT FROM 'suspended' AND customer_status IS DISTINCT FROM 'archived'
          AND (NOT ${draft.freeForm}::boolean OR date_trunc('milliseconds', last_inbound_at) > ${draft.windowOpensAfter}::timestamptz)
          AND ${draft.templateOk}::boolean
      ), cv AS (
        UPDATE conversations SET last_message_at = GREATEST(COALESCE(last_message_at, ${at}::timestamptz), ${at}::timestamptz),
               updated_at = ${at}::timestamptz
        FROM ok WHERE conversations.id = ok.conversation_id RETURNING conversations.id
      ), m AS (
        INSERT INTO messages (id, org_id, team_id, customer_id, account_id, conversation_id, contact_id, direction, type, content, status,
                              context, metadata, biz_opaque_callback_data, created_at, updated_at)
        SELECT ${message.id}, ok.org_id, ok.team_id, ok.customer_id, ok.id, cv.id, ok.contact_id,
               'outbound', ${message.type}, ${json(message.content)}::jsonb, 'pending', ${json(message.context)}::jsonb,
               ${json(message.metadata)}::jsonb, ${message.bizOpaqueCallbackData}::text, ${at}::timestamptz, ${at}::timestamptz
        FROM ok JOIN cv ON cv.id = ok.conversation_id RETURNING id
      ), e AS (
        INSERT INTO events (id, org_id, team_id, customer_id, type, data, created_at)
        SELECT ${newId('evt')}, ok.org_id, ok.team_id, ok.customer_id, ${event.type},
               jsonb_build_object('message', ${json(event.resource)}::jsonb || jsonb_build_object(
                 'account_id', ok.id, 'customer_id', ok.customer_id, 'conversation_id', ok.conversation_id, 'contact_id', ok.contact_id)),
               ${at}::timestamptz
        FROM ok JOIN m ON TRUE RETURNING id
      )
      SELECT ctx.*, EXISTS (SELECT 1 FROM e) AS written FROM ctx`;
    const row = rows[0];
    if (!row) return null;
    return {
      context: {
        account: toMessagingAccount(row),
        customerStatus: row.customer_status,
        contact: row.contact_id === null ? null : { id: row.contact_id, lastInboundAt: row.last_inbound_at },
        conversationId: row.conversation_id,
        contextKnown: row.context_known,
        reactionKnown: row.reaction_known,
      },
      written: row.written,
    };
  }

  /**
   * A template send's one extra read (template sends only: other types never pay it): the template of that
   * name and language of the path's account in the scope. `undefined` when the account is not in the scope
   * (the send's statement then answers 404), null when the account has no such template.
   */
  async templateForSend(
    scope: TenantScope,
    phoneNumberId: string,
    name: string,
    language: string,
  ): Promise<TemplateForSend | null | undefined> {
    const rows = await this.db.tx.$queryRaw<
      { id: string | null; name: string; status: string; parameter_format: string; components: unknown }[]
    >`
      SELECT t.id, t.name, t.status, t.parameter_format, t.components
      FROM whatsapp_accounts a
      LEFT JOIN templates t ON t.account_id = a.id AND t.name = ${name} AND t.language = ${language}
      WHERE a.phone_number_id = ${phoneNumberId} AND a.org_id = ${scope.organizationId}
        AND (${scope.customerId}::text IS NULL OR a.customer_id = ${scope.customerId}::text)`;
    const row = rows[0];
    if (!row) return undefined;
    if (row.id === null) return null;
    return {
      id: row.id,
      name: row.name,
      status: row.status,
      parameterFormat: row.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL',
      components: (Array.isArray(row.components) ? row.components : []) as Record<string, unknown>[],
    };
  }

  /** The path's account in the scope (reads), or null — another tenant's number is absent. */
  async accountInScope(scope: TenantScope, phoneNumberId: string): Promise<MessagingAccount | null> {
    const rows = await this.db.tx.$queryRaw<AccountRow[]>`
      SELECT a.id, a.org_id, a.team_id, a.customer_id, a.phone_number_id, a.status::text AS account_status
      FROM whatsapp_accounts a
      WHERE a.phone_number_id = ${phoneNumberId} AND a.org_id = ${scope.organizationId}
        AND (${scope.customerId}::text IS NULL OR a.customer_id = ${scope.customerId}::text)`;
    const row = rows[0];
    return row ? toMessagingAccount(row) : null;
  }

  /** The same write through the caller's transaction, for a send that just created its contact or conversation. */
  async insertOutboundInTransaction(message: NewOutboundMessage): Promise<void> {
    if (!this.db.inTransaction) throw new Error('insertOutboundInTransaction needs a transaction');
    const a = message.account;
    await this.db.tx.$executeRaw`
      INSERT INTO messages (id, org_id, team_id, customer_id, account_id, conversation_id, contact_id, direction, type, content, status,
                            context, metadata, biz_opaque_callback_data, created_at, updated_at)
      VALUES (${message.id}, ${a.organizationId}, ${a.teamId}, ${a.customerId}::text, ${a.id}, ${message.conversationId}, ${message.contactId},
              'outbound', ${message.type}, ${json(message.content)}::jsonb, 'pending', ${json(message.context)}::jsonb,
              ${json(message.metadata)}::jsonb, ${message.bizOpaqueCallbackData}::text, ${message.createdAt}::timestamptz, ${message.createdAt}::timestamptz)`;
  }

  /** Newest first within one account, after the keyset position, at most `take` rows. */
  async list(
    scope: TenantScope,
    account: MessagingAccount,
    filters: MessageFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<Message[]> {
    const createdAt: { gt?: Date; lt?: Date } = {};
    if (filters.createdAfter) createdAt.gt = filters.createdAfter;
    if (filters.createdBefore) createdAt.lt = filters.createdBefore;
    const rows = await this.db.tx.message.findMany({
      where: {
        AND: [
          {
            accountId: account.id,
            ...(filters.conversationId !== undefined && { conversationId: filters.conversationId }),
            ...(filters.contactId !== undefined && { contactId: filters.contactId }),
            ...(filters.direction !== undefined && { direction: filters.direction }),
            ...(filters.status !== undefined && { status: filters.status }),
            ...(filters.createdAfter || filters.createdBefore ? { createdAt } : {}),
          },
          scopeWhere(scope),
          keysetWhere(page.after),
        ],
      },
      orderBy: KEYSET_ORDER,
      take: page.take,
    });
    return rows.map((row) => toMessage(row, account.phoneNumberId));
  }

  async find(scope: TenantScope, account: MessagingAccount, id: string): Promise<Message | null> {
    const row = await this.db.tx.message.findFirst({ where: { AND: [{ id, accountId: account.id }, scopeWhere(scope)] } });
    return row ? toMessage(row, account.phoneNumberId) : null;
  }

  /**
   * The dispatcher's read, ONE statement: the message by id, its contact's wa_id and what sending needs of
   * its account (whatsapp-accounts' row, read-only: number, status, throughput level, the sealed token). The
   * message's `phoneNumberId` is left empty (the caller takes the account's). The worker reads it outside
   * any transaction, straight on the pool (`Database.read`: no query interpreter).
   */
  async findForDispatch(id: string): Promise<{ message: Message; waId: string; account: DispatchAccountRow | null } | null> {
    const rows = await this.db.read<MessageRow & { waId: string } & RawDispatchAccount>(sql`
      SELECT m.id, m.org_id AS "orgId", m.team_id AS "teamId", m.customer_id AS "customerId", m.account_id AS "accountId",
             m.conversation_id AS "conversationId", m.contact_id AS "contactId", m.direction::text AS direction, m.type, m.content,
             m.status::text AS status, m.wamid, m.error, m.context, m.metadata, m.pricing,
             m.biz_opaque_callback_data AS "bizOpaqueCallbackData", m.attempts, m.created_at AS "createdAt", m.updated_at AS "updatedAt",
             m.sent_at AS "sentAt", m.delivered_at AS "deliveredAt", m.read_at AS "readAt", m.failed_at AS "failedAt", ct.wa_id AS "waId",
             a.id AS "accountRowId", a.org_id AS "accountOrgId", a.phone_number_id AS "accountPhoneNumberId",
             a.status::text AS "accountStatus", a.throughput_level AS "accountThroughputLevel",
             a.business_token_ciphertext AS "accountTokenCiphertext"
      FROM messages m JOIN contacts ct ON ct.id = m.contact_id
      LEFT JOIN whatsapp_accounts a ON a.id = m.account_id
      WHERE m.id = ${id}`);
    const row = rows[0];
    if (!row) return null;
    const account: DispatchAccountRow | null =
      row.accountRowId === null
        ? null
        : {
            id: row.accountRowId,
            organizationId: row.accountOrgId,
            phoneNumberId: row.accountPhoneNumberId,
            status: row.accountStatus,
            throughputLevel: row.accountThroughputLevel === 'HIGH' ? 'HIGH' : 'STANDARD',
            businessTokenCiphertext: row.accountTokenCiphertext,
          };
    return { message: toMessage(row, ''), waId: row.waId, account };
  }

  /**
   * Meta's 200, recorded in ONE statement: wamid, `sent`, `sent_at`, the attempt count and `message.sent` —
   * only while the message is still `pending` (a second dispatch of the same message records nothing).
   * Returns whether it was recorded, and whether statuses for this wamid arrived before it was known.
   */
  async recordSent(
    message: Message,
    wamid: string,
    attempts: number,
    at: Date,
    event: InlineEvent,
  ): Promise<{ recorded: boolean; earlyStatuses: boolean }> {
    // One statement, atomic on its own, on the pool (the dispatcher runs outside transactions).
    const { rows } = await this.db.write<{ recorded: number; early: boolean }>(sql`
      WITH m AS (
        UPDATE messages SET status = 'sent', wamid = ${wamid}, sent_at = ${at}::timestamptz, updated_at = ${at}::timestamptz,
               attempts = ${attempts}::int, last_attempt_at = ${at}::timestamptz
        WHERE id = ${message.id} AND status = 'pending' RETURNING id
      ), e AS (
        INSERT INTO events (id, org_id, team_id, customer_id, type, data, created_at)
        SELECT ${newId('evt')}, ${message.organizationId}, ${message.teamId}, ${message.customerId}::text, ${event.type},
               ${json(event.data)}::jsonb, ${at}::timestamptz
        FROM m RETURNING id
      )
      SELECT (SELECT count(*)::int FROM e) AS recorded,
             EXISTS (SELECT 1 FROM early_message_statuses s WHERE s.account_id = ${message.accountId} AND s.wamid = ${wamid}) AS early`);
    const row = rows[0];
    return { recorded: row?.recorded === 1, earlyStatuses: row?.early === true };
  }

  /** A final failure, recorded in one statement with `message.failed` (only while still `pending`). */
  async recordFailed(message: Message, error: MessageError, attempts: number, at: Date, event: InlineEvent): Promise<boolean> {
    const { count } = await this.db.write(sql`
      WITH m AS (
        UPDATE messages SET status = 'failed', error = ${json(error)}::jsonb, failed_at = ${at}::timestamptz, updated_at = ${at}::timestamptz,
               attempts = ${attempts}::int, last_attempt_at = ${at}::timestamptz
        WHERE id = ${message.id} AND status = 'pending' RETURNING id
      )
      INSERT INTO events (id, org_id, team_id, customer_id, type, data, created_at)
      SELECT ${newId('evt')}, ${message.organizationId}, ${message.teamId}, ${message.customerId}::text, ${event.type},
             ${json(event.data)}::jsonb, ${at}::timestamptz
      FROM m`);
    return count === 1;
  }

  /** Bookkeeping of a retried attempt (throttled or transient): the message stays `pending`. */
  async recordRetry(id: string, attempts: number, at: Date): Promise<void> {
    await this.db.write(sql`
      UPDATE messages SET attempts = ${attempts}::int, last_attempt_at = ${at}::timestamptz WHERE id = ${id} AND status = 'pending'`);
  }

  /** The sweep: `pending` outbound messages created before `olderThan`, oldest first. */
  async findStalePending(olderThan: Date, limit: number): Promise<{ id: string; accountId: string }[]> {
    return this.db.tx.message.findMany({
      select: { id: true, accountId: true },
      where: { status: 'pending', createdAt: { lt: olderThan } },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
  }
}

export function toMessage(row: MessageRow, phoneNumberId: string): Message {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    accountId: row.accountId,
    phoneNumberId,
    conversationId: row.conversationId,
    contactId: row.contactId,
    direction: row.direction,
    type: row.type,
    content: (row.content ?? {}) as Record<string, unknown>,
    status: row.status,
    wamid: row.wamid,
    error: (row.error ?? null) as MessageError | null,
    context: (row.context ?? null) as { message_id: string } | null,
    metadata: (row.metadata ?? null) as Record<string, unknown> | null,
    pricing: (row.pricing ?? null) as Record<string, unknown> | null,
    bizOpaqueCallbackData: row.bizOpaqueCallbackData,
    attempts: row.attempts,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    sentAt: row.sentAt,
    deliveredAt: row.deliveredAt,
    readAt: row.readAt,
    failedAt: row.failedAt,
  };
}
