import { Module } from '@nestjs/common';
import { AccountsController } from './http/accounts.controller';
import { WhatsappAccountsModule } from './whatsapp-accounts.module';

/** The public `/v1/accounts` API (controllers only; the services live in WhatsappAccountsModule). */
@Module({
  imports: [WhatsappAccountsModule],
  controllers: [AccountsController],
})
export class WhatsappAccountsHttpModule {}
