// Identity context: organizations, teams, users and API keys. Nothing else is importable.
export * from './identity.module';
export * from './identity-http.module';
export { OrganizationsService, type CreatedOrganization, type NewOrganizationInput } from './application/organizations.service';
export { TeamsService } from './application/teams.service';
export { UsersService, type NewUserInput } from './application/users.service';
export { ApiKeysService, type NewApiKeyInput } from './application/api-keys.service';
export { CUSTOMER_DIRECTORY, type CustomerDirectory } from './application/customer-directory';
export { OrganizationScopeOnly } from './http/api-key.guard';
export { ApiAdmission, type AdmittedRequest } from './http/api-admission';
export { USER_ROLES, type UserRole } from './domain/users';
export type { ApiKeyResource, CreatedApiKey, MeResource, OrganizationResource, TeamResource, UserResource } from './domain/resources';
