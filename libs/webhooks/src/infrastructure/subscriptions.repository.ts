import { Injectable } from '@nestjs/common';
import type { WebhookSubscriptionStatus } from '@kirim/contracts';
import { Database, joinSql, type KeysetPosition, keysetSql, type Sql, sql } from '@kirim/platform';
import type { WebhookSecretInfo, WebhookSubscription } from '../domain/subscription';

interface SubscriptionRow {
  id: string;
  orgId: string;
  customerId: string | null;
  url: string;
  description: string | null;
  events: string[];
  status: WebhookSubscriptionStatus;
  disabledReason: string | null;
  consecutiveFailures: number;
  failingSince: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const SUBSCRIPTION_COLUMNS = sql`id, org_id AS "orgId", customer_id AS "customerId", url, description, events,
  status::text AS status, disabled_reason AS "disabledReason", consecutive_failures AS "consecutiveFailures",
  failing_since AS "failingSince", created_at AS "createdAt", updated_at AS "updatedAt"`;

export interface SubscriptionChanges {
  url?: string;
  events?: string[];
  description?: string | null;
  status?: WebhookSubscriptionStatus;
  disabledReason?: string | null;
  /** Re-enabling resets the failure count (spec 06). */
  resetFailures?: boolean;
}

/** A live secret with its sealed value (for signing; never leaves the context). */
export interface SealedSecret extends WebhookSecretInfo {
  sealed: string;
}

/** The subscription with what delivery needs: its live secrets, sealed. */
export interface DeliveryTarget {
  subscription: WebhookSubscription;
  secrets: SealedSecret[];
}

/**
 * Webhook subscriptions and their secrets in PostgreSQL (raw statements). Every tenant-facing read is scoped by
 * organization (the API refuses customer-restricted keys before these run); the relay's and the deliverer's
 * reads are by id or by organization list, never from a tenant's input.
 */
@Injectable()
export class SubscriptionsRepository {
  constructor(private readonly db: Database) {}

  async create(
    sub: { id: string; organizationId: string; customerId: string | null; url: string; description: string | null; events: string[] },
    secret: { id: string; sealed: string },
    at: Date,
  ): Promise<WebhookSubscription> {
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      INSERT INTO webhook_subscriptions (id, org_id, customer_id, url, description, events, created_at, updated_at)
      VALUES (${sub.id}, ${sub.organizationId}, ${sub.customerId}::text, ${sub.url}, ${sub.description}::text, ${sub.events}::text[],
              ${at}::timestamptz, ${at}::timestamptz)
      RETURNING ${SUBSCRIPTION_COLUMNS}`;
    await this.addSecret(sub.id, secret, at);
    return toSubscription(one(rows, sub.id));
  }

  async addSecret(subscriptionId: string, secret: { id: string; sealed: string }, at: Date): Promise<void> {
    await this.db.tx.$executeRaw`
      INSERT INTO webhook_secrets (id, subscription_id, sealed, created_at) VALUES (${secret.id}, ${subscriptionId}, ${secret.sealed}, ${at}::timestamptz)`;
  }

  /** Every live secret (no expiry, or one after `at`) of the subscription expires at `expiresAt` at the latest. */
  async expireLiveSecrets(subscriptionId: string, at: Date, expiresAt: Date): Promise<void> {
    await this.db.tx.$executeRaw`
      UPDATE webhook_secrets SET expires_at = LEAST(COALESCE(expires_at, ${expiresAt}::timestamptz), ${expiresAt}::timestamptz)
      WHERE subscription_id = ${subscriptionId} AND (expires_at IS NULL OR expires_at > ${at}::timestamptz)`;
  }

  /** The organization's subscription, or null; `lock` takes `FOR UPDATE` (inside a transaction only). */
  async find(organizationId: string, id: string, lock = false): Promise<WebhookSubscription | null> {
    if (lock && !this.db.inTransaction) throw new Error('a locked subscription read needs a transaction');
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
      WHERE id = ${id} AND org_id = ${organizationId}
      ${lock ? sql`FOR UPDATE` : sql``}`;
    const row = rows[0];
    return row ? toSubscription(row) : null;
  }

