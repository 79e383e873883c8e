import { Injectable } from '@nestjs/common';
import { Database, newId, sql } from '@kirim/platform';
import type { Assignee, Contact, Conversation, LabelSummary } from '../domain/parties';
import type { MessagingAccount } from './messages.repository';

interface ContactRow {
  id: string;
  orgId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  waId: string;
  profileName: string | null;
  name: string | null;
  email: string | null;
  metadata: unknown;
  lastInboundAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** From {@link CONTACT_LABELS} when the statement selected it; absent: none known (a row just created). */
  labels?: LabelSummary[] | null;
}

interface ConversationRow {
  id: string;
  orgId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  contactId: string;
  status: Conversation['status'];
  assigneeId: string | null;
  unreadCount: number;
  lastMessageAt: Date | null;
  lastInboundAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  labels?: LabelSummary[] | null;
  /** The assignee's `{id, email, name}` when the statement joined it. */
  assignee?: Assignee | null;
}

/**
 * The labels of contact `c` as `[{id, name, color}]` (jsonb), by name ignoring case then id: a scalar
 * subquery for a contact statement's select list (`contacts c`).
 */
export const CONTACT_LABELS = sql`(
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, 'color', l.color::text) ORDER BY l.name_key, l.id), '[]'::jsonb)
  FROM contact_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.contact_id = c.id)`;

/** The same for conversation `v` (`conversations v`). */
export const CONVERSATION_LABELS = sql`(
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, 'color', l.color::text) ORDER BY l.name_key, l.id), '[]'::jsonb)
  FROM conversation_labels vl JOIN labels l ON l.id = vl.label_id WHERE vl.conversation_id = v.id)`;

/**
 * Contacts and conversations in PostgreSQL, found or created race-free (`INSERT … ON CONFLICT DO NOTHING`,
 * then a read that sees the winner's committed row). Tenant columns are copied from the account. Used by the
 * send path (a first message to a wa_id) and meant for the inbound pipeline too.
 */
@Injectable()
export class PartiesRepository {
  constructor(private readonly db: Database) {}

  /** The account's contact with this wa_id, created when absent (`created` tells which). */
  async findOrCreateContact(
    account: MessagingAccount,
    waId: string,
    at: Date,
    fields: { profileName?: string | null } = {},
  ): Promise<{ contact: Contact; created: boolean }> {
    const inserted = await this.db.tx.contact.createManyAndReturn({
      data: [
        {
          id: newId('ctc'),
          orgId: account.organizationId,
          teamId: account.teamId,
          customerId: account.customerId,
          accountId: account.id,
          waId,
          profileName: fields.profileName ?? null,
          createdAt: at,
          updatedAt: at,
        },
      ],
      skipDuplicates: true,
    });
    const created = inserted[0];
    if (created) return { contact: toContact(created), created: true };
    const existing = await this.db.tx.contact.findUniqueOrThrow({ where: { accountId_waId: { accountId: account.id, waId } } });
    return { contact: toContact(existing), created: false };
  }

  /** The (account, contact) conversation, created `open` when absent; `last_message_at` moves to `at`. */
  async findOrCreateConversation(
    account: MessagingAccount,
    contactId: string,
    at: Date,
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const inserted = await this.db.tx.conversation.createManyAndReturn({
      data: [
        {
          id: newId('cnv'),
          orgId: account.organizationId,
          teamId: account.teamId,
          customerId: account.customerId,
          accountId: account.id,
          contactId,
          lastMessageAt: at,
          createdAt: at,
          updatedAt: at,
        },
      ],
      skipDuplicates: true,
    });
    const created = inserted[0];
    if (created) return { conversation: toConversation(created), created: true };
    const existing = await this.db.tx.conversation.update({
      where: { accountId_contactId: { accountId: account.id, contactId } },
      data: { lastMessageAt: at, updatedAt: at },
    });
    return { conversation: toConversation(existing), created: false };
  }
}

export function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    accountId: row.accountId,
    waId: row.waId,
    profileName: row.profileName,
    name: row.name,
    email: row.email,
    metadata: (row.metadata ?? null) as Record<string, unknown> | null,
    lastInboundAt: row.lastInboundAt,
    labels: row.labels ?? [],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    accountId: row.accountId,
    contactId: row.contactId,
    status: row.status,
    assigneeId: row.assigneeId,
    assignee: row.assignee ?? null,
    labels: row.labels ?? [],
    unreadCount: row.unreadCount,
    lastMessageAt: row.lastMessageAt,
    lastInboundAt: row.lastInboundAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
