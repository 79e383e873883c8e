import { Injectable } from '@nestjs/common';
import type { WebhookDeliveryAttempt, WebhookDeliveryStatus } from '@kirim/contracts';
import {
  Database,
  EVENT_COLUMNS,
  type EventRow,
  joinSql,
  type KeysetPosition,
  keysetSql,
  type Sql,
  sql,
  type StoredEvent,
  toStoredEvent,
} from '@kirim/platform';
import type { WebhookDelivery } from '../domain/subscription';

interface DeliveryRow {
  id: string;
  orgId: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookDeliveryAttempt[];
  nextAttemptAt: Date | null;
  replayedFrom: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const DELIVERY_COLUMNS = sql`id, org_id AS "orgId", subscription_id AS "subscriptionId", event_id AS "eventId",
  event_type AS "eventType", status::text AS status, attempts, next_attempt_at AS "nextAttemptAt",
  replayed_from AS "replayedFrom", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The same columns of a `d`-aliased delivery (for statements that join). */
const D_COLUMNS = sql`d.id, d.org_id AS "orgId", d.subscription_id AS "subscriptionId", d.event_id AS "eventId",
  d.event_type AS "eventType", d.status::text AS status, d.attempts, d.next_attempt_at AS "nextAttemptAt",
  d.replayed_from AS "replayedFrom", d.created_at AS "createdAt", d.updated_at AS "updatedAt"`;

export interface DeliveryFilters {
  subscriptionId?: string | undefined;
  status?: WebhookDeliveryStatus | undefined;
  eventType?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

/** A delivery claimed for an attempt: the delivery, its attempt count so far and what to send. */
export interface ClaimedDelivery {
  delivery: WebhookDelivery;
  attemptCount: number;
  /** The logged event (null when it is gone, or for a test delivery, whose body is `payload`). */
  event: StoredEvent | null;
  payload: Record<string, unknown> | null;
}

/** The relay's unit of work: one committed event not yet relayed. */
export interface UnrelayedEvent {
  id: string;
  organizationId: string;
  customerId: string | null;
  type: string;
}

/** What one attempt leaves behind (one statement). */
export interface AttemptRecord {
  id: string;
  /** Attempts before this one (the claim's view): a record from a stale claim changes nothing. */
  previousCount: number;
  attempt: WebhookDeliveryAttempt;
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
  at: Date;
}

/**
 * Deliveries in PostgreSQL. The table is also the delivery queue: a `pending` row whose `next_attempt_at` has
 * come is due; claiming it moves `next_attempt_at` to the end of a lease (so another worker skips it while the
 * attempt runs, and takes it again if this worker dies); recording the attempt sets the next due time or ends
 * it. `dedupe_key` makes the relay's insert idempotent.
 */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly db: Database) {}

  // ── The relay ─────────────────────────────────────────────────────────────────────────────────────────

  /** Committed events not relayed yet, oldest first, locked (`SKIP LOCKED`: concurrent relays split them). */
  async lockUnrelayed(limit: number): Promise<UnrelayedEvent[]> {
    if (!this.db.inTransaction) throw new Error('the relay locks events inside its transaction');
    return this.db.tx.$queryRaw<UnrelayedEvent[]>`
      SELECT id, org_id AS "organizationId", customer_id AS "customerId", type FROM events
      WHERE relayed_at IS NULL
      ORDER BY created_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
  }

  /**
   * Inserts the deliveries (ignoring any that exist: `<subscription>:<event>`) and marks the events relayed,
   * in one statement; answers the subscriptions that got a delivery.
   */
  async relay(
    events: readonly string[],
    deliveries: readonly { id: string; organizationId: string; subscriptionId: string; eventId: string; eventType: string }[],
    at: Date,
  ): Promise<string[]> {
    const rows = await this.db.tx.$queryRaw<{ subscriptionId: string }[]>`
      WITH relayed AS (
        UPDATE events SET relayed_at = ${at}::timestamptz WHERE id = ANY(${[...events]}::text[])
      ), inserted AS (
        INSERT INTO webhook_deliveries (id, org_id, subscription_id, event_id, event_type, dedupe_key, next_attempt_at, created_at, updated_at)
        SELECT d.id, d.org_id, d.subscription_id, d.event_id, d.event_type, d.subscription_id || ':' || d.event_id,
               ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        FROM unnest(${deliveries.map((d) => d.id)}::text[], ${deliveries.map((d) => d.organizationId)}::text[],
                    ${deliveries.map((d) => d.subscriptionId)}::text[], ${deliveries.map((d) => d.eventId)}::text[],
                    ${deliveries.map((d) => d.eventType)}::text[]) AS d(id, org_id, subscription_id, event_id, event_type)
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING subscription_id
      )
      SELECT DISTINCT subscription_id AS "subscriptionId" FROM inserted`;
    return rows.map((r) => r.subscriptionId);
  }

  // ── The deliverer ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Claims up to `limit` due deliveries of an active subscription (oldest due first; `SKIP LOCKED`, so two
   * workers never claim the same row) by moving their due time to `leaseUntil`, with the event to send. One
   * statement on the pool.
   */
  async claimDue(subscriptionId: string, limit: number, now: Date, leaseUntil: Date): Promise<ClaimedDelivery[]> {
    const rows = await this.db.read<
      DeliveryRow & { attemptCount: number; payload: Record<string, unknown> | null; event: EventRow | null }
    >(sql`
      WITH due AS (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.subscription_id = ${subscriptionId} AND d.status = 'pending' AND d.next_attempt_at <= ${now}::timestamptz
          AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id AND s.status = 'active')
        ORDER BY d.next_attempt_at
        LIMIT ${limit}
        FOR UPDATE OF d SKIP LOCKED
      ), claimed AS (
        UPDATE webhook_deliveries d SET next_attempt_at = ${leaseUntil}::timestamptz
        FROM due WHERE d.id = due.id
        RETURNING ${D_COLUMNS}, d.attempt_count AS "attemptCount", d.payload
      )
      SELECT c.*, ${eventJson(sql`c."eventId"`)} AS event
      FROM claimed c
      ORDER BY c."nextAttemptAt"`);
    return rows.map((r) => ({
      delivery: toDelivery(r),
      attemptCount: r.attemptCount,
      payload: r.payload,
      event: eventOf(r.event),
    }));
  }

  /**
   * Records an attempt in one statement on the pool, when the row is still as the claim left it (pending,
   * `previousCount` attempts): a late record from a worker whose lease ran out changes nothing. A success
   * also clears the subscription's run of failures (a write only when there is one). Answers whether it recorded.
   */
  async recordAttempt(record: AttemptRecord, options: { resetFailures: boolean }): Promise<boolean> {
    const { rows } = await this.db.write<{ subscriptionId: string }>(sql`
      WITH recorded AS (${recordSql(record)} RETURNING subscription_id),
      reset AS (
        UPDATE webhook_subscriptions SET consecutive_failures = 0, failing_since = NULL
        WHERE ${options.resetFailures} AND id IN (SELECT subscription_id FROM recorded) AND consecutive_failures > 0
      )
      SELECT subscription_id AS "subscriptionId" FROM recorded`);
    return rows.length > 0;
  }

  /**
   * Many successes in one statement on the pool, each only while its row is as its claim left it; their
   * subscriptions' runs of failures end (a write only where there is one). Answers how many it recorded.
   */
  async recordSucceeded(records: readonly AttemptRecord[]): Promise<number> {
    const { rows } = await this.db.write<{ n: number }>(sql`
      WITH input AS (
        SELECT * FROM unnest(${records.map((r) => r.id)}::text[], ${records.map((r) => r.previousCount)}::int[],
                             ${records.map((r) => JSON.stringify([r.attempt]))}::text[], ${records.map((r) => r.at)}::timestamptz[])
          AS i(id, previous_count, attempt, at)
      ), recorded AS (
        UPDATE webhook_deliveries d
        SET status = 'succeeded', attempts = d.attempts || i.attempt::jsonb, attempt_count = i.previous_count + 1,
            next_attempt_at = NULL, updated_at = i.at
        FROM input i
        WHERE d.id = i.id AND d.status = 'pending' AND d.attempt_count = i.previous_count
        RETURNING d.subscription_id
      ), reset AS (
        UPDATE webhook_subscriptions SET consecutive_failures = 0, failing_since = NULL
        WHERE id IN (SELECT subscription_id FROM recorded) AND consecutive_failures > 0
      )
      SELECT count(*)::int AS n FROM recorded`);
    return rows[0]?.n ?? 0;
  }

  /** The same record inside the caller's transaction (a final failure, counted on the subscription with it). */
  async recordAttemptInTx(record: AttemptRecord): Promise<boolean> {
    return (await this.db.tx.$executeRaw(recordSql(record))) > 0;
  }

  // ── The API ───────────────────────────────────────────────────────────────────────────────────────────

  async find(organizationId: string, id: string): Promise<WebhookDelivery | null> {
    const rows = await this.db.tx.$queryRaw<DeliveryRow[]>`
      SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ${id} AND org_id = ${organizationId}`;
    const row = rows[0];
    return row ? toDelivery(row) : null;
  }

  /** The body of a delivery: its logged event, or the stored payload of a test delivery. */
  async source(id: string): Promise<{ event: StoredEvent | null; payload: Record<string, unknown> | null } | null> {
    const rows = await this.db.tx.$queryRaw<{ payload: Record<string, unknown> | null; event: EventRow | null }[]>`
      SELECT d.payload, ${eventJson(sql`d.event_id`)} AS event
      FROM webhook_deliveries d WHERE d.id = ${id}`;
    const row = rows[0];
    if (!row) return null;
    return { payload: row.payload, event: eventOf(row.event) };
  }

  async list(
    organizationId: string,
    filters: DeliveryFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<WebhookDelivery[]> {
    const where: Sql[] = [sql`org_id = ${organizationId}`, keysetSql(page.after), ...filterSql(filters)];
    const rows = await this.db.tx.$queryRaw<DeliveryRow[]>`
      SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.take}`;
    return rows.map(toDelivery);
  }

  /** A new pending delivery due now: a test (`payload` set) or a replay (`replayedFrom` set). */
  async insertOne(
    d: {
      id: string;
      organizationId: string;
      subscriptionId: string;
      eventId: string;
      eventType: string;
      payload: Record<string, unknown> | null;
      replayedFrom: string | null;
    },
    at: Date,
    nextAttemptAt: Date | null,
  ): Promise<WebhookDelivery> {
    const rows = await this.db.tx.$queryRaw<DeliveryRow[]>`
      INSERT INTO webhook_deliveries (id, org_id, subscription_id, event_id, event_type, dedupe_key, payload, replayed_from, next_attempt_at, created_at, updated_at)
      VALUES (${d.id}, ${d.organizationId}, ${d.subscriptionId}, ${d.eventId}, ${d.eventType}, ${d.id},
              ${d.payload === null ? null : JSON.stringify(d.payload)}::jsonb, ${d.replayedFrom}::text, ${nextAttemptAt}::timestamptz,
              ${at}::timestamptz, ${at}::timestamptz)
      RETURNING ${DELIVERY_COLUMNS}`;
    const row = rows[0];
    if (!row) throw new Error(`Webhook delivery ${d.id} was not written`);
    return toDelivery(row);
  }

  /**
   * Bulk replay: a new delivery for each matching delivery of the subscription that has no replay yet (so
   * repeated calls work through a backlog), oldest first, at most `limit`; answers how many and whether more matched.
   */
  async replayMany(
    organizationId: string,
    filters: DeliveryFilters & { subscriptionId: string },
    ids: readonly string[],
    at: Date,
  ): Promise<{ enqueued: number; capped: boolean }> {
    const where: Sql[] = [
      sql`d.org_id = ${organizationId}`,
      sql`NOT EXISTS (SELECT 1 FROM webhook_deliveries r WHERE r.replayed_from = d.id)`,
      ...filterSql(filters),
    ];
    const rows = await this.db.tx.$queryRaw<{ enqueued: number; matched: number }[]>`
      WITH candidates AS (
        SELECT d.id, d.org_id, d.subscription_id, d.event_id, d.event_type, d.payload,
               row_number() OVER (ORDER BY d.created_at, d.id) AS n
        FROM webhook_deliveries d
        WHERE ${joinSql(where, ' AND ')}
        ORDER BY d.created_at, d.id
        LIMIT ${ids.length + 1}
      ), inserted AS (
        INSERT INTO webhook_deliveries (id, org_id, subscription_id, event_id, event_type, dedupe_key, payload, replayed_from, next_attempt_at, created_at, updated_at)
        SELECT ids.id, c.org_id, c.subscription_id, c.event_id, c.event_type, ids.id, c.payload, c.id,
               ${at}::timestamptz, ${at}::timestamptz, ${at}::timestamptz
        FROM candidates c JOIN unnest(${[...ids]}::text[]) WITH ORDINALITY AS ids(id, n) ON ids.n = c.n
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM inserted)::int AS enqueued, (SELECT count(*) FROM candidates)::int AS matched`;
    const row = rows[0] ?? { enqueued: 0, matched: 0 };
    return { enqueued: row.enqueued, capped: row.matched > ids.length };
  }

  /** Deletes deliveries created before `before` (they are kept 30 days, as events are). */
  async purgeBefore(before: Date): Promise<number> {
    return this.db.tx.$executeRaw`DELETE FROM webhook_deliveries WHERE created_at < ${before}::timestamptz`;
  }
}

