import { Module } from '@nestjs/common';
import { ApiKeysService } from './application/api-keys.service';
import { OrganizationsService } from './application/organizations.service';
import { TeamsService } from './application/teams.service';
import { UsersService } from './application/users.service';
import { ApiKeysRepository } from './infrastructure/api-keys.repository';
import { OrganizationsRepository } from './infrastructure/organizations.repository';
import { TeamsRepository } from './infrastructure/teams.repository';
import { UsersRepository } from './infrastructure/users.repository';

/**
 * Identity's application services (no HTTP): organizations, teams, users, API keys. Needs PlatformModule,
 * and the app binds its CUSTOMER_DIRECTORY port (`bindPorts`).
 */
@Module({
  providers: [
    OrganizationsRepository,
    TeamsRepository,
    UsersRepository,
    ApiKeysRepository,
    OrganizationsService,
    TeamsService,
    UsersService,
    ApiKeysService,
  ],
  exports: [OrganizationsService, TeamsService, UsersService, ApiKeysService],
})
export class IdentityModule {}
