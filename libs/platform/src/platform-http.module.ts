import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { IdempotencyService } from './idempotency/idempotency.service';
import { Paginator } from './pagination/paginator';
import { RateLimitInterceptor } from './rate-limit/rate-limit.interceptor';
import { RateLimiter } from './rate-limit/rate-limiter';

/**
 * The HTTP behaviour every API endpoint gets for free: rate limits, then idempotency (APP_INTERCEPTORs,
 * in this order, so a refused request never touches an idempotency key), plus the Paginator. Imported
 * once by an HTTP app next to PlatformModule; global so context modules can inject Paginator. Its
 * interceptors run outside configureHttpApp's EnvelopeInterceptor (see IdempotencyInterceptor).
 * A process without HTTP (the worker) provides IdempotencyService itself for `purgeExpired`.
 */
@Global()
@Module({
  providers: [
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
    RateLimiter,
    IdempotencyService,
    Paginator,
  ],
  exports: [RateLimiter, IdempotencyService, Paginator],
})
export class PlatformHttpModule {}
