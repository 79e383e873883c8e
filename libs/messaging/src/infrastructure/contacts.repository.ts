import { Injectable } from '@nestjs/common';
import { Database, joinSql, type KeysetPosition, keysetSql, newId, type Sql, sql, type TenantScope } from '@kirim/platform';
import type { Contact, ContactFilters } from '../domain/parties';
import type { MessagingAccount } from './messages.repository';
import { CONTACT_LABELS, toContact } from './parties.repository';

/** A contacts row as `toContact` reads it, labels included (`contacts c`). */
const CONTACT_SELECT = sql`c.id, c.org_id AS "orgId", c.team_id AS "teamId", c.customer_id AS "customerId", c.account_id AS "accountId",
  c.wa_id AS "waId", c.profile_name AS "profileName", c.name, c.email, c.metadata, c.last_inbound_at AS "lastInboundAt",
  c.created_at AS "createdAt", c.updated_at AS "updatedAt", ${CONTACT_LABELS} AS labels`;

type ContactRow = Parameters<typeof toContact>[0];

export interface ContactFields {
  name?: string | null;
  email?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** An event row written set-based with the change it describes (bulk labelling: one statement for all of them). */
export interface BulkEventRow {
  id: string;
  org_id: string;
  team_id: string;
  customer_id: string | null;
  type: string;
  data: unknown;
  previous_attributes: unknown;
  created_at: string;
}

const json = (value: unknown): string | null => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * The API's contacts in PostgreSQL (raw statements). Every statement is confined to the path's account —
 * resolved in the caller's scope beforehand — and to its organization; labels come with every read (one
 * scalar subquery). Labelling is set-based: one statement attaches (or detaches) a label to any number of
 * contacts and bumps their `updated_at`, returning only those it changed.
 */
@Injectable()
export class ContactsRepository {
  constructor(private readonly db: Database) {}

  async find(account: MessagingAccount, id: string): Promise<Contact | null> {
    const rows = await this.db.tx.$queryRaw<ContactRow[]>`
      SELECT ${CONTACT_SELECT} FROM contacts c
      WHERE c.id = ${id} AND c.account_id = ${account.id} AND c.org_id = ${account.organizationId}`;
    const row = rows[0];
    return row ? toContact(row) : null;
  }

  /** The contact, its row locked until the transaction ends (PATCH, labelling: changes of one contact serialize). */
  async lock(account: MessagingAccount, id: string): Promise<Contact | null> {
    if (!this.db.inTransaction) throw new Error('ContactsRepository.lock needs a transaction');
    const rows = await this.db.tx.$queryRaw<ContactRow[]>`
      SELECT ${CONTACT_SELECT} FROM contacts c
      WHERE c.id = ${id} AND c.account_id = ${account.id} AND c.org_id = ${account.organizationId}
      FOR UPDATE OF c`;
    const row = rows[0];
    return row ? toContact(row) : null;
  }

  /** The account's contacts among these ids (in id order). */
  async findMany(account: MessagingAccount, ids: readonly string[]): Promise<Contact[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.tx.$queryRaw<ContactRow[]>`
      SELECT ${CONTACT_SELECT} FROM contacts c
      WHERE c.id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
        AND c.account_id = ${account.id} AND c.org_id = ${account.organizationId}
      ORDER BY c.id`;
    return rows.map(toContact);
  }

