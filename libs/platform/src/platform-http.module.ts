import { Global, Module } from '@nestjs/common';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { RateLimitInterceptor } from './rate-limit/rate-limit.interceptor';

/**
 * The HTTP behaviour every API endpoint gets for free: rate limits, then idempotency. Imported once by an
 * HTTP app next to PlatformModule (which provides Paginator, IdempotencyService and RateLimiter to every
 * process). The two are not registered as Nest interceptors: configureHttpApp finds them here and runs
 * them, in this order, inside its one HttpPipelineInterceptor, outside the envelope (a refused request never
 * touches an idempotency key; idempotency stores and replays the final envelope).
 */
@Global()
@Module({
  providers: [RateLimitInterceptor, IdempotencyInterceptor],
  exports: [RateLimitInterceptor, IdempotencyInterceptor],
})
export class PlatformHttpModule {}
