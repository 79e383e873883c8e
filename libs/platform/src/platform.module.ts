import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { ClsPluginTransactional } from '@nestjs-cls/transactional';
import { LoggerModule } from 'nestjs-pino';
import { APP_CONFIG, type AppConfig } from './config/config';
import { CryptoService } from './crypto/crypto.service';
import { TransactionalAdapterPrismaAfterCommit } from './jobs/after-commit';
import { IdempotencyService } from './idempotency/idempotency.service';
import { HealthService } from './observability/health';
import { Paginator } from './pagination/paginator';
import { RateLimiter } from './rate-limit/rate-limiter';
import { loggerParams } from './observability/logger';
import { OutboxWriter } from './outbox/outbox.writer';
import { Database } from './persistence/database';
import { HttpPipelineStages } from './http/http-pipeline.interceptor';
import { PrismaService } from './persistence/prisma.service';
import { QueueModule } from './queue/queue.module';
import { RedisService } from './redis/redis.service';

/** What every process gets from the kernel besides the configuration, the PrismaClient and the queues. */
const SERVICES = [
  Database,
  CryptoService,
  RedisService,
  OutboxWriter,
  HealthService,
  Paginator,
  IdempotencyService,
  RateLimiter,
  HttpPipelineStages,
];

/**
 * The shared kernel every process imports once: validated configuration, logging, PostgreSQL (Prisma +
 * CLS transactions), Redis, BullMQ, crypto, the outbox writer, the paginator, idempotency records and the
 * rate limiter. The HTTP interceptors live in PlatformHttpModule.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig): DynamicModule {
    const configProvider = { provide: APP_CONFIG, useValue: config };
    // One module object for both imports: Nest 11 tells dynamic modules apart by reference, and two
    // objects would mean two PrismaClients (two pools) — one for transactions, one for the rest.
    const prismaModule = PlatformPrismaModule.register(configProvider);
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config)),
        ClsModule.forRoot({
          global: true,
          // No per-request CLS context: `withTransaction` opens one for the transaction it runs, and
          // nothing else reads the CLS (its middleware cost more per request than a query; decision 48).
          middleware: { mount: false },
          plugins: [
            new ClsPluginTransactional({
              imports: [prismaModule],
              adapter: new TransactionalAdapterPrismaAfterCommit({
                prismaInjectionToken: PrismaService,
                // Prisma's default 5 s would turn a slow synchronous step (a Meta call during an
                // idempotent POST) into a 500; a connection wait over 5 s means the pool is exhausted.
                defaultTxOptions: { timeout: 30_000, maxWait: 5_000 },
              }),
              enableTransactionProxy: false,
            }),
          ],
        }),
        prismaModule,
        QueueModule,
      ],
      providers: [configProvider, ...SERVICES],
      exports: [configProvider, prismaModule, ...SERVICES, QueueModule],
    };
  }
}

/** Holds the PrismaClient so that both the CLS transactional plugin and the app resolve the same one. */
@Global()
@Module({})
class PlatformPrismaModule {
  static register(configProvider: { provide: symbol; useValue: AppConfig }): DynamicModule {
    return { module: PlatformPrismaModule, providers: [configProvider, PrismaService], exports: [PrismaService] };
  }
}
