import { Injectable } from '@nestjs/common';
import { organizationScope } from '@kirim/platform';
import type { CustomerAccountsPort, CustomerWhatsappAccount } from '@kirim/tenancy';
import { AccountsRepository } from '../infrastructure/accounts.repository';

/** This context's answer to tenancy's CUSTOMER_ACCOUNTS port (customer detail, suspend/resume); bound by the app. */
@Injectable()
export class CustomerAccountsAdapter implements CustomerAccountsPort {
  constructor(private readonly accounts: AccountsRepository) {}

  hasOnboardedAccount(organizationId: string, customerId: string): Promise<boolean> {
    return this.accounts.hasOnboardedAccount(organizationScope(organizationId), customerId);
  }

  async listForCustomer(organizationId: string, customerId: string): Promise<CustomerWhatsappAccount[]> {
    const accounts = await this.accounts.listForCustomer(organizationScope(organizationId), customerId);
    return accounts.map((a) => ({
      id: a.id,
      phone_number_id: a.phoneNumberId,
      display_phone_number: a.displayPhoneNumber,
      verified_name: a.verifiedName,
      status: a.status,
      onboarded_at: a.onboardedAt.toISOString(),
    }));
  }
}
