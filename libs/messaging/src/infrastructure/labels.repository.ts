import { Injectable } from '@nestjs/common';
import { Database, joinSql, type KeysetPosition, keysetSql, type Sql, sql, type TenantScope } from '@kirim/platform';
import type { Label, LabelColor } from '../domain/labels';

interface LabelRow {
  id: string;
  orgId: string;
  teamId: string;
  name: string;
  color: LabelColor;
  createdAt: Date;
  updatedAt: Date;
}

const LABEL_COLUMNS = sql`id, org_id AS "orgId", team_id AS "teamId", name, color::text AS color, created_at AS "createdAt",
  updated_at AS "updatedAt"`;

export interface LabelChanges {
  name?: string;
  color?: LabelColor;
}

/**
 * Labels in PostgreSQL (raw statements). Every read is scoped: by organization, and for a customer-restricted
 * key to the team of its customer (tenancy's `customers` row, read-only) — another team's label reads as
 * absent. `name_key` is `lower(name)` computed by PostgreSQL; its unique index (team, name_key) is what
 * refuses a duplicate name (the caller maps the violation to 409).
 */
@Injectable()
export class LabelsRepository {
  constructor(private readonly db: Database) {}

  async create(label: { id: string; organizationId: string; teamId: string; name: string; color: LabelColor }, at: Date): Promise<Label> {
    const rows = await this.db.tx.$queryRaw<LabelRow[]>`
      INSERT INTO labels (id, org_id, team_id, name, name_key, color, created_at, updated_at)
      VALUES (${label.id}, ${label.organizationId}, ${label.teamId}, ${label.name}, lower(${label.name}), ${label.color}::label_color,
              ${at}::timestamptz, ${at}::timestamptz)
      RETURNING ${LABEL_COLUMNS}`;
    return toLabel(one(rows, label.id));
  }

  /** The label in the scope, or null; `lock`: `FOR UPDATE` (PATCH, DELETE) or `FOR SHARE` (attach: it cannot vanish meanwhile). */
  async find(scope: TenantScope, id: string, lock: 'update' | 'share' | null = null): Promise<Label | null> {
    if (lock !== null && !this.db.inTransaction) throw new Error('a locked label read needs a transaction');
    const locking = lock === 'update' ? sql`FOR UPDATE` : lock === 'share' ? sql`FOR SHARE` : sql``;
    const rows = await this.db.tx.$queryRaw<LabelRow[]>`
      SELECT ${LABEL_COLUMNS} FROM labels
      WHERE id = ${id} AND ${scopeCondition(scope)}
      ${locking}`;
    const row = rows[0];
    return row ? toLabel(row) : null;
  }

  /** Newest first, after the keyset position, at most `take` rows. */
  async list(
    scope: TenantScope,
    filters: { teamId?: string | undefined },
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<Label[]> {
    const where: Sql[] = [scopeCondition(scope), keysetSql(page.after)];
    if (filters.teamId !== undefined) where.push(sql`team_id = ${filters.teamId}`);
    const rows = await this.db.tx.$queryRaw<LabelRow[]>`
      SELECT ${LABEL_COLUMNS} FROM labels
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.take}`;
    return rows.map(toLabel);
  }

  async update(id: string, changes: LabelChanges, at: Date): Promise<Label> {
    const sets: Sql[] = [sql`updated_at = ${at}::timestamptz`];
    if (changes.name !== undefined) sets.push(sql`name = ${changes.name}`, sql`name_key = lower(${changes.name})`);
    if (changes.color !== undefined) sets.push(sql`color = ${changes.color}::label_color`);
    const rows = await this.db.tx.$queryRaw<LabelRow[]>`
      UPDATE labels SET ${joinSql(sets, ', ')} WHERE id = ${id} RETURNING ${LABEL_COLUMNS}`;
    return toLabel(one(rows, id));
  }

  /** Deletes the label; its contact and conversation attachments go with it (the join rows cascade). */
  async delete(id: string): Promise<void> {
    await this.db.tx.$executeRaw`DELETE FROM labels WHERE id = ${id}`;
  }
}

/** The scope's labels: its organization's, and for a restricted key those of its customer's team only. */
function scopeCondition(scope: TenantScope): Sql {
  if (scope.customerId === null) return sql`org_id = ${scope.organizationId}`;
  return sql`org_id = ${scope.organizationId}
    AND team_id = (SELECT cu.team_id FROM customers cu WHERE cu.id = ${scope.customerId} AND cu.org_id = ${scope.organizationId})`;
}

function one(rows: LabelRow[], id: string): LabelRow {
  const row = rows[0];
  if (!row) throw new Error(`Label ${id} was not written`);
  return row;
}

function toLabel(row: LabelRow): Label {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    name: row.name,
    color: row.color,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
