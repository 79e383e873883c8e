import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';

/**
 * Graceful shutdown of the BullMQ workers.
 *
 * On SIGTERM/SIGINT (app.enableShutdownHooks) or app.close(), Nest runs `onModuleDestroy` from the root
 * module outwards and only then `onApplicationShutdown`, where @nestjs/bullmq would close its workers.
 * By then the global PlatformModule has already quit its Redis client and disconnected Prisma, so an
 * in-flight job would fail half-way (or reopen a pool nobody closes). This provider lives in the worker's root module, whose destroy hook runs first:
 * it closes every worker with `worker.close()` (not forced), which stops taking new jobs and waits for
 * the jobs in flight to finish, while the database and Redis are still connected. A job that outlives
 * the orchestrator's grace period is killed with the process; BullMQ then finds it stalled (its lock
 * expires) and another worker runs it again, so jobs must be idempotent (all maintenance jobs are).
 */
@Injectable()
export class GracefulShutdown implements OnModuleDestroy {
  private readonly logger = new Logger(GracefulShutdown.name);

  constructor(private readonly discovery: DiscoveryService) {}

  async onModuleDestroy(): Promise<void> {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    const workers = hosts.flatMap((host) => {
      try {
        return [host.worker];
      } catch {
        return []; // never started (e.g. init failed)
      }
    });
    if (workers.length === 0) return;
    this.logger.log({ workers: workers.map((w) => w.name) }, 'closing workers; waiting for jobs in flight');
    await Promise.all(workers.map((worker) => worker.close()));
    this.logger.log('workers closed');
  }
}
