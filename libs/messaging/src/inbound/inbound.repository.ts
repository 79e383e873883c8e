import { Injectable } from '@nestjs/common';
import { Database } from '@kirim/platform';
import type { Message } from '../domain/message';
import type { Contact, Conversation } from '../domain/parties';
import type { MessagingAccount } from '../infrastructure/messages.repository';
import { toMessage } from '../infrastructure/messages.repository';
import { toContact, toConversation } from '../infrastructure/parties.repository';

/** A row of the batched writes below: each batch is one statement over `jsonb_to_recordset`. */
type Row = Record<string, unknown>;

/** An event row written with the changes it describes (same transaction). */
export interface EventRow {
  id: string;
  org_id: string;
  team_id: string;
  customer_id: string | null;
  type: string;
  data: unknown;
  previous_attributes: unknown;
  created_at: string;
}

export interface EarlyStatusRow {
  status: string;
  payload: Record<string, unknown>;
  receivedAt: Date;
}

/** A message's status columns as the state machine leaves them. */
export interface StatusRow {
  id: string;
  status: string;
  error: unknown;
  pricing: unknown;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  updated_at: string;
}

const json = (rows: unknown): string => JSON.stringify(rows);
/** A timestamp of a `json_agg` row (PostgreSQL's ISO text) back to a Date. */
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

