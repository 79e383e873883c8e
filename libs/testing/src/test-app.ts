import type { AddressInfo } from 'node:net';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { APP_CONFIG, type AppConfig, configureHttpApp, createHttpAdapter, type HttpAppOptions } from '@kirim/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';

export interface TestApp {
  app: INestApplication;
  /** supertest against the in-process server */
  http: TestAgent;
  /** The port of the real listening server (`listen: true`), for raw socket writes. */
  port: number | undefined;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** The options main.ts gives configureHttpApp (raw-body routes, public URL). */
  http?: HttpAppOptions;
  beforeInit?: (app: INestApplication) => void;
  /** Listen on an ephemeral port of 127.0.0.1, as main.ts does (Node-level behaviour needs a real server). */
  listen?: boolean;
}

/**
 * Boots a Nest HTTP app in-process with exactly the production pipeline (configureHttpApp), e.g.
 * `createTestApp(AppModule.forRoot(env.config))` or, in a library, a module composing the platform
 * and that library's HTTP module.
 */
export async function createTestApp(
  root: DynamicModule | Type,
  beforeInitOrOptions?: ((app: INestApplication) => void) | TestAppOptions,
): Promise<TestApp> {
  const options: TestAppOptions =
    typeof beforeInitOrOptions === 'function' ? { beforeInit: beforeInitOrOptions } : (beforeInitOrOptions ?? {});
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const config = moduleRef.get<AppConfig | undefined>(APP_CONFIG, { strict: false });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), {
    bodyParser: false,
    bufferLogs: true,
    logger: false,
  });
  configureHttpApp(app, options.http);
  options.beforeInit?.(app);
  let port: number | undefined;
  if (options.listen) {
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer() as { address(): AddressInfo }).address().port;
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return { app, http: request(app.getHttpServer()), port, close: () => app.close() };
}