  /** A subscription by id alone, locked: the deliverer's failure bookkeeping (inside a transaction). */
  async lockById(id: string): Promise<WebhookSubscription | null> {
    if (!this.db.inTransaction) throw new Error('a locked subscription read needs a transaction');
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = ${id} FOR UPDATE`;
    const row = rows[0];
    return row ? toSubscription(row) : null;
  }

  /** Newest first, after the keyset position, at most `take`. */
  async list(
    organizationId: string,
    filters: { status?: WebhookSubscriptionStatus | undefined; customerId?: string | undefined },
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<WebhookSubscription[]> {
    const where: Sql[] = [sql`org_id = ${organizationId}`, keysetSql(page.after)];
    if (filters.status !== undefined) where.push(sql`status = ${filters.status}::webhook_subscription_status`);
    if (filters.customerId !== undefined) where.push(sql`customer_id = ${filters.customerId}`);
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      SELECT ${SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.take}`;
    return rows.map(toSubscription);
  }

  /** The live secrets of each subscription (no expiry or expiring after `at`), oldest first. */
  async liveSecrets(subscriptionIds: readonly string[], at: Date): Promise<Map<string, SealedSecret[]>> {
    const out = new Map<string, SealedSecret[]>();
    if (subscriptionIds.length === 0) return out;
    const rows = await this.db.tx.$queryRaw<
      { id: string; subscriptionId: string; sealed: string; createdAt: Date; expiresAt: Date | null }[]
    >`
      SELECT id, subscription_id AS "subscriptionId", sealed, created_at AS "createdAt", expires_at AS "expiresAt"
      FROM webhook_secrets
      WHERE subscription_id = ANY(${[...subscriptionIds]}::text[]) AND (expires_at IS NULL OR expires_at > ${at}::timestamptz)
      ORDER BY created_at, id`;
    for (const r of rows) {
      const list = out.get(r.subscriptionId) ?? [];
      list.push({ id: r.id, sealed: r.sealed, createdAt: r.createdAt, expiresAt: r.expiresAt });
      out.set(r.subscriptionId, list);
    }
    return out;
  }

