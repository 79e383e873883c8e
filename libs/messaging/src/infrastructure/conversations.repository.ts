import { Injectable } from '@nestjs/common';
import { Database, joinSql, type KeysetPosition, type Sql, sql, type TenantScope } from '@kirim/platform';
import type { Contact, Conversation, ConversationFilters, ConversationStatus } from '../domain/parties';
import type { MessagingAccount } from './messages.repository';
import { CONVERSATION_LABELS, toConversation } from './parties.repository';

/** A conversations row as `toConversation` reads it, labels included, with its contact's public face (`conversations v`, `contacts ct`). */
const CONVERSATION_SELECT = sql`v.id, v.org_id AS "orgId", v.team_id AS "teamId", v.customer_id AS "customerId", v.account_id AS "accountId",
  v.contact_id AS "contactId", v.status::text AS status, v.assignee_id AS "assigneeId", v.unread_count AS "unreadCount",
  v.last_message_at AS "lastMessageAt", v.last_inbound_at AS "lastInboundAt", v.created_at AS "createdAt", v.updated_at AS "updatedAt",
  ${CONVERSATION_LABELS} AS labels, ct.wa_id AS "contactWaId", ct.name AS "contactName", ct.profile_name AS "contactProfileName"`;

type ConversationRow = Parameters<typeof toConversation>[0] & {
  contactWaId: string;
  contactName: string | null;
  contactProfileName: string | null;
};

/** The contact as a conversation's resource shows it. */
export type ConversationContact = Pick<Contact, 'id' | 'waId' | 'name' | 'profileName'>;

/** A conversation with its contact's public face. */
export interface ConversationView {
  conversation: Conversation;
  contact: ConversationContact;
}

/**
 * `last_message_at` of a conversation that has none, in a keyset position: it sorts after every real time
 * (`NULLS LAST`) and never reaches SQL as a timestamp (the earliest time a JS Date holds).
 */
export const NO_LAST_MESSAGE = new Date(-8.64e15);

/**
 * The API's conversations in PostgreSQL (raw statements), confined to the path's account (resolved in the
 * caller's scope) and its organization; labels and the contact come with every read. The list is newest
 * `last_message_at` first, nulls last, then id: keyset-paginated on (last_message_at, id) in two index-ordered
 * branches (rows with a time, then rows without), each at most one page long.
 */
@Injectable()
export class ConversationsRepository {
  constructor(private readonly db: Database) {}

  async find(account: MessagingAccount, id: string): Promise<ConversationView | null> {
    const rows = await this.db.tx.$queryRaw<ConversationRow[]>`
      SELECT ${CONVERSATION_SELECT} FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
      WHERE v.id = ${id} AND v.account_id = ${account.id} AND v.org_id = ${account.organizationId}`;
    const row = rows[0];
    return row ? toView(row) : null;
  }

  /** The conversation, its row locked until the transaction ends (PATCH, labelling). */
  async lock(account: MessagingAccount, id: string): Promise<ConversationView | null> {
    if (!this.db.inTransaction) throw new Error('ConversationsRepository.lock needs a transaction');
    const rows = await this.db.tx.$queryRaw<ConversationRow[]>`
      SELECT ${CONVERSATION_SELECT} FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
      WHERE v.id = ${id} AND v.account_id = ${account.id} AND v.org_id = ${account.organizationId}
      FOR UPDATE OF v`;
    const row = rows[0];
    return row ? toView(row) : null;
  }

