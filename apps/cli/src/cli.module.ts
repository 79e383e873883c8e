import { type DynamicModule, Module } from '@nestjs/common';
import { ContractsModule } from '@kirim/contracts';
import { CUSTOMER_DIRECTORY, IdentityModule } from '@kirim/identity';
import { CUSTOMER_ACCOUNTS, TenancyCustomerDirectory, TenancyModule } from '@kirim/tenancy';
import { type AppConfig, bindPorts, PlatformModule } from '@kirim/platform';
import { CustomerAccountsAdapter, WhatsappAccountsModule } from '@kirim/whatsapp-accounts';

/**
 * What the CLI needs: the platform kernel and identity's application services (no HTTP); tenancy so that
 * `keys create --customer` checks that the customer exists in the organization (tenancy's CustomersService
 * needs the accounts port, so the whatsapp-accounts context answers it here too).
 */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        PlatformModule.forRoot(config),
        ContractsModule,
        IdentityModule,
        TenancyModule,
        bindPorts({
          imports: [TenancyModule, WhatsappAccountsModule],
          bindings: [
            { port: CUSTOMER_DIRECTORY, useExisting: TenancyCustomerDirectory },
            { port: CUSTOMER_ACCOUNTS, useExisting: CustomerAccountsAdapter },
          ],
        }),
      ],
    };
  }
}
