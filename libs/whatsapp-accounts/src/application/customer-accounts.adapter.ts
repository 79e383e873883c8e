import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CustomerAccounts, type CustomerAccountsPort, type CustomerWhatsappAccount } from '@kirim/tenancy';
import { AccountsRepository } from '../infrastructure/accounts.repository';

/** Plugs this context into tenancy's {@link CustomerAccounts} port (customer detail, suspend/resume). */
@Injectable()
export class CustomerAccountsAdapter implements CustomerAccountsPort, OnModuleInit {
  constructor(
    private readonly slot: CustomerAccounts,
    private readonly accounts: AccountsRepository,
  ) {}

  onModuleInit(): void {
    this.slot.use(this);
  }

  hasOnboardedAccount(organizationId: string, customerId: string): Promise<boolean> {
    return this.accounts.hasOnboardedAccount(organizationId, customerId);
  }

  async listForCustomer(organizationId: string, customerId: string): Promise<CustomerWhatsappAccount[]> {
    const accounts = await this.accounts.listForCustomer(organizationId, customerId);
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
