import { Injectable } from '@nestjs/common';
import { newId } from '../ids/ids';
import { Database } from '../persistence/database';
import { EVENT_COLUMNS, type EventRow, toEventResource, toStoredEvent } from './event-record';

export interface NewEvent {
  type: string;
  organizationId: string;
  teamId: string | null;
  customerId: string | null;
  data: Record<string, unknown>;
  previousAttributes?: Record<string, unknown> | null;
}

/** The public shape of an event (spec 06-webhooks-and-events.md), as stored and as delivered. */
export interface EventResource {
  id: string;
  object: 'event';
  type: string;
  created_at: string;
  organization_id: string;
  team_id: string | null;
  customer_id: string | null;
  data: Record<string, unknown>;
  previous_attributes: Record<string, unknown> | null;
}

/**
 * The transactional outbox: appends an event to `events` through the caller's transaction, so an event
 * exists exactly when its change committed. Typed use goes through `EventWriter` in @kirim/contracts.
 */
@Injectable()
export class OutboxWriter {
  constructor(private readonly db: Database) {}

  async append(event: NewEvent): Promise<EventResource> {
    if (!this.db.inTransaction) {
      throw new Error(`Event ${event.type} must be appended inside the transaction of its change`);
    }
    const previous = event.previousAttributes ?? null;
    // One raw statement (Prisma's model create cost more CPU than the INSERT); `created_at` is the process
    // clock, as Prisma's `now()` default was.
    const rows = await this.db.tx.$queryRaw<EventRow[]>`
      INSERT INTO events (id, org_id, team_id, customer_id, type, data, previous_attributes, created_at)
      VALUES (${newId('evt')}, ${event.organizationId}, ${event.teamId}::text, ${event.customerId}::text, ${event.type},
              ${JSON.stringify(event.data)}::jsonb, ${previous === null ? null : JSON.stringify(previous)}::jsonb, ${new Date()}::timestamptz)
      RETURNING ${EVENT_COLUMNS}`;
    const row = rows[0];
    if (!row) throw new Error(`Event ${event.type} was not written`);
    return toEventResource(toStoredEvent(row));
  }
}