  async list(
    scope: TenantScope,
    account: MessagingAccount,
    filters: ConversationFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<ConversationView[]> {
    const where: Sql[] = [sql`v.account_id = ${account.id}`, sql`v.org_id = ${scope.organizationId}`];
    if (scope.customerId !== null) where.push(sql`v.customer_id = ${scope.customerId}`);
    if (filters.status !== undefined) where.push(sql`v.status = ${filters.status}::conversation_status`);
    if (filters.assigneeId !== undefined) where.push(sql`v.assignee_id = ${filters.assigneeId}`);
    if (filters.contactId !== undefined) where.push(sql`v.contact_id = ${filters.contactId}`);
    if (filters.labelId !== undefined) {
      where.push(sql`EXISTS (SELECT 1 FROM conversation_labels fl WHERE fl.conversation_id = v.id AND fl.label_id = ${filters.labelId})`);
    }
    const after = page.after;
    const afterNull = after !== undefined && after.createdAt.getTime() === NO_LAST_MESSAGE.getTime();
    const branches: Sql[] = [];
    if (!afterNull) {
      const keyset = after === undefined ? sql`TRUE` : sql`(v.last_message_at, v.id) < (${after.createdAt}::timestamptz, ${after.id})`;
      branches.push(sql`(SELECT ${CONVERSATION_SELECT} FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
        WHERE ${joinSql(where, ' AND ')} AND v.last_message_at IS NOT NULL AND ${keyset}
        ORDER BY v.last_message_at DESC, v.id DESC LIMIT ${page.take})`);
    }
    const nullKeyset = afterNull ? sql`v.id < ${after.id}` : sql`TRUE`;
    branches.push(sql`(SELECT ${CONVERSATION_SELECT} FROM conversations v JOIN contacts ct ON ct.id = v.contact_id
      WHERE ${joinSql(where, ' AND ')} AND v.last_message_at IS NULL AND ${nullKeyset}
      ORDER BY v.id DESC LIMIT ${page.take})`);
    const rows = await this.db.tx.$queryRaw<ConversationRow[]>`
      SELECT * FROM (${joinSql(branches, ' UNION ALL ')}) page
      ORDER BY page."lastMessageAt" DESC NULLS LAST, page.id DESC
      LIMIT ${page.take}`;
    return rows.map(toView);
  }

  /** Sets status and/or assignee (and `updated_at`) of a conversation already read (and locked) in the scope. */
  async update(
    account: MessagingAccount,
    id: string,
    changes: { status?: ConversationStatus; assigneeId?: string | null },
    at: Date,
  ): Promise<void> {
    const sets: Sql[] = [sql`updated_at = ${at}::timestamptz`];
    if (changes.status !== undefined) sets.push(sql`status = ${changes.status}::conversation_status`);
    if (changes.assigneeId !== undefined) sets.push(sql`assignee_id = ${changes.assigneeId}::text`);
    await this.db.tx.$executeRaw`
      UPDATE conversations SET ${joinSql(sets, ', ')} WHERE id = ${id} AND account_id = ${account.id} AND org_id = ${account.organizationId}`;
  }

  /** Attaches the label (idempotent: `ON CONFLICT DO NOTHING`); true when it was not attached yet (then `updated_at` moves). */
  async attachLabel(conversationId: string, labelId: string, at: Date): Promise<boolean> {
    const rows = await this.db.tx.$queryRaw<{ id: string }[]>`
      WITH ins AS (
        INSERT INTO conversation_labels (conversation_id, label_id, created_at) VALUES (${conversationId}, ${labelId}, ${at}::timestamptz)
        ON CONFLICT (conversation_id, label_id) DO NOTHING RETURNING conversation_id
      )
      UPDATE conversations v SET updated_at = ${at}::timestamptz FROM ins WHERE v.id = ins.conversation_id RETURNING v.id`;
    return rows.length === 1;
  }

  /** Detaches the label; true when it was attached (then `updated_at` moves). */
  async detachLabel(conversationId: string, labelId: string, at: Date): Promise<boolean> {
    const rows = await this.db.tx.$queryRaw<{ id: string }[]>`
      WITH del AS (
        DELETE FROM conversation_labels WHERE conversation_id = ${conversationId} AND label_id = ${labelId} RETURNING conversation_id
      )
      UPDATE conversations v SET updated_at = ${at}::timestamptz FROM del WHERE v.id = del.conversation_id RETURNING v.id`;
    return rows.length === 1;
  }
}

function toView(row: ConversationRow): ConversationView {
  return {
    conversation: toConversation(row),
    contact: { id: row.contactId, waId: row.contactWaId, name: row.contactName, profileName: row.contactProfileName },
  };
}
