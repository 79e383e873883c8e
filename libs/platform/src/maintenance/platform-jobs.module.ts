import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { PlatformMaintenanceProcessor } from './platform-maintenance.processor';
import { PLATFORM_MAINTENANCE_QUEUE } from './platform-queues';

/** The kernel's background work (loaded by the worker only). */
@Module({
  imports: [JobsModule.forWorker(PLATFORM_MAINTENANCE_QUEUE)],
  providers: [PlatformMaintenanceProcessor],
})
export class PlatformJobsModule {}
