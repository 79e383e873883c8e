import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Clock, SystemClock } from '../common/clock';
import { RequestLog } from '../state/request-log';
import { AppModule } from './app.module';
import type { SandboxConfig } from './config';
import { bodyErrorHandler, bodyParsers, graphRouting, requestContext, requestLogging } from './http-pipeline';

export interface CreateSandboxAppOptions {
  /** Time source; tests pass a ManualClock to expire codes and tokens. */
  clock?: Clock;
  /** Nest log levels, or false for none (tests). */
  logger?: LogLevel[] | false;
}

/**
 * The sandbox as a Nest app, initialised but not listening: main.ts listens on it, tests drive it
 * with supertest. Both get exactly the same pipeline.
 */
export async function createSandboxApp(config: SandboxConfig, options: CreateSandboxAppOptions = {}): Promise<NestExpressApplication> {
  const clock = options.clock ?? new SystemClock();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, clock), {
    bodyParser: false,
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestContext(clock));
  app.use(graphRouting(config));
  app.use(...bodyParsers);
  app.use(bodyErrorHandler);
  app.use(requestLogging(app.get(RequestLog)));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
