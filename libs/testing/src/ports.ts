import type { DynamicModule } from '@nestjs/common';
import type { CustomerDirectory } from '@kirim/identity';
import type { CustomerAccountsPort } from '@kirim/tenancy';
import { contextPortBindings } from '@kirim/whatsapp-accounts';

/**
 * The port bindings the apps make, for test apps composed from context modules. A test may replace one
 * answer with its own fake, in plain sight: `contextPorts({ customerAccounts: fake })`.
 */
export function contextPorts(
  fakes: { customerDirectory?: CustomerDirectory; customerAccounts?: CustomerAccountsPort } = {},
): DynamicModule {
  return contextPortBindings(fakes);
}
