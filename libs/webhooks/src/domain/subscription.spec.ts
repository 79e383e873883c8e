import { AppError } from '@kirim/platform';
import { matchesEventType, parseEventPatterns, subscriptionWants } from './subscription';

function errorOf(fn: () => unknown): { code: string; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('did not throw');
}

describe('parseEventPatterns', () => {
  it('accepts exact registered types, prefix patterns that cover one, and *; duplicates collapse', () => {
    expect(parseEventPatterns(['customer.*', 'message.received', '*', 'customer.*', 'customer.setup_link.*'])).toEqual([
      'customer.*',
      'message.received',
      '*',
      'customer.setup_link.*',
    ]);
    expect(parseEventPatterns(['webhook_subscription.disabled'])).toEqual(['webhook_subscription.disabled']);
  });

  it.each([
    [['customer.deleted'], 'events[0]'],
    [['message.received', 'nope.*'], 'events[1]'],
    [['customer'], 'events[0]'],
    [['customer.*.created'], 'events[0]'],
    [['.*'], 'events[0]'],
    [['**'], 'events[0]'],
    [['webhook.test'], 'events[0]'],
    [[], 'events'],
  ])('%p → 400 invalid_field_value param %s', (events, param) => {
    expect(errorOf(() => parseEventPatterns(events))).toEqual({ code: 'invalid_field_value', param });
  });
});

describe('matching', () => {
  it('exact, prefix and *', () => {
    expect(matchesEventType(['customer.*'], 'customer.setup_link.created')).toBe(true);
    expect(matchesEventType(['customer.*'], 'account.connected')).toBe(false);
    expect(matchesEventType(['customer.setup_link.*'], 'customer.created')).toBe(false);
    expect(matchesEventType(['message.received'], 'message.received')).toBe(true);
    expect(matchesEventType(['message.received'], 'message.read')).toBe(false);
    expect(matchesEventType(['*'], 'template.status_updated')).toBe(true);
  });

  it('a customer filter admits only that customer’s events; none admits every customer and org-level events', () => {
    expect(subscriptionWants({ events: ['*'], customerId: 'cus_1' }, { type: 'customer.created', customerId: 'cus_1' })).toBe(true);
    expect(subscriptionWants({ events: ['*'], customerId: 'cus_1' }, { type: 'customer.created', customerId: 'cus_2' })).toBe(false);
    expect(subscriptionWants({ events: ['*'], customerId: 'cus_1' }, { type: 'account.updated', customerId: null })).toBe(false);
    expect(subscriptionWants({ events: ['*'], customerId: null }, { type: 'account.updated', customerId: null })).toBe(true);
    expect(subscriptionWants({ events: ['message.*'], customerId: null }, { type: 'account.updated', customerId: 'cus_2' })).toBe(false);
  });
});
