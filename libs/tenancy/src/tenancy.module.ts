import { Module } from '@nestjs/common';
import { ContractsModule } from '@kirim/contracts';
import { CUSTOMER_DIRECTORY, IdentityModule } from '@kirim/identity';
import { CustomerAccounts } from './application/customer-accounts.port';
import { CustomersService } from './application/customers.service';
import { SetupLinksService } from './application/setup-links.service';
import { TenancyCustomerDirectory } from './infrastructure/customer-directory.adapter';
import { CustomersRepository } from './infrastructure/customers.repository';
import { SetupLinksRepository } from './infrastructure/setup-links.repository';
import { TokenHasher } from './infrastructure/token-hasher';

/**
 * The tenancy context without HTTP: customers, setup links, the onboarding resolver and the expiry sweep
 * (imported by the api through TenancyHttpModule, by the onboarding app and by the worker).
 */
@Module({
  imports: [IdentityModule, ContractsModule],
  providers: [
    CustomersRepository,
    SetupLinksRepository,
    TokenHasher,
    CustomerAccounts,
    CustomersService,
    SetupLinksService,
    TenancyCustomerDirectory,
    { provide: CUSTOMER_DIRECTORY, useExisting: TenancyCustomerDirectory },
  ],
  exports: [CustomersService, SetupLinksService, CustomerAccounts, CUSTOMER_DIRECTORY],
})
export class TenancyModule {}
