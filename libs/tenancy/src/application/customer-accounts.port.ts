import type { WhatsappAccountStatus } from '@kirim/contracts';
import { definePort } from '@kirim/platform';

/** One entry of `whatsapp_accounts` on `GET /v1/customers/{id}` (spec 03 § Customer). */
export interface CustomerWhatsappAccount {
  id: string;
  phone_number_id: string;
  display_phone_number: string;
  verified_name: string;
  status: WhatsappAccountStatus;
  onboarded_at: string;
}

/**
 * What tenancy needs to know about a customer's WhatsApp accounts, which the whatsapp-accounts context
 * owns (it depends on tenancy, not the reverse): a port the app binds to that context's adapter.
 */
export interface CustomerAccountsPort {
  /** True when the customer has at least one onboarded account (a suspended customer then resumes to `active`). */
  hasOnboardedAccount(organizationId: string, customerId: string): Promise<boolean>;
  listForCustomer(organizationId: string, customerId: string): Promise<CustomerWhatsappAccount[]>;
}

/** The port's token: bound by the app to the whatsapp-accounts context's adapter (`bindPorts`); no default. */
export const CUSTOMER_ACCOUNTS = definePort<CustomerAccountsPort>('CUSTOMER_ACCOUNTS');
