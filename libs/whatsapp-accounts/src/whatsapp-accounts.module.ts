import { Module } from '@nestjs/common';
import { ContractsModule } from '@kirim/contracts';
import { TenancyModule } from '@kirim/tenancy';
import { AccountHealthService } from './application/account-health.service';
import { AccountSendingService } from './application/account-sending.service';
import { AccountsService } from './application/accounts.service';
import { CustomerAccountsAdapter } from './application/customer-accounts.adapter';
import { SignupService } from './application/signup.service';
import { AccountHealthRepository } from './infrastructure/account-health.repository';
import { AccountSendingRepository } from './infrastructure/account-sending.repository';
import { AccountsRepository } from './infrastructure/accounts.repository';
import { MetaGraphClient } from './infrastructure/meta-graph.client';

/**
 * The whatsapp-accounts context without HTTP: accounts, the Meta Graph client and signup completion
 * (imported by the api through WhatsappAccountsHttpModule, by the onboarding app and by the worker).
 * Its CustomerAccountsAdapter answers tenancy's CUSTOMER_ACCOUNTS port (bound by the app).
 */
@Module({
  imports: [TenancyModule, ContractsModule],
  providers: [
    AccountsRepository,
    AccountSendingRepository,
    AccountHealthRepository,
    MetaGraphClient,
    AccountsService,
    AccountSendingService,
    AccountHealthService,
    SignupService,
    CustomerAccountsAdapter,
  ],
  exports: [AccountsService, AccountSendingService, AccountHealthService, SignupService, MetaGraphClient, CustomerAccountsAdapter],
})
export class WhatsappAccountsModule {}
