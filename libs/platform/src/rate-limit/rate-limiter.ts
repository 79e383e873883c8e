import { Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { RedisService } from '../redis/redis.service';
import type { Principal } from '../auth/principal';
import { type BucketKind, bucketKind, type BucketRate, httpDecision, perMinute, type RateLimitDecision } from './token-bucket';
import { TokenBucketLimiter } from './token-bucket-limiter';

/**
 * The process's {@link TokenBucketLimiter} on its Redis connection (REDIS_PREFIX), plus the HTTP
 * adapters: `limit` answers header values and turns an unreachable Redis into 503 `service_unavailable`.
 * Keys: `rl:<kind>:<orgId>` for the per-organization API buckets (MCP calls take from the same ones).
 */
@Injectable()
export class RateLimiter extends TokenBucketLimiter {
  constructor(redis: RedisService) {
    super(redis.client, redis.prefix);
  }

  /** One token of bucket `key` for an HTTP request: the header values, or 503 when Redis is down. */
  async limit(key: string, rate: BucketRate): Promise<RateLimitDecision> {
    try {
      return httpDecision(await this.take(key, rate));
    } catch (error) {
      throw new AppError('service_unavailable', 'Rate limiting is unavailable; retry later.', {
        cause: error,
        headers: { 'Retry-After': '5' },
      });
    }
  }

  /** The organization's read or write bucket (`limit` per minute). */
  takeForOrganization(orgId: string, kind: BucketKind, limit: number): Promise<RateLimitDecision> {
    return this.limit(`${kind}:${orgId}`, perMinute(limit));
  }

  /**
   * The token of one request of a principal: its organization's read (GET/HEAD) or write bucket, at the
   * organization's limit. `what` names the bucket for the 429 message. (The api's admission and the
   * interceptor of other apps both charge requests through this.)
   */
  async takeForRequest(principal: Principal, method: string): Promise<{ decision: RateLimitDecision; what: string }> {
    const kind = bucketKind(method);
    const limit = kind === 'read' ? principal.rateLimits.readPerMinute : principal.rateLimits.writePerMinute;
    return { decision: await this.takeForOrganization(principal.organizationId, kind, limit), what: `${kind} requests` };
  }
}
