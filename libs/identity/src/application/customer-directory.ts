import { definePort } from '@kirim/platform';

/**
 * Port: does a customer exist in an organization? Identity needs it to restrict a key to a customer, but
 * customers belong to the tenancy context, which depends on identity, not the reverse. No default: the app
 * binds tenancy's answer (`bindPorts`), and an app that forgets refuses to start.
 */
export interface CustomerDirectory {
  exists(organizationId: string, customerId: string): Promise<boolean>;
}

export const CUSTOMER_DIRECTORY = definePort<CustomerDirectory>('CUSTOMER_DIRECTORY');
