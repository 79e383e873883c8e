import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ContractsModule } from '@kirim/contracts';
import { type AppConfig, MetricsController, PlatformModule } from '@kirim/platform';
import { TenancyModule } from '@kirim/tenancy';
import { WebhooksModule } from '@kirim/webhooks';
import { GracefulShutdown } from './graceful-shutdown';
import { WorkerHealthController } from './health.controller';
import { MaintenanceProcessor } from './maintenance.processor';
import { MaintenanceSchedules } from './maintenance-schedules';

/**
 * The worker process: the platform kernel, the typed queues, the contexts whose services the jobs call,
 * the processors, the maintenance schedules and a small HTTP surface (`/health`, `/metrics`).
 * Thin by design: processors only call the owning context's application services.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config), ContractsModule, DiscoveryModule, TenancyModule, WebhooksModule],
      controllers: [WorkerHealthController, MetricsController],
      providers: [
        // In this (root) module so that its destroy hook runs before the platform's (see the class).
        GracefulShutdown,
        MaintenanceSchedules,
        MaintenanceProcessor,
      ],
    };
  }
}