/** The event a delivery sends, as one JSON column (null when it left the log): `eventId` names the column holding its id. */
function eventJson(eventId: Sql): Sql {
  return sql`(SELECT row_to_json(e) FROM (SELECT ${EVENT_COLUMNS} FROM events WHERE events.id = ${eventId}) e)`;
}

/** {@link eventJson}'s value as a stored event (JSON has no dates: `createdAt` comes back a string). */
function eventOf(row: EventRow | null): StoredEvent | null {
  return row ? toStoredEvent({ ...row, createdAt: new Date(row.createdAt) }) : null;
}

/** The one UPDATE of an attempt's record: only while the row is as the claim left it (pending, `previousCount` attempts). */
function recordSql(record: AttemptRecord): Sql {
  return sql`
    UPDATE webhook_deliveries
    SET status = ${record.status}::webhook_delivery_status, attempts = attempts || ${JSON.stringify([record.attempt])}::jsonb,
        attempt_count = ${record.previousCount + 1}, next_attempt_at = ${record.nextAttemptAt}::timestamptz,
        updated_at = ${record.at}::timestamptz
    WHERE id = ${record.id} AND status = 'pending' AND attempt_count = ${record.previousCount}`;
}

/** The filters as conditions on unqualified columns (every statement using them reads one deliveries table). */
function filterSql(filters: DeliveryFilters): Sql[] {
  const where: Sql[] = [];
  if (filters.subscriptionId !== undefined) where.push(sql`subscription_id = ${filters.subscriptionId}`);
  if (filters.status !== undefined) where.push(sql`status = ${filters.status}::webhook_delivery_status`);
  if (filters.eventType !== undefined) where.push(sql`event_type = ${filters.eventType}`);
  if (filters.createdAfter !== undefined) where.push(sql`created_at > ${filters.createdAfter}::timestamptz`);
  if (filters.createdBefore !== undefined) where.push(sql`created_at < ${filters.createdBefore}::timestamptz`);
  return where;
}

function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    organizationId: row.orgId,
    subscriptionId: row.subscriptionId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    replayedFrom: row.replayedFrom,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