  /** Newest first within one account, after the keyset position, at most `take` rows. */
  async list(
    scope: TenantScope,
    account: MessagingAccount,
    filters: ContactFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<Contact[]> {
    const where: Sql[] = [sql`c.account_id = ${account.id}`, sql`c.org_id = ${scope.organizationId}`, keysetSql(page.after)];
    if (scope.customerId !== null) where.push(sql`c.customer_id = ${scope.customerId}`);
    if (filters.waId !== undefined) where.push(sql`c.wa_id = ${filters.waId}`);
    if (filters.q !== undefined) {
      const pattern = `%${escapeLike(filters.q)}%`;
      where.push(sql`(c.name ILIKE ${pattern} OR c.profile_name ILIKE ${pattern} OR c.email ILIKE ${pattern}
        OR ('+' || c.wa_id) LIKE ${pattern})`);
    }
    if (filters.labelId !== undefined) {
      where.push(sql`EXISTS (SELECT 1 FROM contact_labels fl WHERE fl.contact_id = c.id AND fl.label_id = ${filters.labelId})`);
    }
    const rows = await this.db.tx.$queryRaw<ContactRow[]>`
      SELECT ${CONTACT_SELECT} FROM contacts c
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY c.created_at DESC, c.id DESC
      LIMIT ${page.take}`;
    return rows.map(toContact);
  }

  /**
   * The account's contact with this wa_id, created with the given fields when absent (race-free: `ON CONFLICT
   * DO NOTHING`, then a read that sees the winner's committed row). `created` tells which; an existing contact
   * is returned as it is (the fields are not applied to it).
   */
  async findOrCreate(
    account: MessagingAccount,
    waId: string,
    fields: ContactFields,
    at: Date,
  ): Promise<{ contact: Contact; created: boolean }> {
    const inserted = await this.db.tx.$queryRaw<{ id: string }[]>`
      INSERT INTO contacts (id, org_id, team_id, customer_id, account_id, wa_id, name, email, metadata, created_at, updated_at)
      VALUES (${newId('ctc')}, ${account.organizationId}, ${account.teamId}, ${account.customerId}::text, ${account.id}, ${waId},
              ${fields.name ?? null}::text, ${fields.email ?? null}::text, ${json(fields.metadata)}::jsonb, ${at}::timestamptz, ${at}::timestamptz)
      ON CONFLICT (account_id, wa_id) DO NOTHING
      RETURNING id`;
    const rows = await this.db.tx.$queryRaw<ContactRow[]>`
      SELECT ${CONTACT_SELECT} FROM contacts c WHERE c.account_id = ${account.id} AND c.wa_id = ${waId}`;
    const row = rows[0];
    if (!row) throw new Error(`Contact ${waId} of ${account.id} was neither created nor found`);
    return { contact: toContact(row), created: inserted.length === 1 };
  }

  /** Sets the given fields (`null` clears) and `updated_at` of a contact already read in the scope. */
  async update(account: MessagingAccount, id: string, changes: ContactFields, at: Date): Promise<Contact> {
    const sets: Sql[] = [sql`updated_at = ${at}::timestamptz`];
    if (changes.name !== undefined) sets.push(sql`name = ${changes.name}::text`);
    if (changes.email !== undefined) sets.push(sql`email = ${changes.email}::text`);
    if (changes.metadata !== undefined) sets.push(sql`metadata = ${json(changes.metadata)}::jsonb`);
    await this.db.tx.$executeRaw`
      UPDATE contacts SET ${joinSql(sets, ', ')} WHERE id = ${id} AND account_id = ${account.id} AND org_id = ${account.organizationId}`;
    const updated = await this.find(account, id);
    if (!updated) throw new Error(`Contact ${id} vanished`);
    return updated;
  }

  /**
   * ONE statement: the label attached to those of these contacts that are the account's and in the label's team
   * (others, unknown ids and contacts already carrying it are left alone), their `updated_at` moved to `at`.
   * Returns the ids it changed.
   */
  async attachLabel(account: MessagingAccount, label: { id: string; teamId: string }, ids: readonly string[], at: Date): Promise<string[]> {
    const rows = await this.db.tx.$queryRaw<{ id: string }[]>`
      WITH target AS (
        SELECT c.id FROM contacts c
        WHERE c.id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
          AND c.account_id = ${account.id} AND c.org_id = ${account.organizationId} AND c.team_id = ${label.teamId}
      ), ins AS (
        INSERT INTO contact_labels (contact_id, label_id, created_at)
        SELECT target.id, ${label.id}, ${at}::timestamptz FROM target ORDER BY target.id
        ON CONFLICT (contact_id, label_id) DO NOTHING
        RETURNING contact_id
      ), upd AS (
        UPDATE contacts c SET updated_at = ${at}::timestamptz FROM ins WHERE c.id = ins.contact_id RETURNING c.id
      )
      SELECT id FROM upd ORDER BY id`;
    return rows.map((r) => r.id);
  }

  /** ONE statement: the label detached from those of these contacts of the account that carry it; returns their ids. */
  async detachLabel(account: MessagingAccount, labelId: string, ids: readonly string[], at: Date): Promise<string[]> {
    const rows = await this.db.tx.$queryRaw<{ id: string }[]>`
      WITH del AS (
        DELETE FROM contact_labels cl USING contacts c
        WHERE cl.label_id = ${labelId} AND cl.contact_id = c.id
          AND c.id IN (SELECT jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))
          AND c.account_id = ${account.id} AND c.org_id = ${account.organizationId}
        RETURNING cl.contact_id
      ), upd AS (
        UPDATE contacts c SET updated_at = ${at}::timestamptz FROM del WHERE c.id = del.contact_id RETURNING c.id
      )
      SELECT id FROM upd ORDER BY id`;
    return rows.map((r) => r.id);
  }

  /** The events of a bulk change, ONE insert for all of them (inside the change's transaction, like the outbox). */
  async appendEvents(events: BulkEventRow[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.db.inTransaction) throw new Error('events are appended inside the transaction of their change');
    await this.db.tx.$executeRaw`
      INSERT INTO events (id, org_id, team_id, customer_id, type, data, previous_attributes, created_at)
      SELECT x.id, x.org_id, x.team_id, x.customer_id, x.type, x.data, x.previous_attributes, x.created_at
      FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS x(id text, org_id text, team_id text, customer_id text, type text,
                                                                      data jsonb, previous_attributes jsonb, created_at timestamptz)
      ORDER BY x.id`;
  }
}

/** `%`, `_` and `\` in a contains filter match themselves (PostgreSQL's default LIKE escape is `\`). */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}
