import { customerScopeWhere, organizationScope, scopeKey, scopeSees, scopeWhere } from './tenant-scope';

describe('tenant scope', () => {
  const org = organizationScope('org_A');
  const restricted = { organizationId: 'org_A', customerId: 'cus_A' };

  it('an organization sees its rows; a restricted scope only its customer’s, not the organization-level ones', () => {
    const owned = { organizationId: 'org_A', customerId: 'cus_A' };
    expect(scopeSees(org, owned)).toBe(true);
    expect(scopeSees(organizationScope('org_B'), owned)).toBe(false);
    expect(scopeSees(restricted, owned)).toBe(true);
    expect(scopeSees({ organizationId: 'org_A', customerId: 'cus_B' }, owned)).toBe(false);
    expect(scopeSees(restricted, { organizationId: 'org_A', customerId: null })).toBe(false);
    expect(scopeSees(org, { organizationId: 'org_A', customerId: null })).toBe(true);
  });

  it('turns into the where-fragment of a customer-owned table and of the customers table', () => {
    expect(scopeWhere(org)).toEqual({ orgId: 'org_A' });
    expect(scopeWhere(restricted)).toEqual({ orgId: 'org_A', customerId: 'cus_A' });
    expect(customerScopeWhere(org)).toEqual({ orgId: 'org_A' });
    expect(customerScopeWhere(restricted)).toEqual({ orgId: 'org_A', id: 'cus_A' });
  });

  it('has a key that tells every scope apart (cursors are bound to it)', () => {
    expect(scopeKey(org)).toBe('org_A:*');
    expect(scopeKey(restricted)).toBe('org_A:cus_A');
    expect(scopeKey({ organizationId: 'org_A', customerId: 'cus_B' })).not.toBe(scopeKey(restricted));
  });
});
