import type { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { AppExceptionFilter, requestIdMiddleware } from '@kirim/platform';

/**
 * The worker's small HTTP surface (`GET /health`, `GET /metrics`): pino logging, request ids and the
 * platform's error filter (so an unhealthy dependency answers 503 `service_unavailable`, not a 500).
 * Shutdown hooks are enabled by main.ts (not here, so tests can close the app themselves).
 */
export function configureWorkerHttp(app: INestApplication): void {
  app.useLogger(app.get(Logger));
  app.use(requestIdMiddleware);
  app.useGlobalFilters(new AppExceptionFilter());
  const express = app.getHttpAdapter().getInstance() as { disable?: (name: string) => void };
  express.disable?.('x-powered-by');
}
