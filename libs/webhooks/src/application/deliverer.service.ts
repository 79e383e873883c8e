import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { type AttemptRecord, type ClaimedDelivery, DeliveriesRepository } from '../infrastructure/deliveries.repository';
import { SubscriptionsRepository } from '../infrastructure/subscriptions.repository';
import { DeliveryService, type OpenTarget } from './delivery.service';

/** How long a claimed delivery stays invisible to other workers beyond the attempt's own deadline. */
const LEASE_MARGIN_MS = 30_000;
/** How long a drain trusts the subscription's row and secrets before reading them again (pause, URL, rotation). */
const TARGET_TTL_MS = 1_000;
/** Successes written in one statement at most this many at a time, and at least this often (ms). */
const SUCCESS_BATCH = 100;
const SUCCESS_FLUSH_MS = 20;

/**
 * Delivers due deliveries, one drain per subscription (spec 06: a slow or failing endpoint never delays the
 * others). A drain keeps at most WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION attempts in flight for its subscription,
 * claiming more as they finish, and ends when nothing is due; at most WEBHOOK_ACTIVE_SUBSCRIPTIONS drains run
 * in one process. A hanging endpoint therefore holds only its own slots while every other subscription's
 * drain goes on. The relay wakes drains for the subscriptions it just gave deliveries to; a poll finds the rest
 * (retries coming due, deliveries relayed by another process, a subscription resumed).
 */
@Injectable()
export class DelivererService {
  private readonly logger = new Logger('WebhookDeliverer');
  private readonly drains = new Map<string, { more: boolean; done: Promise<void> }>();
  private stopping = false;

  constructor(
    private readonly delivery: DeliveryService,
    private readonly deliveries: DeliveriesRepository,
    private readonly subscriptions: SubscriptionsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Starts (or nudges) drains for these subscriptions. */
  wake(subscriptionIds: readonly string[]): void {
    for (const id of subscriptionIds) {
      const running = this.drains.get(id);
      if (running) running.more = true;
      else if (this.drains.size < this.config.WEBHOOK_ACTIVE_SUBSCRIPTIONS) this.start(id);
    }
  }

  /** Looks for subscriptions with due deliveries that no drain of this process serves, and starts theirs. */
  async poll(): Promise<number> {
    if (this.stopping) return 0;
    const room = this.config.WEBHOOK_ACTIVE_SUBSCRIPTIONS - this.drains.size;
    if (room <= 0) return 0;
    const due = await this.subscriptions.withDueDeliveries([...this.drains.keys()], room);
    this.wake(due);
    return due.length;
  }

  /** Stops claiming and waits for the attempts in flight (each ends within the attempt deadline). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.drains.values()].map((d) => d.done));
  }

  private start(subscriptionId: string): void {
    const state = { more: false, done: Promise.resolve() };
    this.drains.set(subscriptionId, state);
    state.done = this.drain(subscriptionId, state)
      .catch((error: unknown) => this.logger.error({ msg: 'webhook drain failed', subscription_id: subscriptionId, err: error }))
      .finally(() => this.drains.delete(subscriptionId));
  }

  private async drain(subscriptionId: string, state: { more: boolean }): Promise<void> {
    const limit = this.config.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION;
    // The next attempts are claimed while the current ones run (up to a window ahead, half a window at least per
    // claim) and successes are written many at a time, so a fast endpoint never waits for PostgreSQL between
    // attempts and costs about one claim per half window plus one write per SUCCESS_BATCH deliveries. A claimed
    // delivery waits here at most one attempt's deadline, well inside its lease.
    const refill = Math.max(1, Math.ceil(limit / 2));
    const inFlight = new Set<Promise<unknown>>();
    const ready: ClaimedDelivery[] = [];
    const successes: AttemptRecord[] = [];
    let claiming: Promise<void> | null = null;
    let flushing: Promise<void> | null = null;
    let exhausted = false;
    let flushedAt = Date.now();
    const flush = (): Promise<void> => {
      flushedAt = Date.now();
      const batch = successes.splice(0);
      if (batch.length === 0) return Promise.resolve();
      // A failed write leaves the rows leased: they come due again and are sent again (at-least-once).
      return this.delivery
        .recordSucceeded(batch)
        .then(() => undefined)
        .catch((error: unknown) => this.logger.error({ msg: 'webhook successes not recorded', count: batch.length, err: error }));
    };
    let target: OpenTarget | null = null;
    let targetAt = 0;
    try {
      while (!this.stopping) {
        if (!flushing && successes.length > 0 && (successes.length >= SUCCESS_BATCH || Date.now() - flushedAt >= SUCCESS_FLUSH_MS)) {
          flushing = flush().finally(() => (flushing = null));
        }
        if (target === null || Date.now() - targetAt > TARGET_TTL_MS) {
          target = await this.delivery.target(subscriptionId);
          targetAt = Date.now();
          if (target === null || target.subscription.status !== 'active') break;
        }
        const open = target;
        while (inFlight.size < limit && ready.length > 0) {
          const claim = ready.shift() as ClaimedDelivery;
          const attempt: Promise<unknown> = this.delivery
            .attempt(open, claim, successes)
            .catch((error: unknown) =>
              this.logger.error({ msg: 'webhook attempt not recorded', delivery_id: claim.delivery.id, err: error }),
            )
            .finally(() => inFlight.delete(attempt));
          inFlight.add(attempt);
        }
        if (state.more) {
          state.more = false;
          exhausted = false;
        }
        const want = 2 * limit - inFlight.size - ready.length;
        if (!claiming && !exhausted && (want >= refill || (inFlight.size === 0 && ready.length === 0))) {
          const now = new Date();
          const leaseUntil = new Date(now.getTime() + 2 * this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS);
          claiming = this.deliveries
            .claimDue(subscriptionId, want, now, leaseUntil)
            .then((batch) => {
              ready.push(...batch);
              // Fewer than asked: nothing more is due now; the next completion (or a wake) looks again.
              exhausted = batch.length < want;
            })
            .finally(() => (claiming = null));
        }
        const pending = [...inFlight, ...(claiming ? [claiming] : [])];
        if (pending.length === 0) {
          if (ready.length > 0) continue;
          break;
        }
        await Promise.race(pending);
        // An attempt ended: there is room, so what was not due a moment ago may be now.
        if (inFlight.size < limit) exhausted = exhausted && ready.length === 0 && inFlight.size > 0;
      }
    } finally {
      await claiming;
      await Promise.allSettled(inFlight);
      await flushing;
      await flush();
      // Claimed but never started (stopping, paused, disabled): their lease runs out and they come due again.
    }
  }
}
