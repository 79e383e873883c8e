import { Injectable } from '@nestjs/common';
import { Database, type Sql, sql, type TenantScope } from '@kirim/platform';
import type { Message } from '../domain/message';
import type { MessagingAccount } from './messages.repository';
import { toMessage } from './messages.repository';

/** A message of the path's account with what an action on it needs of the account (the token still sealed). */
export interface ActionTarget {
  account: MessagingAccount;
  businessTokenCiphertext: string;
  /** Null when the account has no such message. */
  message: Message | null;
}

type MessageRow = Parameters<typeof toMessage>[0];

interface TargetRow {
  a_id: string;
  a_org_id: string;
  a_team_id: string;
  a_customer_id: string | null;
  a_phone_number_id: string;
  a_status: MessagingAccount['status'];
  a_token: string;
  id: string | null;
}

const MESSAGE_COLUMNS = sql`
  m.id, m.org_id AS "orgId", m.team_id AS "teamId", m.customer_id AS "customerId", m.account_id AS "accountId",
  m.conversation_id AS "conversationId", m.contact_id AS "contactId", m.direction::text AS direction, m.type, m.content,
  m.status::text AS status, m.wamid, m.error, m.context, m.metadata, m.pricing,
  m.biz_opaque_callback_data AS "bizOpaqueCallbackData", m.attempts, m.created_at AS "createdAt", m.updated_at AS "updatedAt",
  m.sent_at AS "sentAt", m.delivered_at AS "deliveredAt", m.read_at AS "readAt", m.failed_at AS "failedAt"`;

/**
 * The message actions' reads and writes (mark as read, media): the path's account in the caller's scope
 * with one of its messages (by id or by wamid), and marking a conversation's inbound messages read.
 */
@Injectable()
export class MessageActionsRepository {
  constructor(private readonly db: Database) {}

  /** The account of `phoneNumberId` in the scope (null: not the caller's) and its message `id` (null: none). */
  findById(scope: TenantScope, phoneNumberId: string, id: string): Promise<ActionTarget | null> {
    return this.find(scope, phoneNumberId, sql`m.id = ${id}`);
  }

  /** The same by Meta's wamid (Meta's own mark-as-read body). */
  findByWamid(scope: TenantScope, phoneNumberId: string, wamid: string): Promise<ActionTarget | null> {
    return this.find(scope, phoneNumberId, sql`m.wamid = ${wamid}`);
  }

  private async find(scope: TenantScope, phoneNumberId: string, match: Sql): Promise<ActionTarget | null> {
    // Through db.tx: the send endpoint's read body may run inside the idempotency transaction.
    const rows = await this.db.tx.$queryRaw<(TargetRow & MessageRow)[]>(sql`
      SELECT a.id AS a_id, a.org_id AS a_org_id, a.team_id AS a_team_id, a.customer_id AS a_customer_id,
             a.phone_number_id AS a_phone_number_id, a.status::text AS a_status, a.business_token_ciphertext AS a_token,
             ${MESSAGE_COLUMNS}
      FROM whatsapp_accounts a
      LEFT JOIN messages m ON m.account_id = a.id AND ${match}
      WHERE a.phone_number_id = ${phoneNumberId} AND a.org_id = ${scope.organizationId}
        AND (${scope.customerId}::text IS NULL OR a.customer_id = ${scope.customerId}::text)
      LIMIT 1`);
    const row = rows[0];
    if (!row) return null;
    const account: MessagingAccount = {
      id: row.a_id,
      organizationId: row.a_org_id,
      teamId: row.a_team_id,
      customerId: row.a_customer_id,
      phoneNumberId: row.a_phone_number_id,
      status: row.a_status,
    };
    return {
      account,
      businessTokenCiphertext: row.a_token,
      message: row.id === null ? null : toMessage(row as MessageRow, account.phoneNumberId),
    };
  }

  /**
   * Inside the caller's transaction: `message` and every earlier inbound message of its conversation still
   * `received` become `read` at `at` (Meta marks the earlier ones of the thread read too), and the
   * conversation's `unread_count` becomes the number of its inbound messages still `received`. The
   * conversation row is locked first, so a concurrent inbound message counts either before or after.
   * Returns the messages it changed (oldest first) and the new unread count.
   */
  async markReadUpTo(message: Message, at: Date): Promise<{ changed: Message[]; unreadCount: number }> {
    if (!this.db.inTransaction) throw new Error('markReadUpTo needs a transaction');
    const tx = this.db.tx;
    await tx.$queryRaw`SELECT id FROM conversations WHERE id = ${message.conversationId} FOR UPDATE`;
    const changed = await tx.$queryRaw<MessageRow[]>(sql`
      UPDATE messages m SET status = 'read', read_at = ${at}::timestamptz, updated_at = ${at}::timestamptz
      WHERE m.conversation_id = ${message.conversationId} AND m.direction = 'inbound' AND m.status = 'received'
        AND (m.created_at, m.id) <= (${message.createdAt}::timestamptz, ${message.id}::text)
      RETURNING ${MESSAGE_COLUMNS}`);
    const counted = await tx.$queryRaw<{ unread_count: number }[]>`
      UPDATE conversations v
      SET unread_count = (SELECT count(*)::int FROM messages m
                          WHERE m.conversation_id = v.id AND m.direction = 'inbound' AND m.status = 'received')
      WHERE v.id = ${message.conversationId}
      RETURNING v.unread_count`;
    const sorted = changed.map((row) => toMessage(row, message.phoneNumberId));
    sorted.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
    return { changed: sorted, unreadCount: counted[0]?.unread_count ?? 0 };
  }
}
