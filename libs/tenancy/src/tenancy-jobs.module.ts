import { Module } from '@nestjs/common';
import { QUEUES } from '@kirim/contracts';
import { JobsModule } from '@kirim/platform';
import { TenancyMaintenanceProcessor } from './jobs/tenancy-maintenance.processor';
import { TenancyModule } from './tenancy.module';

/** Tenancy's background work (loaded by the worker only). */
@Module({
  imports: [TenancyModule, JobsModule.forWorker(QUEUES.tenancyMaintenance)],
  providers: [TenancyMaintenanceProcessor],
})
export class TenancyJobsModule {}
