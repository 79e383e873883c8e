import type { WebhookDeliveryResource, WebhookSubscriptionResource } from '@kirim/contracts';
import type { WebhookDelivery, WebhookSecretInfo, WebhookSubscription } from '../domain/subscription';

/** The subscription resource (spec 06 § Webhook subscriptions), with its live secrets' ids and expiries. */
export function toSubscriptionResource(s: WebhookSubscription, secrets: readonly WebhookSecretInfo[]): WebhookSubscriptionResource {
  return {
    id: s.id,
    object: 'webhook_subscription',
    url: s.url,
    description: s.description,
    events: s.events,
    customer_id: s.customerId,
    status: s.status,
    disabled_reason: s.disabledReason,
    secrets: secrets.map((x) => ({ id: x.id, created_at: x.createdAt.toISOString(), expires_at: x.expiresAt?.toISOString() ?? null })),
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
  };
}

/** The delivery resource (spec 06 § Deliveries). */
export function toDeliveryResource(d: WebhookDelivery): WebhookDeliveryResource {
  return {
    id: d.id,
    object: 'webhook_delivery',
    subscription_id: d.subscriptionId,
    event_id: d.eventId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
    replayed_from: d.replayedFrom,
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
  };
}
