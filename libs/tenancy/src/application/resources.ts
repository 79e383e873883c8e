import type { CustomerResource, CustomerSetupLinkResource, EventScope } from '@kirim/contracts';
import type { Customer } from '../domain/customer';
import { effectiveStatus, type SetupLink } from '../domain/setup-link';

/** The public `customer` (spec 03): what the API answers and what `customer.*` events carry. */
export function toCustomerResource(customer: Customer): CustomerResource {
  return {
    id: customer.id,
    object: 'customer',
    name: customer.name,
    email: customer.email,
    status: customer.status,
    metadata: customer.metadata,
    team_id: customer.teamId,
    archived_at: customer.archivedAt?.toISOString() ?? null,
    created_at: customer.createdAt.toISOString(),
    updated_at: customer.updatedAt.toISOString(),
  };
}

/** The public `customer_setup_link`, with the status a read shows at `now`. Never the token. */
export function toSetupLinkResource(link: SetupLink, now: Date): CustomerSetupLinkResource {
  return {
    id: link.id,
    object: 'customer_setup_link',
    customer_id: link.customerId,
    status: effectiveStatus(link, now),
    token_last4: link.tokenLast4,
    expires_at: link.expiresAt.toISOString(),
    consumed_at: link.consumedAt?.toISOString() ?? null,
    revoked_at: link.revokedAt?.toISOString() ?? null,
    success_redirect_url: link.successRedirectUrl,
    failure_redirect_url: link.failureRedirectUrl,
    account_id: link.accountId,
    created_at: link.createdAt.toISOString(),
  };
}

/** The event scope of anything about this customer. */
export function customerEventScope(customer: Customer): EventScope {
  return { organizationId: customer.organizationId, teamId: customer.teamId, customerId: customer.id };
}
