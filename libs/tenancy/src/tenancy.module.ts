import { Module } from '@nestjs/common';
import { ContractsModule } from '@kirim/contracts';
import { IdentityModule } from '@kirim/identity';
import { CustomersService } from './application/customers.service';
import { SetupLinksService } from './application/setup-links.service';
import { TenancyCustomerDirectory } from './infrastructure/customer-directory.adapter';
import { CustomersRepository } from './infrastructure/customers.repository';
import { SetupLinksRepository } from './infrastructure/setup-links.repository';
import { TokenHasher } from './infrastructure/token-hasher';

/**
 * The tenancy context without HTTP: customers, setup links, the onboarding resolver and the expiry sweep
 * (imported by the api through TenancyHttpModule, by the onboarding app and by the worker). Its CustomersService
 * needs the CUSTOMER_ACCOUNTS port, and it answers identity's CUSTOMER_DIRECTORY with TenancyCustomerDirectory:
 * the app binds both (`bindPorts`).
 */
@Module({
  imports: [IdentityModule, ContractsModule],
  providers: [CustomersRepository, SetupLinksRepository, TokenHasher, CustomersService, SetupLinksService, TenancyCustomerDirectory],
  exports: [CustomersService, SetupLinksService, TenancyCustomerDirectory],
})
export class TenancyModule {}
