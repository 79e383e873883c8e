import { Injectable } from '@nestjs/common';
import { type EventResource, OutboxWriter } from '@kirim/platform';
import type { EventDataMap, EventType, EventWithPreviousAttributes } from './event-registry';

export interface EventScope {
  organizationId: string;
  teamId: string | null;
  customerId: string | null;
}

/**
 * Typed front of the platform outbox: `events.append('customer.created', scope, { customer })`. Must be
 * called inside the transaction of the change (the outbox refuses otherwise).
 */
@Injectable()
export class EventWriter {
  constructor(private readonly outbox: OutboxWriter) {}

  append<T extends EventType>(
    type: T,
    scope: EventScope,
    data: EventDataMap[T],
    ...previous: T extends EventWithPreviousAttributes ? [previousAttributes: Record<string, unknown>] : []
  ): Promise<EventResource> {
    return this.outbox.append({
      type,
      ...scope,
      data: data as unknown as Record<string, unknown>,
      previousAttributes: previous[0] ?? null,
    });
  }
}
