// Public face of the tenancy context: modules, application services and types. Nothing else is importable.
export { TenancyModule } from './tenancy.module';
export { TenancyHttpModule } from './tenancy-http.module';
export { TenancyJobsModule } from './tenancy-jobs.module';
export {
  CustomersService,
  type CreateCustomerInput,
  type CustomerWithAccounts,
  type ListCustomersInput,
  type UpdateCustomerInput,
} from './application/customers.service';
export {
  SetupLinksService,
  type CreatedSetupLink,
  type CreateSetupLinkInput,
  type IssuedNonce,
  type ResolvedSetupLink,
  type UnusableSetupLink,
  type UpdateSetupLinkInput,
} from './application/setup-links.service';
export { CUSTOMER_ACCOUNTS, type CustomerAccountsPort, type CustomerWhatsappAccount } from './application/customer-accounts.port';
export { TenancyCustomerDirectory } from './infrastructure/customer-directory.adapter';
export type { Customer, CustomerMetadata, CustomerStatus } from './domain/customer';
export type { SetupLink, SetupLinkStatus, UnusableLinkReason } from './domain/setup-link';
