import { Global, Injectable, Module } from '@nestjs/common';
import { HttpPipelineStages } from './http/http-pipeline.interceptor';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor';
import { RateLimitInterceptor } from './rate-limit/rate-limit.interceptor';

/** Puts the two stages into the app's HTTP pipeline when it is built. */
@Injectable()
class PlatformHttpStages {
  constructor(stages: HttpPipelineStages, rateLimit: RateLimitInterceptor, idempotency: IdempotencyInterceptor) {
    stages.rateLimit = rateLimit;
    stages.idempotency = idempotency;
  }
}

/**
 * The HTTP behaviour every API endpoint gets for free: rate limits, then idempotency. Imported once by an
 * HTTP app next to PlatformModule (which provides Paginator, IdempotencyService, RateLimiter and the
 * app's HttpPipelineStages). The two are not registered as Nest interceptors: they become stages of
 * configureHttpApp's one HttpPipelineInterceptor, in this order, outside the envelope (a refused request
 * never touches an idempotency key; idempotency stores and replays the final envelope).
 */
@Global()
@Module({
  providers: [RateLimitInterceptor, IdempotencyInterceptor, PlatformHttpStages],
  exports: [RateLimitInterceptor, IdempotencyInterceptor],
})
export class PlatformHttpModule {}
