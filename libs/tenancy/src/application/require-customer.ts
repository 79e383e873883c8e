import { AppError } from '@kirim/platform';
import type { TenantScope } from '@kirim/platform';
import type { Customer } from '../domain/customer';
import type { CustomersRepository } from '../infrastructure/customers.repository';

/**
 * The customer the scope sees, or 404 `resource_not_found` (unknown, another organization's, or another
 * customer's for a restricted key). `forUpdate` locks its row until the transaction ends, which serialises
 * the changes of one customer and its setup links. Shared by the customers and setup-links services.
 */
export async function requireCustomer(
  customers: CustomersRepository,
  scope: TenantScope,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Customer> {
  const customer = options.forUpdate ? await customers.findForUpdate(scope, id) : await customers.find(scope, id);
  if (!customer) throw AppError.notFound('customer', id);
  return customer;
}
