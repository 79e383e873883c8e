import { Injectable } from '@nestjs/common';
import {
  Database,
  EVENT_COLUMNS,
  type EventRow,
  joinSql,
  type KeysetPosition,
  keysetSql,
  scopeWhere,
  type Sql,
  sql,
  type StoredEvent,
  type TenantScope,
  toStoredEvent,
} from '@kirim/platform';
import type { EventFilters } from '../domain/event-log';

/**
 * The event log (`events`, written by the platform's outbox). Every read takes the tenant scope (organization,
 * and customer for a restricted key) — there is no unscoped read. The only unscoped operation is the
 * retention purge, which deletes by age across tenants.
 */
@Injectable()
export class EventsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Newest first, after the keyset position, at most `take` rows; served by the (org[, customer], created_at,
   * id) indexes. One raw statement on the pool (`Database.read`): Prisma's findMany cost more CPU to build
   * and map than PostgreSQL spent (decisions 49, 63).
   */
  async list(scope: TenantScope, filters: EventFilters, page: { take: number; after: KeysetPosition | undefined }): Promise<StoredEvent[]> {
    const where: Sql[] = [sql`org_id = ${scope.organizationId}`, keysetSql(page.after)];
    if (scope.customerId !== null) where.push(sql`customer_id = ${scope.customerId}`);
    if (filters.customerId !== undefined) where.push(sql`customer_id = ${filters.customerId}`);
    if (filters.types !== undefined) where.push(sql`type = ANY(${filters.types}::text[])`);
    if (filters.createdAfter) where.push(sql`created_at > ${filters.createdAfter}`);
    if (filters.createdBefore) where.push(sql`created_at < ${filters.createdBefore}`);
    const rows = await this.db.read<EventRow>(sql`
      SELECT ${EVENT_COLUMNS}
        FROM events
       WHERE ${joinSql(where, ' AND ')}
       ORDER BY created_at DESC, id DESC
       LIMIT ${page.take}`);
    return rows.map(toStoredEvent);
  }

  async findById(scope: TenantScope, id: string): Promise<StoredEvent | null> {
    const row = await this.db.tx.event.findFirst({ where: { AND: [{ id }, scopeWhere(scope)] } });
    return row ? toStoredEvent(row) : null;
  }

  /**
   * Deletes events created before `cutoff`, oldest first in batches (each its own statement, so no long
   * lock and no huge transaction), until none is left. Returns how many were deleted.
   */
  async deleteCreatedBefore(cutoff: Date, batchSize: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.db.tx.$executeRaw`
        DELETE FROM events WHERE id IN (
          SELECT id FROM events WHERE created_at < ${cutoff} ORDER BY created_at LIMIT ${batchSize})`;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }
}
