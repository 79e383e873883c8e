import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { RateLimitInterceptor } from './rate-limit/rate-limit.interceptor';

/**
 * The HTTP behaviour every API endpoint gets for free: rate limits, then idempotency (APP_INTERCEPTORs,
 * in this order, so a refused request never touches an idempotency key). Imported once by an HTTP app
 * next to PlatformModule (which provides Paginator, IdempotencyService and RateLimiter to every process).
 * Its interceptors run outside configureHttpApp's EnvelopeInterceptor (see IdempotencyInterceptor).
 */
@Global()
@Module({
  providers: [
    { provide: APP_INTERCEPTOR, useClass: RateLimitInterceptor },
    { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
  ],
})
export class PlatformHttpModule {}
