import { EVENT_TYPES, type EventDataMap, type EventType } from './event-registry';

/** Every event type written out once; the compiler rejects this list when EventDataMap changes. */
const ALL_EVENT_TYPES = {
  'customer.created': true,
  'customer.updated': true,
  'customer.archived': true,
  'customer.onboarded': true,
  'customer.setup_link.created': true,
  'customer.setup_link.consumed': true,
  'account.connected': true,
  'account.updated': true,
  'account.disconnected': true,
  'message.created': true,
  'message.received': true,
  'message.sent': true,
  'message.delivered': true,
  'message.read': true,
  'message.failed': true,
  'conversation.created': true,
  'conversation.updated': true,
  'conversation.assigned': true,
  'conversation.resolved': true,
  'contact.created': true,
  'contact.updated': true,
  'template.status_updated': true,
  'webhook_subscription.disabled': true,
} as const satisfies Record<EventType, true>;

export function typeLevelChecks(): void {
  // @ts-expect-error an unregistered type has no data shape
  const unknownType: EventDataMap['customer.deleted'] = {};
  void unknownType;
}

describe('event registry', () => {
  it('EVENT_TYPES lists every registered event type exactly once', () => {
    expect([...EVENT_TYPES].sort()).toEqual(Object.keys(ALL_EVENT_TYPES).sort());
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });

  it('every type is lower-case dotted words (what `prefix.*` filters and subscriptions match on)', () => {
    for (const type of EVENT_TYPES) expect(type).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
  });
});
