import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { configureHttpApp, createHttpAdapter, runProcess } from '@kirim/platform';
import { WorkerModule } from './app/worker.module';

/**
 * The worker: BullMQ processors and maintenance schedules, plus `/health` and `/metrics` on WORKER_PORT.
 * On SIGTERM it stops taking jobs, waits for the jobs in flight, disconnects and exits 0.
 */
runProcess(async (config) => {
  const app = await NestFactory.create(WorkerModule.forRoot(config), createHttpAdapter(config), { bodyParser: false, bufferLogs: true });
  // No public URL: the worker's port is internal. Without METRICS_TOKEN its /metrics is open (internal only).
  configureHttpApp(app);
  // SIGTERM/SIGINT → app.close(): GracefulShutdown closes the BullMQ workers, which stop taking jobs and
  // wait for the jobs in flight; then PostgreSQL, Redis and the HTTP server close and the process exits 0.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  await app.listen(config.WORKER_PORT, '0.0.0.0');
});
