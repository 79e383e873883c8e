/**
 * Who a tenancy call acts for: the organization, and the customer when the API key is restricted to one
 * (the platform `Principal` fits). Every repository read takes it (or its parts) as a required argument.
 */
export interface TenantScope {
  organizationId: string;
  /** Set for a customer-restricted key: only this customer is visible. */
  customerId: string | null;
}
