import { Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { RedisService } from '../redis/redis.service';
import { type BucketKind, rateLimitDecision, type RateLimitDecision, TAKE_TOKEN_LUA } from './token-bucket';

const COMMAND = 'kirimTakeToken';
/** A Redis that does not answer within this time counts as down (503), not as a hung request. */
const REDIS_TIMEOUT_MS = 2000;

type TakeToken = (key: string, capacity: number) => Promise<[number, string, string]>;

/**
 * The per-organization read and write token buckets in Redis (keys `rl:<kind>:<orgId>` under
 * REDIS_PREFIX), shared by every process. Used by the HTTP interceptor; MCP calls take from the same buckets.
 */
@Injectable()
export class RateLimiter {
  private readonly takeToken: TakeToken;

  constructor(private readonly redis: RedisService) {
    const client = redis.client as unknown as Record<string, TakeToken | undefined>;
    if (!client[COMMAND]) redis.client.defineCommand(COMMAND, { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    const command = client[COMMAND] as TakeToken;
    this.takeToken = (key, capacity) => command.call(redis.client, key, capacity);
  }

  /** Takes one token; Redis unreachable or slow → 503 `service_unavailable`. */
  async take(orgId: string, kind: BucketKind, limit: number): Promise<RateLimitDecision> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer in time')), REDIS_TIMEOUT_MS);
      });
      const [allowed, tokens, now] = await Promise.race([this.takeToken(this.redis.key('rl', kind, orgId), limit), timeout]);
      return rateLimitDecision(limit, allowed === 1, Number(tokens), Number(now));
    } catch (error) {
      throw new AppError('service_unavailable', 'Rate limiting is unavailable; retry later.', {
        cause: error,
        headers: { 'Retry-After': '5' },
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
