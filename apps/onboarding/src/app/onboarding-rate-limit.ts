import { Injectable } from '@nestjs/common';
import { AppError, type HttpRequest, perMinute, RateLimiter } from '@kirim/platform';

/** Spec 03 step 5: 30 calls per 60 s per token prefix and per client IP. */
export const ONBOARDING_LIMIT_PER_MIN = 30;
/** The token prefix a bucket is keyed by: `csl_` + the first 8 random characters. */
export const TOKEN_BUCKET_PREFIX_LENGTH = 12;

/**
 * The onboarding endpoints have no principal, so the platform's per-organization interceptor does not
 * apply: two token buckets of the platform RateLimiter (continuous refill, capacity 30 per minute),
 * one per client IP and one per token prefix. Either one empty → 429 `rate_limit_exceeded` with
 * `Retry-After`. `scope` separates the page's buckets from the API's.
 */
@Injectable()
export class OnboardingRateLimit {
  constructor(private readonly limiter: RateLimiter) {}

  async take(req: HttpRequest, token: string, scope: 'api' | 'page'): Promise<void> {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const prefix = token.slice(0, TOKEN_BUCKET_PREFIX_LENGTH).replace(/[^A-Za-z0-9_-]/g, '_');
    const kind = scope === 'api' ? 'write' : 'read';
    for (const key of [`onboarding:ip:${ip}`, `onboarding:token:${prefix}`]) {
      const decision = await this.limiter.limit(`${kind}:${key}`, perMinute(ONBOARDING_LIMIT_PER_MIN));
      if (!decision.allowed) {
        throw new AppError('rate_limit_exceeded', `Too many requests; retry after ${decision.retryAfter} s.`, {
          headers: { 'Retry-After': String(decision.retryAfter) },
        });
      }
    }
  }
}