const CONTACT_COLUMNS = `c.id, c.org_id AS "orgId", c.team_id AS "teamId", c.customer_id AS "customerId", c.account_id AS "accountId",
  c.wa_id AS "waId", c.profile_name AS "profileName", c.name, c.email, c.metadata, c.last_inbound_at AS "lastInboundAt",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;
const CONVERSATION_COLUMNS = `v.id, v.org_id AS "orgId", v.team_id AS "teamId", v.customer_id AS "customerId", v.account_id AS "accountId",
  v.contact_id AS "contactId", v.status::text AS status, v.assignee_id AS "assigneeId", v.unread_count AS "unreadCount",
  v.last_message_at AS "lastMessageAt", v.last_inbound_at AS "lastInboundAt", v.created_at AS "createdAt", v.updated_at AS "updatedAt"`;
/** A party's labels `[{id, name, color}]` by name (ignoring case) then id: a scalar subquery over `<join>` for party `t`. */
const labelsOf = (join: string, key: string) => `(
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, 'color', l.color::text) ORDER BY l.name_key, l.id), '[]'::jsonb)
  FROM ${join} pl JOIN labels l ON l.id = pl.label_id WHERE pl.${key} = t.id) AS labels`;
/**
 * The columns as `RETURNING` of an upsert aliased `t` names them (json_agg keeps the aliases as keys), with the
 * party's labels and a conversation's assignee (identity's `users` row, read-only: `{id, email, name}`), so that
 * the payload's events carry them without another statement.
 */
const CONTACT_RETURNING = `${CONTACT_COLUMNS.replace(/\bc\./g, 't.')}, ${labelsOf('contact_labels', 'contact_id')}`;
const CONVERSATION_RETURNING = `${CONVERSATION_COLUMNS.replace(/\bv\./g, 't.')}, ${labelsOf('conversation_labels', 'conversation_id')},
  (SELECT jsonb_build_object('id', u.id, 'email', u.email, 'name', u.name) FROM users u WHERE u.id = t.assignee_id AND u.org_id = t.org_id)
    AS assignee`;
const MESSAGE_COLUMNS = `m.id, m.org_id AS "orgId", m.team_id AS "teamId", m.customer_id AS "customerId", m.account_id AS "accountId",
  m.conversation_id AS "conversationId", m.contact_id AS "contactId", m.direction::text AS direction, m.type, m.content,
  m.status::text AS status, m.wamid, m.error, m.context, m.metadata, m.pricing, m.biz_opaque_callback_data AS "bizOpaqueCallbackData",
  m.attempts, m.created_at AS "createdAt", m.updated_at AS "updatedAt", m.sent_at AS "sentAt", m.delivered_at AS "deliveredAt",
  m.read_at AS "readAt", m.failed_at AS "failedAt"`;

/**
 * The inbound pipeline in PostgreSQL: the durable intake of Meta's webhook POSTs, and the set-based writes
 * that apply one payload — every statement covers all the payload's messages or statuses at once
 * (`jsonb_to_recordset` of one parameter), so a payload of 50 messages costs about a dozen statements, not
 * hundreds. Rows are locked in id order (`FOR UPDATE`) so that payloads processed concurrently serialize on
 * the contacts, conversations and messages they share instead of losing updates. Worker-only reads go by
 * the routed account: no tenant-facing path reads through here.
 */
@Injectable()
export class InboundRepository {
  constructor(private readonly db: Database) {}

  // ---------------------------------------------------------------------------------- intake

  /** The api's one statement before its 200: the exact bytes, durably. */
  async insertPayload(id: string, body: Buffer): Promise<void> {
    await this.db.tx.$executeRaw`INSERT INTO meta_webhook_payloads (id, body) VALUES (${id}, ${body})`;
  }

  /** The payload, locked for this transaction (a second job of the same payload waits, then finds it processed). */
  async lockPayload(id: string): Promise<{ body: Buffer; processed: boolean } | null> {
    const rows = await this.db.tx.$queryRaw<{ body: Uint8Array; processed_at: Date | null }[]>`
      SELECT body, processed_at FROM meta_webhook_payloads WHERE id = ${id} FOR UPDATE`;
    const row = rows[0];
    return row ? { body: Buffer.from(row.body), processed: row.processed_at !== null } : null;
  }

  /** A failed attempt (outside the rolled-back transaction): counted, with its error, for the sweep and an operator. */
  async recordFailure(id: string, error: string): Promise<void> {
    await this.db.tx.$executeRaw`
      UPDATE meta_webhook_payloads SET attempts = attempts + 1, last_error = ${error.slice(0, 2000)} WHERE id = ${id} AND processed_at IS NULL`;
  }

  /** The sweep: payloads received before `olderThan` and never processed, oldest first (below the attempt cap). */
  async findUnprocessed(olderThan: Date, limit: number, maxAttempts: number): Promise<string[]> {
    const rows = await this.db.tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM meta_webhook_payloads
      WHERE processed_at IS NULL AND received_at < ${olderThan}::timestamptz AND attempts < ${maxAttempts}::int
      ORDER BY received_at LIMIT ${limit}::int`;
    return rows.map((r) => r.id);
  }

  // --------------------------------------------------------------------------------- routing

  /** The accounts of these Meta numbers (whatever their status: a disconnected number's inbound still belongs to it). */
  async accountsByPhoneNumberIds(phoneNumberIds: string[]): Promise<MessagingAccount[]> {
    if (phoneNumberIds.length === 0) return [];
    return this.db.tx.$queryRaw<MessagingAccount[]>`
      SELECT a.id, a.org_id AS "organizationId", a.team_id AS "teamId", a.customer_id AS "customerId",
             a.phone_number_id AS "phoneNumberId", a.status::text AS status
      FROM whatsapp_accounts a WHERE a.phone_number_id IN (SELECT jsonb_array_elements_text(${json(phoneNumberIds)}::jsonb))`;
  }

  // -------------------------------------------------------------------------------- messages

  /**
   * ONE statement for the payload's parties and messages: the senders' contacts upserted (created when
   * absent; the existing ones locked by a no-op `DO UPDATE`, which returns the latest committed row even
   * if it is newer than the statement's snapshot), their conversations likewise, then the messages
   * `received` with `ON CONFLICT (account_id, wamid) DO NOTHING` — Meta's retries and a concurrent
   * duplicate that committed first are skipped, and only the ids actually inserted come back. Rows are
   * locked in (account_id, wa_id) and (account_id, contact_id) order, the same in every payload, so
   * concurrent payloads serialize on the parties they share instead of deadlocking. `created` is
   * `xmax = 0` (the row was inserted by this statement). One contact row per (account, wa_id), one
   * message row per (account, wamid): the caller dedupes (ON CONFLICT DO UPDATE cannot touch a row twice).
   */
  async upsertPartiesAndMessages(
    contacts: {
      id: string;
      conversation_id: string;
      org_id: string;
      team_id: string;
      customer_id: string | null;
      account_id: string;
      wa_id: string;
    }[],
    messages: { id: string; account_id: string; wa_id: string; type: string; content: unknown; wamid: string; context: unknown }[],
    at: Date,
  ): Promise<{
    contacts: (Contact & { created: boolean })[];
    conversations: (Conversation & { created: boolean })[];
    inserted: Set<string>;
  }> {
    const rows = await this.db.tx.$queryRawUnsafe<{ contacts: string; conversations: string; inserted: string }[]>(
      `WITH x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, conversation_id text, org_id text, team_id text, customer_id text,
                                                           account_id text, wa_id text)),
       c AS (
         INSERT INTO contacts AS t (id, org_id, team_id, customer_id, account_id, wa_id, created_at, updated_at)
         SELECT x.id, x.org_id, x.team_id, x.customer_id, x.account_id, x.wa_id, $3::timestamptz, $3::timestamptz
         FROM x ORDER BY x.account_id, x.wa_id
         ON CONFLICT (account_id, wa_id) DO UPDATE SET wa_id = t.wa_id
         RETURNING ${CONTACT_RETURNING}, (t.xmax = 0) AS created),
       v AS (
         INSERT INTO conversations AS t (id, org_id, team_id, customer_id, account_id, contact_id, created_at, updated_at)
         SELECT x.conversation_id, c."orgId", c."teamId", c."customerId", c."accountId", c.id, $3::timestamptz, $3::timestamptz
         FROM c JOIN x ON x.account_id = c."accountId" AND x.wa_id = c."waId"
         ORDER BY c."accountId", c.id
         ON CONFLICT (account_id, contact_id) DO UPDATE SET contact_id = t.contact_id
         RETURNING ${CONVERSATION_RETURNING}, (t.xmax = 0) AS created),
       m AS (
         INSERT INTO messages (id, org_id, team_id, customer_id, account_id, conversation_id, contact_id, direction, type, content, status,
                               wamid, context, created_at, updated_at)
         SELECT y.id, c."orgId", c."teamId", c."customerId", c."accountId", v.id, c.id, 'inbound'::message_direction, y.type, y.content,
                'received'::message_status, y.wamid, y.context, $3::timestamptz, $3::timestamptz
         FROM jsonb_to_recordset($2::jsonb) AS y(id text, account_id text, wa_id text, type text, content jsonb, wamid text, context jsonb)
         JOIN c ON c."accountId" = y.account_id AND c."waId" = y.wa_id
         JOIN v ON v."contactId" = c.id
         ORDER BY y.account_id, y.wamid
         ON CONFLICT (account_id, wamid) DO NOTHING RETURNING id)
       SELECT (SELECT coalesce(json_agg(c), '[]') FROM c)::text AS contacts,
              (SELECT coalesce(json_agg(v), '[]') FROM v)::text AS conversations,
              (SELECT coalesce(json_agg(m.id), '[]') FROM m)::text AS inserted`,
      json(contacts),
      json(messages),
      at.toISOString(),
    );
    const row = rows[0] as { contacts: string; conversations: string; inserted: string };
    const contactRows = JSON.parse(row.contacts) as (Parameters<typeof toContact>[0] & { created: boolean })[];
    const conversationRows = JSON.parse(row.conversations) as (Parameters<typeof toConversation>[0] & { created: boolean })[];
    return {
      contacts: contactRows.map((r) => ({
        ...toContact({
          ...r,
          lastInboundAt: date(r.lastInboundAt),
          createdAt: date(r.createdAt) as Date,
          updatedAt: date(r.updatedAt) as Date,
        }),
        created: r.created,
      })),
      conversations: conversationRows.map((r) => ({
        ...toConversation({
          ...r,
          lastMessageAt: date(r.lastMessageAt),
          lastInboundAt: date(r.lastInboundAt),
          createdAt: date(r.createdAt) as Date,
          updatedAt: date(r.updatedAt) as Date,
        }),
        created: r.created,
      })),
      inserted: new Set(JSON.parse(row.inserted) as string[]),
    };
  }

  /**
   * ONE statement for everything a payload (or an early-status apply) writes after its reads: contacts'
   * and conversations' new state, the statuses' messages, the early statuses kept, the events, and the
   * payload marked processed (`mark` absent: no payload). Each part is a data-modifying CTE over one
   * `jsonb_to_recordset` parameter (an empty array writes nothing); they touch different tables.
   */
  async writeResults(w: {
    contacts: { id: string; profile_name: string | null; last_inbound_at: string | null; updated_at: string }[];
    conversations: {
      id: string;
      status: string;
      unread_count: number;
      last_message_at: string | null;
      last_inbound_at: string | null;
      updated_at: string;
    }[];
    statuses: StatusRow[];
    early: Row[];
    events: EventRow[];
    mark?: { id: string; note: string | null; at: Date };
  }): Promise<void> {
    await this.db.tx.$executeRawUnsafe(
      `WITH uc AS (
         UPDATE contacts c SET profile_name = x.profile_name, last_inbound_at = x.last_inbound_at, updated_at = x.updated_at
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, profile_name text, last_inbound_at timestamptz, updated_at timestamptz)
         WHERE c.id = x.id),
       uv AS (
         UPDATE conversations v SET status = x.status::conversation_status, unread_count = x.unread_count,
                last_message_at = x.last_message_at, last_inbound_at = x.last_inbound_at, updated_at = x.updated_at
         FROM jsonb_to_recordset($2::jsonb) AS x(id text, status text, unread_count int, last_message_at timestamptz,
                                                  last_inbound_at timestamptz, updated_at timestamptz)
         WHERE v.id = x.id),
       um AS (
         UPDATE messages m SET status = x.status::message_status, error = x.error, pricing = x.pricing, sent_at = x.sent_at,
                delivered_at = x.delivered_at, read_at = x.read_at, failed_at = x.failed_at, updated_at = x.updated_at
         FROM jsonb_to_recordset($3::jsonb) AS x(id text, status text, error jsonb, pricing jsonb, sent_at timestamptz,
                                                  delivered_at timestamptz, read_at timestamptz, failed_at timestamptz, updated_at timestamptz)
         WHERE m.id = x.id),
       ue AS (
         INSERT INTO early_message_statuses (id, org_id, team_id, customer_id, account_id, wamid, status, payload, received_at)
         SELECT x.id, x.org_id, x.team_id, x.customer_id, x.account_id, x.wamid, x.status, x.payload, x.received_at
         FROM jsonb_to_recordset($4::jsonb) AS x(id text, org_id text, team_id text, customer_id text, account_id text, wamid text,
                                                  status text, payload jsonb, received_at timestamptz)),
       ev AS (
         INSERT INTO events (id, org_id, team_id, customer_id, type, data, previous_attributes, created_at)
         SELECT x.id, x.org_id, x.team_id, x.customer_id, x.type, x.data, x.previous_attributes, x.created_at
         FROM jsonb_to_recordset($5::jsonb) AS x(id text, org_id text, team_id text, customer_id text, type text, data jsonb,
                                                  previous_attributes jsonb, created_at timestamptz)
         ORDER BY x.id)
       UPDATE meta_webhook_payloads SET processed_at = $6::timestamptz, attempts = attempts + 1, note = $7::text, last_error = NULL
       WHERE id = $8::text`,
      json(w.contacts),
      json(w.conversations),
      json(w.statuses),
      json(w.early),
      json(w.events),
      w.mark === undefined ? null : w.mark.at.toISOString(),
      w.mark?.note ?? null,
      w.mark?.id ?? null,
    );
  }

  // -------------------------------------------------------------------------------- statuses

  /** The messages these (account, wamid) pairs name, locked (with their number, for the resource). */
  async lockMessagesByWamid(pairs: { account_id: string; wamid: string }[]): Promise<Message[]> {
    if (pairs.length === 0) return [];
    const rows = await this.db.tx.$queryRawUnsafe<(Parameters<typeof toMessage>[0] & { phoneNumberId: string })[]>(
      `SELECT ${MESSAGE_COLUMNS}, a.phone_number_id AS "phoneNumberId" FROM messages m
       JOIN whatsapp_accounts a ON a.id = m.account_id
       WHERE (m.account_id, m.wamid) IN (SELECT x.account_id, x.wamid FROM jsonb_to_recordset($1::jsonb) AS x(account_id text, wamid text))
       ORDER BY m.id FOR UPDATE OF m`,
      json(pairs),
    );
    return rows.map((r) => toMessage(r, r.phoneNumberId));
  }

  /** Takes (deletes and returns) the early statuses of one wamid; a concurrent taker gets none of them. */
  async takeEarlyStatuses(accountId: string, wamid: string): Promise<EarlyStatusRow[]> {
    return this.db.tx.$queryRaw<EarlyStatusRow[]>`
      DELETE FROM early_message_statuses WHERE account_id = ${accountId} AND wamid = ${wamid}
      RETURNING status, payload, received_at AS "receivedAt"`;
  }

  /** Early statuses whose wamid has been recorded since (the sweep applies them). */
  async findApplicableEarly(limit: number): Promise<{ accountId: string; wamid: string }[]> {
    return this.db.tx.$queryRaw<{ accountId: string; wamid: string }[]>`
      SELECT DISTINCT e.account_id AS "accountId", e.wamid FROM early_message_statuses e
      JOIN messages m ON m.account_id = e.account_id AND m.wamid = e.wamid
      LIMIT ${limit}::int`;
  }

  /** Early statuses older than `olderThan` whose message never got its wamid (another system's send, a failed send). */
  async purgeEarly(olderThan: Date): Promise<number> {
    return this.db.tx.$executeRaw`DELETE FROM early_message_statuses WHERE received_at < ${olderThan}::timestamptz`;
  }
}
