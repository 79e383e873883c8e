import { sql } from '../persistence/sql';
import type { EventResource } from './outbox.writer';

/** An event as the `events` table stores it, in our terms (what repositories return; never a Prisma type). */
export interface StoredEvent {
  id: string;
  type: string;
  organizationId: string;
  teamId: string | null;
  customerId: string | null;
  data: Record<string, unknown>;
  previousAttributes: Record<string, unknown> | null;
  createdAt: Date;
}

/** A row of `events` as Prisma reads it, and as raw statements select it ({@link EVENT_COLUMNS}). */
export interface EventRow {
  id: string;
  orgId: string;
  teamId: string | null;
  customerId: string | null;
  type: string;
  data: unknown;
  previousAttributes: unknown;
  createdAt: Date;
}

/** The columns of `events` as an {@link EventRow}, for raw `SELECT`s and `RETURNING`s. */
export const EVENT_COLUMNS = sql`id, org_id AS "orgId", team_id AS "teamId", customer_id AS "customerId", type, data,
  previous_attributes AS "previousAttributes", created_at AS "createdAt"`;

/** The one row → event mapping (the outbox writer and the event log's repository both use it). */
export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    type: row.type,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    data: (row.data ?? {}) as Record<string, unknown>,
    previousAttributes: (row.previousAttributes ?? null) as Record<string, unknown> | null,
    createdAt: row.createdAt,
  };
}

/** The public shape (spec 06 § Events), identical in `GET /v1/events/{id}` and in webhook deliveries. */
export function toEventResource(event: StoredEvent): EventResource {
  return {
    id: event.id,
    object: 'event',
    type: event.type,
    created_at: event.createdAt.toISOString(),
    organization_id: event.organizationId,
    team_id: event.teamId,
    customer_id: event.customerId,
    data: event.data,
    previous_attributes: event.previousAttributes,
  };
}
