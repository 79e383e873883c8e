/** Which bucket a request draws from: GET (and HEAD) read, everything else (POST/PATCH/DELETE) write. */
export type BucketKind = 'read' | 'write';

export function bucketKind(method: string): BucketKind {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'read' : 'write';
}

/** A bucket's shape: holds at most `capacity` tokens and refills continuously at `capacity` per `refillMs`. */
export interface BucketRate {
  capacity: number;
  refillMs: number;
}

/** `n` tokens per second (capacity n): a per-number Meta throughput of 80/s is `perSecond(80)`. */
export const perSecond = (n: number): BucketRate => ({ capacity: n, refillMs: 1000 });
/** `n` tokens per minute (capacity n): the API's and onboarding's buckets. */
export const perMinute = (n: number): BucketRate => ({ capacity: n, refillMs: 60_000 });

/**
 * One atomic take from a token bucket. KEYS[1] the bucket; ARGV: capacity, refill window in ms (the
 * bucket refills `capacity` tokens per window, continuously), cost, and the longest wait (ms) the caller
 * accepts. Time comes from the Redis server (`TIME`, microseconds), so processes with skewed clocks share
 * one bucket consistently. State: hash {t: tokens (float), ts: ms}; a missing key is a full bucket, and
 * the key expires once the bucket would be full again.
 *
 * Enough tokens → taken, wait 0. Not enough, but the missing tokens refill within the accepted wait →
 * RESERVED: the tokens are taken now (the bucket goes into debt) and the answer is the wait until they
 * exist, which the caller sleeps before acting — so N waiting callers get N distinct slots from one
 * round trip each, no polling herd. Otherwise refused, nothing taken, and the wait is the retry-after.
 * Returns {allowed (0/1), tokens after, now (ms), wait (ms)}.
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local rate = capacity / tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 't', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then tokens = tokens + (now - ts) * rate end
if tokens > capacity then tokens = capacity end
local allowed = 0
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  wait = math.ceil((cost - tokens) / rate)
  if wait <= max_wait then
    tokens = tokens - cost
    allowed = 1
  end
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return { allowed, tostring(tokens), tostring(now), wait }
`;

/** The answer of one take. */
export interface BucketDecision {
  allowed: boolean;
  /** The bucket's capacity. */
  limit: number;
  /** Whole tokens left after this take (0 when in debt). */
  remaining: number;
  /**
   * Allowed: how long to wait before acting (0 unless the take was a reservation, see `acquire`).
   * Refused: how long until the requested tokens are back (retry after).
   */
  waitMs: number;
  /** Epoch ms (Redis time) when the bucket is full again. */
  fullAtMs: number;
}

/** A decision from the script's result. */
export function bucketDecision(rate: BucketRate, allowed: boolean, tokens: number, nowMs: number, waitMs: number): BucketDecision {
  const left = Math.min(rate.capacity, tokens);
  return {
    allowed,
    limit: rate.capacity,
    remaining: Math.max(0, Math.floor(left)),
    waitMs,
    fullAtMs: nowMs + ((rate.capacity - left) * rate.refillMs) / rate.capacity,
  };
}

/** What the HTTP headers say (`X-RateLimit-*`, `Retry-After`). */
export interface RateLimitDecision {
  allowed: boolean;
  /** `X-RateLimit-Limit`: the bucket's capacity (requests per window). */
  limit: number;
  /** `X-RateLimit-Remaining`: whole tokens left. */
  remaining: number;
  /** `X-RateLimit-Reset`: unix seconds when the bucket is full again. */
  reset: number;
  /** `Retry-After` seconds when refused: until one whole token is back, at least 1. */
  retryAfter: number | undefined;
}

export function httpDecision(d: BucketDecision): RateLimitDecision {
  return {
    allowed: d.allowed,
    limit: d.limit,
    remaining: d.remaining,
    reset: Math.ceil(d.fullAtMs / 1000),
    retryAfter: d.allowed ? undefined : Math.max(1, Math.ceil(d.waitMs / 1000)),
  };
}

/** Per-minute header values from tokens left after a take (kept for the unit tests of the maths). */
export function rateLimitDecision(limit: number, allowed: boolean, tokens: number, nowMs: number): RateLimitDecision {
  const rate = perMinute(limit);
  const left = Math.max(0, Math.min(limit, tokens));
  const waitMs = allowed ? 0 : Math.ceil(((1 - left) * rate.refillMs) / limit);
  return httpDecision(bucketDecision(rate, allowed, tokens, nowMs, waitMs));
}
