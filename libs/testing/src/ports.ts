import type { DynamicModule } from '@nestjs/common';
import { CUSTOMER_DIRECTORY, type CustomerDirectory } from '@kirim/identity';
import { bindPorts, type PortBinding } from '@kirim/platform';
import { CUSTOMER_ACCOUNTS, type CustomerAccountsPort, TenancyCustomerDirectory, TenancyModule } from '@kirim/tenancy';
import { CustomerAccountsAdapter, WhatsappAccountsModule } from '@kirim/whatsapp-accounts';

/**
 * The port bindings the apps make (api, worker, onboarding, cli), for test apps composed from context
 * modules: tenancy answers identity's CUSTOMER_DIRECTORY, whatsapp-accounts answers tenancy's
 * CUSTOMER_ACCOUNTS. A test may replace one answer with its own fake, in plain sight.
 */
export function contextPorts(fakes: { customerDirectory?: CustomerDirectory; customerAccounts?: CustomerAccountsPort } = {}): DynamicModule {
  const bindings: PortBinding[] = [
    fakes.customerDirectory
      ? { port: CUSTOMER_DIRECTORY, useValue: fakes.customerDirectory }
      : { port: CUSTOMER_DIRECTORY, useExisting: TenancyCustomerDirectory },
    fakes.customerAccounts
      ? { port: CUSTOMER_ACCOUNTS, useValue: fakes.customerAccounts }
      : { port: CUSTOMER_ACCOUNTS, useExisting: CustomerAccountsAdapter },
  ];
  return bindPorts({ imports: [TenancyModule, WhatsappAccountsModule], bindings });
}
