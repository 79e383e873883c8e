import { EVENT_TYPES, type WebhookDeliveryAttempt, type WebhookDeliveryStatus, type WebhookSubscriptionStatus } from '@kirim/contracts';
import { AppError } from '@kirim/platform';

/** A subscription as the webhooks context holds it (what repositories return). */
export interface WebhookSubscription {
  id: string;
  organizationId: string;
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

/** A signing secret's public face (its value is shown once, at creation or rotation). */
export interface WebhookSecretInfo {
  id: string;
  createdAt: Date;
  expiresAt: Date | null;
}

export interface WebhookDelivery {
  id: string;
  organizationId: string;
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

/** At most this many patterns per subscription (a demanding user lists a few dozen types at most). */
export const MAX_EVENT_PATTERNS = 100;
export const MAX_DESCRIPTION_LENGTH = 500;

/**
 * `events` of a subscription (spec 06): each an exact registered type, a `prefix.*` pattern that covers at
 * least one registered type, or `*`. Duplicates collapse (first occurrence kept). Anything else → 400
 * `invalid_field_value` with `param: "events[i]"`.
 */
export function parseEventPatterns(events: readonly string[]): string[] {
  if (events.length === 0) throw AppError.invalid('events', "'events' must list at least one event type or pattern.");
  if (events.length > MAX_EVENT_PATTERNS) throw AppError.invalid('events', `'events' may list at most ${MAX_EVENT_PATTERNS} patterns.`);
  const out: string[] = [];
  events.forEach((pattern, i) => {
    if (!isKnownPattern(pattern)) {
      throw AppError.invalid(
        `events[${i}]`,
        `'${pattern}' is not a registered event type, a prefix pattern such as customer.* that covers one, or *.`,
      );
    }
    if (!out.includes(pattern)) out.push(pattern);
  });
  return out;
}

function isKnownPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return prefix.length > 1 && !prefix.includes('*') && EVENT_TYPES.some((t) => t.startsWith(prefix));
  }
  return (EVENT_TYPES as readonly string[]).includes(pattern);
}

/** Whether a subscription's patterns select an event type (`*`, exact, or a `prefix.*` that starts it). */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/**
 * Whether an event goes to a subscription (spec 06 § Delivery): its patterns select the type and, for a
 * subscription filtered to one customer, the event is that customer's. Status is the relay's business.
 */
export function subscriptionWants(
  subscription: Pick<WebhookSubscription, 'events' | 'customerId'>,
  event: { type: string; customerId: string | null },
): boolean {
  if (subscription.customerId !== null && event.customerId !== subscription.customerId) return false;
  return matchesEventType(subscription.events, event.type);
}

/** `expire_current_in_hours` of a rotation: 0–168, default 24. */
export const ROTATION_DEFAULT_HOURS = 24;
export const ROTATION_MAX_HOURS = 168;
