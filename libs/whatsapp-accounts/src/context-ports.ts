import type { DynamicModule } from '@nestjs/common';
import { CUSTOMER_DIRECTORY, type CustomerDirectory } from '@kirim/identity';
import { bindPorts, type PortBinding } from '@kirim/platform';
import { CUSTOMER_ACCOUNTS, type CustomerAccountsPort, TenancyCustomerDirectory, TenancyModule } from '@kirim/tenancy';
import { CustomerAccountsAdapter } from './application/customer-accounts.adapter';
import { WhatsappAccountsModule } from './whatsapp-accounts.module';

/**
 * The port bindings of an app that composes identity, tenancy and whatsapp-accounts: tenancy answers
 * identity's CUSTOMER_DIRECTORY, this context answers tenancy's CUSTOMER_ACCOUNTS. Each app imports it
 * where it is composed (api, worker, onboarding, cli); an app that does not refuses to start, naming the
 * port. Tests may replace an answer with a fake in plain sight (`contextPorts` in `@kirim/testing`).
 */
export function contextPortBindings(
  answers: { customerDirectory?: CustomerDirectory; customerAccounts?: CustomerAccountsPort } = {},
): DynamicModule {
  const bindings: PortBinding[] = [
    answers.customerDirectory
      ? { port: CUSTOMER_DIRECTORY, useValue: answers.customerDirectory }
      : { port: CUSTOMER_DIRECTORY, useExisting: TenancyCustomerDirectory },
    answers.customerAccounts
      ? { port: CUSTOMER_ACCOUNTS, useValue: answers.customerAccounts }
      : { port: CUSTOMER_ACCOUNTS, useExisting: CustomerAccountsAdapter },
  ];
  return bindPorts({ imports: [TenancyModule, WhatsappAccountsModule], bindings });
}
