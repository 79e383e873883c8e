import { Injectable } from '@nestjs/common';
import type { WhatsappAccountStatus } from '@kirim/contracts';

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
 * owns (it depends on tenancy, not the reverse, so it plugs its adapter in through {@link CustomerAccounts}).
 */
export interface CustomerAccountsPort {
  /** True when the customer has at least one onboarded account (a suspended customer then resumes to `active`). */
  hasOnboardedAccount(organizationId: string, customerId: string): Promise<boolean>;
  listForCustomer(organizationId: string, customerId: string): Promise<CustomerWhatsappAccount[]>;
}

/** Until the accounts context exists (or registers itself), customers have no accounts. */
export const NO_CUSTOMER_ACCOUNTS: CustomerAccountsPort = {
  hasOnboardedAccount: () => Promise.resolve(false),
  listForCustomer: () => Promise.resolve([]),
};

/**
 * The slot of the {@link CustomerAccountsPort}: the whatsapp-accounts module calls `use(adapter)` once
 * (e.g. in its `onModuleInit`); tenancy reads through it.
 */
@Injectable()
export class CustomerAccounts implements CustomerAccountsPort {
  private port: CustomerAccountsPort = NO_CUSTOMER_ACCOUNTS;

  use(port: CustomerAccountsPort): void {
    this.port = port;
  }

  hasOnboardedAccount(organizationId: string, customerId: string): Promise<boolean> {
    return this.port.hasOnboardedAccount(organizationId, customerId);
  }

  listForCustomer(organizationId: string, customerId: string): Promise<CustomerWhatsappAccount[]> {
    return this.port.listForCustomer(organizationId, customerId);
  }
}
