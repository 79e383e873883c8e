import { type DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ContractsModule } from '@kirim/contracts';
import { type AppConfig, MetricsController, PlatformJobsModule, PlatformModule } from '@kirim/platform';
import { TenancyJobsModule } from '@kirim/tenancy';
import { contextPortBindings } from '@kirim/whatsapp-accounts';
import { WebhooksJobsModule } from '@kirim/webhooks';
import { MessagingJobsModule } from '@kirim/messaging';
import { GracefulShutdown } from './graceful-shutdown';
import { WorkerHealthController } from './health.controller';

/**
 * The worker process: the platform kernel and each context's jobs module (its processors, queues and
 * schedules live in the context), plus a small HTTP surface (`/health`, `/metrics`). No job logic here.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config),
        ContractsModule,
        DiscoveryModule,
        PlatformJobsModule,
        TenancyJobsModule,
        WebhooksJobsModule,
        MessagingJobsModule,
        contextPortBindings(),
      ],
      controllers: [WorkerHealthController, MetricsController],
      // In this (root) module so that its destroy hook runs before the platform's (see the class).
      providers: [GracefulShutdown],
    };
  }
}
