import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventWriter } from '@kirim/contracts';
import { APP_CONFIG, type AppConfig, CryptoService, toEventResource, Transactional } from '@kirim/platform';
import { attemptError, decideAfterAttempt, type Decision, parseRetrySchedule, shouldAutoDisable } from '../domain/retry-policy';
import { signatureHeader } from '../domain/signing';
import type { WebhookDelivery, WebhookSubscription } from '../domain/subscription';
import { type AttemptRecord, type ClaimedDelivery, DeliveriesRepository } from '../infrastructure/deliveries.repository';
import { type DeliveryTarget, SubscriptionsRepository } from '../infrastructure/subscriptions.repository';
import { WebhookSender } from '../infrastructure/webhook-sender';
import { toSubscriptionResource } from './resources';

/** The event type of `POST …/test` (never in the event log; one attempt, no retries, not counted as a failure). */
export const TEST_EVENT_TYPE = 'webhook.test';

/** A subscription ready to sign for: its row and its live secrets, opened. */
export interface OpenTarget {
  subscription: WebhookSubscription;
  secrets: string[];
}

export type AttemptOutcome = Decision['outcome'] | 'stale';

/**
 * One delivery attempt (spec 06 § Delivery): the body exactly as `GET /v1/events/{id}` shows the event,
 * Standard Webhooks headers signed with every live secret, the POST, and the record — `succeeded`, the next
 * attempt at the schedule's delay (or a 429's `Retry-After`), or `failed`. A final failure counts on the
 * subscription in the same transaction, and disables it (with `webhook_subscription.disabled`) after a 410 or
 * after 24 consecutive failed deliveries spanning 24 h. Used by the deliverer and by `POST …/test`.
 */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger('WebhookDelivery');
  readonly schedule: number[];

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly sender: WebhookSender,
    private readonly crypto: CryptoService,
    private readonly events: EventWriter,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.schedule = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
  }

  /** The subscription and its live secrets, opened (null when it is gone). */
  async target(subscriptionId: string): Promise<OpenTarget | null> {
    const found = await this.subscriptions.deliveryTarget(subscriptionId, new Date());
    return found && this.open(found);
  }

  open(found: DeliveryTarget): OpenTarget {
    return { subscription: found.subscription, secrets: found.secrets.map((s) => this.crypto.open(s.sealed)) };
  }

  /**
   * One attempt and its record. With `deferred`, a success's record is handed to the caller instead of written
   * (the deliverer writes many in one statement with {@link recordSucceeded}); anything else is written here.
   */
  async attempt(target: OpenTarget, claimed: ClaimedDelivery, deferred?: AttemptRecord[]): Promise<AttemptOutcome> {
    const { delivery } = claimed;
    const number = claimed.attemptCount + 1;
    const test = delivery.eventType === TEST_EVENT_TYPE;
    const at = new Date();
    const body =
      claimed.payload !== null ? JSON.stringify(claimed.payload) : claimed.event ? JSON.stringify(toEventResource(claimed.event)) : null;
    if (body === null) {
      // The event left the log (30 days) while its delivery was still pending: nothing to send.
      const record: AttemptRecord = {
        id: delivery.id,
        previousCount: claimed.attemptCount,
        attempt: {
          number,
          at: at.toISOString(),
          response_status: null,
          duration_ms: 0,
          error: { code: 'event_expired', message: 'The event is no longer in the event log.' },
        },
        status: 'failed',
        nextAttemptAt: null,
        at,
      };
      return (await this.deliveries.recordAttempt(record, { resetFailures: false })) ? 'failed' : 'stale';
    }
    const timestamp = Math.floor(at.getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Kirim-Webhooks/1',
      'webhook-id': delivery.eventId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(target.secrets, delivery.eventId, timestamp, body),
      'kirim-event-type': delivery.eventType,
      'kirim-delivery-id': delivery.id,
      'kirim-attempt': String(number),
    };
    const result = await this.sender.send(target.subscription.url, headers, body);
    let decision = decideAfterAttempt(result, number, this.schedule);
    if (test && decision.outcome === 'retry') decision = { outcome: 'failed', disableSubscription: false };
    const finishedAt = new Date();
    const record: AttemptRecord = {
      id: delivery.id,
      previousCount: claimed.attemptCount,
      attempt: {
        number,
        at: at.toISOString(),
        response_status: result.kind === 'response' ? result.status : null,
        duration_ms: result.durationMs,
        error: attemptError(result),
      },
      status: decision.outcome === 'retry' ? 'pending' : decision.outcome,
      nextAttemptAt: decision.outcome === 'retry' ? new Date(finishedAt.getTime() + decision.delayMs) : null,
      at: finishedAt,
    };
    if (decision.outcome === 'succeeded' && !test && deferred) {
      deferred.push(record);
      return 'succeeded';
    }
    if (decision.outcome !== 'failed' || test) {
      const recorded = await this.deliveries.recordAttempt(record, { resetFailures: decision.outcome === 'succeeded' && !test });
      return recorded ? decision.outcome : 'stale';
    }
    return (await this.recordFailure(record, delivery, decision.disableSubscription)) ? 'failed' : 'stale';
  }

  /** A final failure's record and its count on the subscription, in one transaction. */
  @Transactional()
  private async recordFailure(record: AttemptRecord, delivery: WebhookDelivery, gone: boolean): Promise<boolean> {
    if (!(await this.deliveries.recordAttemptInTx(record))) return false;
    await this.countFailure(delivery, gone, record.at);
    return true;
  }

  /** Writes successes' records in one statement (and ends their subscriptions' runs of failures); answers how many. */
  recordSucceeded(records: readonly AttemptRecord[]): Promise<number> {
    return records.length === 0 ? Promise.resolve(0) : this.deliveries.recordSucceeded(records);
  }

  /** A final failure: the subscription's run grows; a 410 or a long enough run disables it, with its event. */
  private async countFailure(delivery: WebhookDelivery, gone: boolean, at: Date): Promise<void> {
    const locked = await this.subscriptions.lockById(delivery.subscriptionId);
    if (!locked) return;
    const counted = await this.subscriptions.countFailure(locked.id, at);
    if (counted.status === 'disabled') return;
    const reason = gone
      ? 'endpoint_gone'
      : shouldAutoDisable(counted.consecutiveFailures, counted.failingSince, at)
        ? 'consecutive_failures'
        : null;
    if (reason === null) return;
    const disabled = await this.subscriptions.update(counted.id, { status: 'disabled', disabledReason: reason }, at);
    const secrets = (await this.subscriptions.liveSecrets([disabled.id], at)).get(disabled.id) ?? [];
    await this.events.append(
      'webhook_subscription.disabled',
      { organizationId: disabled.organizationId, teamId: null, customerId: disabled.customerId },
      { webhook_subscription: toSubscriptionResource(disabled, secrets) },
    );
    this.logger.warn({ msg: 'webhook subscription disabled', subscription_id: disabled.id, reason });
  }
}
