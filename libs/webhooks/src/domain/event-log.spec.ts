import { AppError, toEventResource } from '@kirim/platform';
import { parseEventFilters, parseTimestamp, resolveTypeFilter } from './event-log';

function invalid(fn: () => unknown): { code: string; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('event log filters', () => {
  it('type: an exact registered type selects itself', () => {
    expect(resolveTypeFilter('customer.created')).toEqual(['customer.created']);
    expect(resolveTypeFilter('account.connected')).toEqual(['account.connected']);
  });

  it('type: prefix.* selects every registered type under the prefix', () => {
    expect(resolveTypeFilter('customer.*').sort()).toEqual(
      [
        'customer.archived',
        'customer.created',
        'customer.onboarded',
        'customer.setup_link.consumed',
        'customer.setup_link.created',
        'customer.updated',
      ].sort(),
    );
    expect(resolveTypeFilter('customer.setup_link.*').sort()).toEqual(['customer.setup_link.consumed', 'customer.setup_link.created']);
    expect(resolveTypeFilter('account.*')).toHaveLength(3);
  });

  it.each([
    '',
    'customer',
    'customer.',
    'customer.deleted',
    'nope.*',
    '*',
    '.*',
    '*.*',
    'customer*',
    'customer.*.created',
    'cust.*',
    'CUSTOMER.*',
    'webhook.test',
  ])('type %p → 400 invalid_field_value (param type)', (value) => {
    expect(invalid(() => resolveTypeFilter(value))).toEqual({ code: 'invalid_field_value', param: 'type' });
  });

  it.each([
    ['2026-06-04T10:00:00.000Z', '2026-06-04T10:00:00.000Z'],
    ['2026-06-04T10:00:00Z', '2026-06-04T10:00:00.000Z'],
    ['2026-06-04T10:00Z', '2026-06-04T10:00:00.000Z'],
    ['2026-06-04T17:00:00.123+07:00', '2026-06-04T10:00:00.123Z'],
    ['2026-06-04', '2026-06-04T00:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('timestamp %p parses to %p', (value, iso) => {
    expect(parseTimestamp('created_after', value).toISOString()).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '1717495200',
    '2026-06-04T10:00:00',
    '2026-13-01',
    '2026-02-30',
    '2025-02-29T00:00:00Z',
    '2026-06-04T25:00:00Z',
    '2026-06-04 10:00:00Z',
    '2026-6-4',
  ])('timestamp %p → 400 invalid_field_value with its param', (value) => {
    expect(invalid(() => parseTimestamp('created_before', value))).toEqual({ code: 'invalid_field_value', param: 'created_before' });
  });

  it('customer_id must be a cus_ id', () => {
    expect(parseEventFilters({ customer_id: 'cus_01HXYZABCDEFGHJKMNPQRSTVWX' })).toEqual({ customerId: 'cus_01HXYZABCDEFGHJKMNPQRSTVWX' });
    for (const bad of ['cus_123', 'org_01HXYZABCDEFGHJKMNPQRSTVWX', 'cus_01hxyzabcdefghjkmnpqrstvwx', '']) {
      expect(invalid(() => parseEventFilters({ customer_id: bad }))).toEqual({ code: 'invalid_field_value', param: 'customer_id' });
    }
  });

  it('no filters → no constraints', () => {
    expect(parseEventFilters({})).toEqual({});
  });
});

describe('event visibility and shape', () => {
  const event = {
    id: 'evt_01HXYZABCDEFGHJKMNPQRSTVWX',
    type: 'customer.created',
    organizationId: 'org_A',
    teamId: 'team_A',
    customerId: 'cus_A',
    data: { customer: { id: 'cus_A' } },
    previousAttributes: null,
    createdAt: new Date('2026-06-04T10:00:00.000Z'),
  };

  it('renders exactly the spec 06 event resource', () => {
    expect(toEventResource(event)).toEqual({
      id: 'evt_01HXYZABCDEFGHJKMNPQRSTVWX',
      object: 'event',
      type: 'customer.created',
      created_at: '2026-06-04T10:00:00.000Z',
      organization_id: 'org_A',
      team_id: 'team_A',
      customer_id: 'cus_A',
      data: { customer: { id: 'cus_A' } },
      previous_attributes: null,
    });
  });
});
