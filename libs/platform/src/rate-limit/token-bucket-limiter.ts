import type { Redis } from 'ioredis';
import { type BucketDecision, bucketDecision, type BucketRate, TOKEN_BUCKET_LUA } from './token-bucket';

const COMMAND = 'kirimTokenBucket';
/** A Redis that does not answer within this time counts as down, not as a hung caller. */
export const TOKEN_BUCKET_REDIS_TIMEOUT_MS = 2000;
/** `acquire`'s default bound on how long it may wait for a token. */
export const DEFAULT_ACQUIRE_MAX_WAIT_MS = 10_000;

type Script = (
  key: string,
  capacity: number,
  refillMs: number,
  cost: number,
  maxWaitMs: number,
) => Promise<[number, string, string, number]>;

/** Redis did not answer (down or slower than {@link TOKEN_BUCKET_REDIS_TIMEOUT_MS}). */
export class TokenBucketUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The token-bucket store (Redis) is unavailable', { cause });
    this.name = 'TokenBucketUnavailableError';
  }
}

/**
 * The general token bucket (issue 8 item 6): a key, a capacity and a refill window → allowed, or retry
 * after N ms. Shared by every process through Redis (one Lua script, Redis `TIME`); the HTTP and
 * onboarding limits are thin adapters over it, and per-number Meta throughput uses `acquire` to wait its
 * turn instead of failing. Keys live under `<keyPrefix>rl:`.
 */
export class TokenBucketLimiter {
  private readonly script: Script;

  constructor(
    client: Redis,
    private readonly keyPrefix: string,
  ) {
    const commands = client as unknown as Record<string, Script | undefined>;
    if (!commands[COMMAND]) client.defineCommand(COMMAND, { numberOfKeys: 1, lua: TOKEN_BUCKET_LUA });
    const command = commands[COMMAND] as Script;
    this.script = (...args) => command.apply(client, args);
  }

  /** Takes `cost` tokens now if they are there; else refused with `waitMs` = retry after. Never waits. */
  take(key: string, rate: BucketRate, cost = 1): Promise<BucketDecision> {
    return this.run(key, rate, cost, 0);
  }

  /**
   * Takes `cost` tokens, waiting (bounded by `maxWaitMs`) until they exist: reserves them in one round
   * trip and sleeps the returned delay. Resolves allowed once the caller may act; refused (nothing taken,
   * `waitMs` = retry after) when the wait would exceed the bound — e.g. a job then delays itself by it.
   */
  async acquire(key: string, rate: BucketRate, options: { cost?: number; maxWaitMs?: number } = {}): Promise<BucketDecision> {
    const decision = await this.run(key, rate, options.cost ?? 1, options.maxWaitMs ?? DEFAULT_ACQUIRE_MAX_WAIT_MS);
    if (decision.allowed && decision.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, decision.waitMs));
    return decision;
  }

  private async run(key: string, rate: BucketRate, cost: number, maxWaitMs: number): Promise<BucketDecision> {
    if (!(rate.capacity > 0 && rate.refillMs > 0 && cost > 0 && cost <= rate.capacity && maxWaitMs >= 0)) {
      throw new RangeError(`invalid token bucket request: ${JSON.stringify({ ...rate, cost, maxWaitMs })}`);
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('Redis did not answer in time')), TOKEN_BUCKET_REDIS_TIMEOUT_MS);
      });
      const call = this.script(`${this.keyPrefix}rl:${key}`, rate.capacity, rate.refillMs, cost, Math.floor(maxWaitMs));
      const [allowed, tokens, now, wait] = await Promise.race([call, timeout]);
      return bucketDecision(rate, allowed === 1, Number(tokens), Number(now), Number(wait));
    } catch (error) {
      throw new TokenBucketUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}
