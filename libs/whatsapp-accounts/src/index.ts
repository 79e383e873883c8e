// Public face of the whatsapp-accounts context: modules, application services and types. Nothing else is importable.
export { WhatsappAccountsModule } from './whatsapp-accounts.module';
export { WhatsappAccountsHttpModule } from './whatsapp-accounts-http.module';
export { contextPortBindings } from './context-ports';
export { AccountsService, type ListAccountsInput } from './application/accounts.service';
export { AccountSendingService, type SendingAccount } from './application/account-sending.service';
export { AccountHealthService } from './application/account-health.service';
export { ACCOUNT_HEALTH_FIELDS, type MetaHealthChange } from './domain/account-health';
export { CustomerAccountsAdapter } from './application/customer-accounts.adapter';
export { SignupService, type CompleteSignupInput, type FailSignupInput } from './application/signup.service';
export { failureRedirect, SIGNUP_ERROR_CODES, unusableLinkRedirect, type SignupErrorCode, type SignupOutcome } from './domain/signup';
export {
  ACCOUNT_STATUSES,
  type QualityRating,
  type ThroughputLevel,
  type WhatsappAccount,
  type WhatsappAccountStatus,
} from './domain/account';
export {
  MetaGraphClient,
  META_TIMEOUT_MS,
  type DebuggedToken,
  type ExchangedToken,
  type GraphPhoneNumber,
} from './infrastructure/meta-graph.client';
export { graphAnswerError, graphTransportError, MetaApiError, type MetaFailureKind, parseGraphJson } from './infrastructure/meta-api.error';
