/**
 * Who a call acts for: an organization, optionally restricted to one of its customers (a customer-restricted
 * API key). The one tenant type of every application service and repository; the platform `Principal`
 * is one. A restricted scope sees only rows of its customer: rows of the organization without a customer
 * (team-level accounts, organization-level events) are outside it.
 */
export interface TenantScope {
  readonly organizationId: string;
  /** Set for a customer-restricted key: only this customer is visible. */
  readonly customerId: string | null;
}

/** The unrestricted scope of an organization (the CLI, the worker, an organization-wide key). */
export function organizationScope(organizationId: string): TenantScope {
  return { organizationId, customerId: null };
}

/**
 * The query filter of a scope for a table with `org_id` and `customer_id` columns: `{ orgId }`, plus
 * `{ customerId }` when restricted. Spread it into every `where` (reads and writes alike).
 */
export function scopeWhere(scope: TenantScope): { orgId: string; customerId?: string } {
  return scope.customerId === null ? { orgId: scope.organizationId } : { orgId: scope.organizationId, customerId: scope.customerId };
}

/** The same for the customers table itself, where the customer's id is the row's `id`. */
export function customerScopeWhere(scope: TenantScope): { orgId: string; id?: string } {
  return scope.customerId === null ? { orgId: scope.organizationId } : { orgId: scope.organizationId, id: scope.customerId };
}

/** Does the scope see a row owned by this organization and customer? (The check after a read, belt and braces.) */
export function scopeSees(scope: TenantScope, owner: { organizationId: string; customerId: string | null }): boolean {
  return owner.organizationId === scope.organizationId && (scope.customerId === null || owner.customerId === scope.customerId);
}

/** A stable text of the scope, e.g. to bind a pagination cursor to it: `org_…:*` or `org_…:cus_…`. */
export function scopeKey(scope: TenantScope): string {
  return `${scope.organizationId}:${scope.customerId ?? '*'}`;
}