  async update(id: string, changes: SubscriptionChanges, at: Date): Promise<WebhookSubscription> {
    const sets: Sql[] = [sql`updated_at = ${at}::timestamptz`];
    if (changes.url !== undefined) sets.push(sql`url = ${changes.url}`);
    if (changes.events !== undefined) sets.push(sql`events = ${changes.events}::text[]`);
    if (changes.description !== undefined) sets.push(sql`description = ${changes.description}::text`);
    if (changes.status !== undefined) sets.push(sql`status = ${changes.status}::webhook_subscription_status`);
    if (changes.disabledReason !== undefined) sets.push(sql`disabled_reason = ${changes.disabledReason}::text`);
    if (changes.resetFailures) sets.push(sql`consecutive_failures = 0`, sql`failing_since = NULL`);
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      UPDATE webhook_subscriptions SET ${joinSql(sets, ', ')} WHERE id = ${id} RETURNING ${SUBSCRIPTION_COLUMNS}`;
    return toSubscription(one(rows, id));
  }

  /** Counts one more failed delivery (the first one of a run starts `failing_since`); inside a transaction. */
  async countFailure(id: string, at: Date): Promise<WebhookSubscription> {
    const rows = await this.db.tx.$queryRaw<SubscriptionRow[]>`
      UPDATE webhook_subscriptions
      SET consecutive_failures = consecutive_failures + 1, failing_since = COALESCE(failing_since, ${at}::timestamptz)
      WHERE id = ${id} RETURNING ${SUBSCRIPTION_COLUMNS}`;
    return toSubscription(one(rows, id));
  }

  /** Deletes the subscription; its secrets and deliveries go with it (cascade). */
  async delete(id: string): Promise<void> {
    await this.db.tx.$executeRaw`DELETE FROM webhook_subscriptions WHERE id = ${id}`;
  }

  /** The relay's view: subscriptions of these organizations that take deliveries (`active` or `paused`). */
  async receivingFor(
    organizationIds: readonly string[],
  ): Promise<Pick<WebhookSubscription, 'id' | 'organizationId' | 'customerId' | 'events'>[]> {
    if (organizationIds.length === 0) return [];
    return this.db.tx.$queryRaw<{ id: string; organizationId: string; customerId: string | null; events: string[] }[]>`
      SELECT id, org_id AS "organizationId", customer_id AS "customerId", events FROM webhook_subscriptions
      WHERE org_id = ANY(${[...organizationIds]}::text[]) AND status IN ('active', 'paused')`;
  }

  /**
   * The deliverer's target: the subscription (any status, so the caller sees a pause or a disable) and its
   * live secrets, in one statement on the pool.
   */
  async deliveryTarget(id: string, at: Date): Promise<DeliveryTarget | null> {
    const rows = await this.db.read<
      SubscriptionRow & { secrets: { id: string; sealed: string; createdAt: string; expiresAt: string | null }[] }
    >(sql`
      SELECT ${SUBSCRIPTION_COLUMNS},
        COALESCE((SELECT json_agg(json_build_object('id', x.id, 'sealed', x.sealed, 'createdAt', x.created_at, 'expiresAt', x.expires_at)
                                  ORDER BY x.created_at, x.id)
                  FROM webhook_secrets x
                  WHERE x.subscription_id = s.id AND (x.expires_at IS NULL OR x.expires_at > ${at}::timestamptz)), '[]'::json) AS secrets
      FROM webhook_subscriptions s WHERE s.id = ${id}`);
    const row = rows[0];
    if (!row) return null;
    return {
      subscription: toSubscription(row),
      secrets: row.secrets.map((x) => ({
        id: x.id,
        sealed: x.sealed,
        createdAt: new Date(x.createdAt),
        expiresAt: x.expiresAt === null ? null : new Date(x.expiresAt),
      })),
    };
  }

  /**
   * Active subscriptions with a delivery due now, but those in `exclude` (already being delivered to here),
   * oldest due first, at most `limit`: where the deliverer starts work.
   */
  async withDueDeliveries(exclude: readonly string[], limit: number): Promise<string[]> {
    const rows = await this.db.read<{ id: string }>(sql`
      SELECT s.id FROM webhook_subscriptions s
      CROSS JOIN LATERAL (
        SELECT d.next_attempt_at FROM webhook_deliveries d
        WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
        ORDER BY d.next_attempt_at LIMIT 1
      ) due
      WHERE s.status = 'active' AND NOT (s.id = ANY(${[...exclude]}::text[]))
      ORDER BY due.next_attempt_at
      LIMIT ${limit}`);
    return rows.map((r) => r.id);
  }

  /** Drops secrets that expired more than a day ago (maintenance). */
  async purgeExpiredSecrets(before: Date): Promise<number> {
    return this.db.tx.$executeRaw`DELETE FROM webhook_secrets WHERE expires_at IS NOT NULL AND expires_at < ${before}::timestamptz`;
  }
}

function one(rows: SubscriptionRow[], id: string): SubscriptionRow {
  const row = rows[0];
  if (!row) throw new Error(`Webhook subscription ${id} was not written`);
  return row;
}

function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    organizationId: row.orgId,
    customerId: row.customerId,
    url: row.url,
    description: row.description,
    events: row.events,
    status: row.status,
    disabledReason: row.disabledReason,
    consecutiveFailures: row.consecutiveFailures,
    failingSince: row.failingSince,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
