import { Injectable } from '@nestjs/common';
import type { WebhookDeliveryResource, WebhookDeliveryStatus } from '@kirim/contracts';
import { AppError, newId, type Page, Paginator, type TenantScope, Transactional } from '@kirim/platform';
import { parseTimestamp } from '../domain/event-log';
import { DeliveriesRepository, type DeliveryFilters } from '../infrastructure/deliveries.repository';
import { DeliveryService, TEST_EVENT_TYPE } from './delivery.service';
import { toDeliveryResource } from './resources';
import { SubscriptionsService } from './subscriptions.service';

/** `POST /v1/webhook_deliveries/bulk_replay` replays at most this many deliveries a call. */
export const BULK_REPLAY_LIMIT = 1000;

export interface RawDeliveryFilters {
  subscription_id?: string | undefined;
  status?: WebhookDeliveryStatus | undefined;
  event_type?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}

/**
 * Deliveries (spec 06 § Deliveries): list with filters, read, replay one (a new delivery of the same event,
 * `replayed_from` set), replay many (≤ 1,000 a call), and `POST /v1/webhook_subscriptions/{id}/test`.
 * Organization-wide keys only (the controllers refuse restricted ones).
 */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly subscriptions: SubscriptionsService,
    private readonly delivery: DeliveryService,
    private readonly paginator: Paginator,
  ) {}

  async list(
    scope: TenantScope,
    input: RawDeliveryFilters & { limit?: number | undefined; cursor?: string | undefined },
  ): Promise<Page<WebhookDeliveryResource>> {
    const filters = parseFilters(input);
    return this.paginator.paginate({
      query: input,
      scope: `webhook_deliveries:${scope.organizationId}`,
      filters: { ...filters, createdAfter: filters.createdAfter?.toISOString(), createdBefore: filters.createdBefore?.toISOString() },
      fetch: (page) => this.deliveries.list(scope.organizationId, filters, page),
      map: toDeliveryResource,
    });
  }

  async get(scope: TenantScope, id: string): Promise<WebhookDeliveryResource> {
    const found = await this.deliveries.find(scope.organizationId, id);
    if (!found) throw AppError.notFound('webhook_delivery', id);
    return toDeliveryResource(found);
  }

  /** A new pending delivery of the same event to the same subscription, due now. */
  @Transactional()
  async replay(scope: TenantScope, id: string): Promise<WebhookDeliveryResource> {
    const original = await this.deliveries.find(scope.organizationId, id);
    if (!original) throw AppError.notFound('webhook_delivery', id);
    const source = await this.deliveries.source(original.id);
    if (!source || (source.event === null && source.payload === null)) throw AppError.notFound('event', original.eventId);
    const at = new Date();
    const created = await this.deliveries.insertOne(
      {
        id: newId('wbd'),
        organizationId: original.organizationId,
        subscriptionId: original.subscriptionId,
        eventId: original.eventId,
        eventType: original.eventType,
        payload: source.payload,
        replayedFrom: original.id,
      },
      at,
      at,
    );
    return toDeliveryResource(created);
  }

  /** Replays the subscription's failed deliveries matching the filters that have no replay yet, oldest first. */
  @Transactional()
  async bulkReplay(
    scope: TenantScope,
    input: {
      subscription_id: string;
      status?: string | undefined;
      event_type?: string | undefined;
      created_after?: string | undefined;
      created_before?: string | undefined;
    },
  ): Promise<{ enqueued: number; capped: boolean }> {
    if (input.status !== undefined && input.status !== 'failed') {
      throw AppError.invalid('status', "'status' of a bulk replay must be failed (the deliveries that did not get through).");
    }
    const subscription = await this.subscriptions.require(scope, input.subscription_id);
    const filters = parseFilters({ ...input, status: 'failed' });
    const ids = Array.from({ length: BULK_REPLAY_LIMIT }, () => newId('wbd'));
    return this.deliveries.replayMany(scope.organizationId, { ...filters, subscriptionId: subscription.id }, ids, new Date());
  }

  /** Retention: deliveries created before `cutoff` and secrets expired a day before it go. */
  @Transactional()
  async purgeOlderThan(cutoff: Date): Promise<{ deliveries: number; secrets: number }> {
    const deliveries = await this.deliveries.purgeBefore(cutoff);
    const secrets = await this.subscriptions.purgeExpiredSecrets(new Date(Date.now() - 24 * 60 * 60 * 1000));
    return { deliveries, secrets };
  }

  /**
   * `POST …/test`: a `webhook.test` event (`{webhook_subscription}`, never in the event log) sent now, whatever
   * the subscription's status, in one attempt without retries; answers the delivery with that attempt.
   */
  async test(scope: TenantScope, subscriptionId: string): Promise<WebhookDeliveryResource> {
    const subscription = await this.subscriptions.require(scope, subscriptionId);
    const at = new Date();
    const eventId = newId('evt');
    const payload = {
      id: eventId,
      object: 'event',
      type: TEST_EVENT_TYPE,
      created_at: at.toISOString(),
      organization_id: subscription.organizationId,
      team_id: null,
      customer_id: subscription.customerId,
      data: { webhook_subscription: await this.subscriptions.resource(subscription, at) },
      previous_attributes: null,
    };
    const created = await this.deliveries.insertOne(
      {
        id: newId('wbd'),
        organizationId: subscription.organizationId,
        subscriptionId: subscription.id,
        eventId,
        eventType: TEST_EVENT_TYPE,
        payload,
        replayedFrom: null,
      },
      at,
      null,
    );
    const target = await this.delivery.target(subscription.id);
    if (target) await this.delivery.attempt(target, { delivery: created, attemptCount: 0, event: null, payload });
    return this.get(scope, created.id);
  }
}

function parseFilters(raw: RawDeliveryFilters): DeliveryFilters {
  return {
    subscriptionId: raw.subscription_id,
    status: raw.status,
    eventType: raw.event_type,
    createdAfter: raw.created_after === undefined ? undefined : parseTimestamp('created_after', raw.created_after),
    createdBefore: raw.created_before === undefined ? undefined : parseTimestamp('created_before', raw.created_before),
  };
}
