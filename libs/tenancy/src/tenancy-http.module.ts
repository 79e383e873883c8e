import { Module } from '@nestjs/common';
import { CustomersController } from './http/customers.controller';
import { SetupLinksController } from './http/setup-links.controller';
import { TenancyModule } from './tenancy.module';

/** The public `/v1/customers` API (controllers only; the services live in TenancyModule). */
@Module({
  imports: [TenancyModule],
  controllers: [CustomersController, SetupLinksController],
})
export class TenancyHttpModule {}
