import { type DynamicModule, Module } from '@nestjs/common';
import { ContractsModule } from '@kirim/contracts';
import { IdentityModule } from '@kirim/identity';
import { TenancyModule } from '@kirim/tenancy';
import { type AppConfig, PlatformModule } from '@kirim/platform';
import { contextPortBindings } from '@kirim/whatsapp-accounts';

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
      imports: [PlatformModule.forRoot(config), ContractsModule, IdentityModule, TenancyModule, contextPortBindings()],
    };
  }
}
