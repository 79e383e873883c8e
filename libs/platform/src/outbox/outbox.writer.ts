import { Injectable } from '@nestjs/common';
import { newId } from '../ids/ids';
import { Database } from '../persistence/database';
import { toEventResource, toStoredEvent } from './event-record';

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
    const row = await this.db.tx.event.create({
      data: {
        id: newId('evt'),
        orgId: event.organizationId,
        teamId: event.teamId,
        customerId: event.customerId,
        type: event.type,
        data: event.data as object,
        previousAttributes: (event.previousAttributes ?? undefined) as object | undefined,
      },
    });
    return toEventResource(toStoredEvent(row));
  }
}
