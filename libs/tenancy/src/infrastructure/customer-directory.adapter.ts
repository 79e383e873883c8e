import { Injectable } from '@nestjs/common';
import type { CustomerDirectory } from '@kirim/identity';
import { CustomersRepository } from './customers.repository';

/** Identity's `CUSTOMER_DIRECTORY` port, answered from the customers table (restricting a key to a customer). */
@Injectable()
export class TenancyCustomerDirectory implements CustomerDirectory {
  constructor(private readonly customers: CustomersRepository) {}

  exists(organizationId: string, customerId: string): Promise<boolean> {
    return this.customers.exists(organizationId, customerId);
  }
}
