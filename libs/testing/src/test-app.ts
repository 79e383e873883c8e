import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureHttpApp } from '@kirim/platform';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';

export interface TestApp {
  app: INestApplication;
  /** supertest against the in-process server */
  http: TestAgent;
  close(): Promise<void>;
}

/**
 * Boots a Nest HTTP app in-process with exactly the production pipeline (configureHttpApp), e.g.
 * `createTestApp(AppModule.forRoot(env.config))` or, in a library, a module composing the platform
 * and that library's HTTP module.
 */
export async function createTestApp(root: DynamicModule | Type, beforeInit?: (app: INestApplication) => void): Promise<TestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [root] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, bufferLogs: true, logger: false });
  configureHttpApp(app);
  beforeInit?.(app);
  await app.init();
  return { app, http: request(app.getHttpServer()), close: () => app.close() };
}
