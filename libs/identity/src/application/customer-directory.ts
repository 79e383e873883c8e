import { Injectable } from '@nestjs/common';

/**
 * Port: does a customer exist in an organization? Identity needs it to restrict a key to a customer, but
 * customers belong to the tenancy context, which depends on identity, not the reverse.
 */
export interface CustomerDirectory {
  exists(organizationId: string, customerId: string): Promise<boolean>;
}

export const CUSTOMER_DIRECTORY = Symbol('CUSTOMER_DIRECTORY');

/** Default until the tenancy context provides the real directory: every well-formed `cus_` id exists. */
@Injectable()
export class UncheckedCustomerDirectory implements CustomerDirectory {
  exists(): Promise<boolean> {
    return Promise.resolve(true);
  }
}
