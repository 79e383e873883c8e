import { Injectable } from '@nestjs/common';
import {
  Database,
  KEYSET_ORDER,
  keysetWhere,
  type KeysetPosition,
  scopeWhere,
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

  /** Newest first, after the keyset position, at most `take` rows; served by the (org[, customer], created_at, id) indexes. */
  async list(scope: TenantScope, filters: EventFilters, page: { take: number; after: KeysetPosition | undefined }): Promise<StoredEvent[]> {
    const createdAt: { gt?: Date; lt?: Date } = {};
    if (filters.createdAfter) createdAt.gt = filters.createdAfter;
    if (filters.createdBefore) createdAt.lt = filters.createdBefore;
    const rows = await this.db.tx.event.findMany({
      where: {
        AND: [
          scopeWhere(scope),
          filters.customerId !== undefined ? { customerId: filters.customerId } : {},
          filters.types !== undefined ? { type: { in: filters.types } } : {},
          filters.createdAfter || filters.createdBefore ? { createdAt } : {},
          keysetWhere(page.after),
        ],
      },
      orderBy: KEYSET_ORDER,
      take: page.take,
    });
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
