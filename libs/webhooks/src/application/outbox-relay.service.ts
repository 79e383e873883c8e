import { Injectable } from '@nestjs/common';
import { newId, Transactional } from '@kirim/platform';
import { subscriptionWants } from '../domain/subscription';
import { DeliveriesRepository } from '../infrastructure/deliveries.repository';
import { SubscriptionsRepository } from '../infrastructure/subscriptions.repository';

export interface RelayedBatch {
  /** Events taken from the outbox (all now relayed). */
  events: number;
  /** Deliveries created. */
  deliveries: number;
  /** Subscriptions that got at least one new delivery (the deliverer is woken for them). */
  subscriptions: string[];
}

/**
 * The outbox relay (spec 06 § Delivery): committed events → one `pending` delivery per matching subscription
 * (type, customer filter, status `active` or `paused` — a paused one accumulates). One transaction per batch
 * locks the oldest unrelayed events with `SKIP LOCKED` (relays in several processes take disjoint batches),
 * inserts the deliveries and marks the events relayed; a crash midway rolls the whole batch back, so it is
 * relayed again, and the deliveries' `dedupe_key` (`<subscription>:<event>`) keeps an event from reaching a
 * subscription twice whatever happens.
 */
@Injectable()
export class OutboxRelayService {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly subscriptions: SubscriptionsRepository,
  ) {}

  @Transactional()
  async relayBatch(limit: number): Promise<RelayedBatch> {
    const events = await this.deliveries.lockUnrelayed(limit);
    if (events.length === 0) return { events: 0, deliveries: 0, subscriptions: [] };
    const receiving = await this.subscriptions.receivingFor([...new Set(events.map((e) => e.organizationId))]);
    const byOrg = new Map<string, typeof receiving>();
    for (const s of receiving) byOrg.set(s.organizationId, [...(byOrg.get(s.organizationId) ?? []), s]);
    const deliveries = events.flatMap((event) =>
      (byOrg.get(event.organizationId) ?? [])
        .filter((s) => subscriptionWants(s, event))
        .map((s) => ({
          id: newId('wbd'),
          organizationId: event.organizationId,
          subscriptionId: s.id,
          eventId: event.id,
          eventType: event.type,
        })),
    );
    const touched = await this.deliveries.relay(
      events.map((e) => e.id),
      deliveries,
      new Date(),
    );
    return { events: events.length, deliveries: deliveries.length, subscriptions: touched };
  }
}
