import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeyGuard } from './http/api-key.guard';
import { ApiKeyStrategy } from './http/api-key.strategy';
import { ApiKeysController } from './http/api-keys.controller';
import { MeController } from './http/me.controller';
import { UsersController } from './http/users.controller';
import { IdentityModule } from './identity.module';

/** `/v1/me`, `/v1/api_keys`, `/v1/users`, and the passport API-key guard on every route of the app (APP_GUARD). */
@Module({
  imports: [IdentityModule, PassportModule],
  controllers: [MeController, ApiKeysController, UsersController],
  providers: [ApiKeyStrategy, { provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class IdentityHttpModule {}
