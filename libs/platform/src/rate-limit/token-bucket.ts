/** Which bucket a request draws from: GET (and HEAD) read, everything else (POST/PATCH/DELETE) write. */
export type BucketKind = 'read' | 'write';

export function bucketKind(method: string): BucketKind {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' ? 'read' : 'write';
}

/**
 * One atomic take from a token bucket: capacity ARGV[1] (the per-minute limit), refilled continuously at
 * capacity/60 tokens per second. Time comes from the Redis server (`TIME`), so processes with skewed
 * clocks share one bucket consistently. State: hash {t: tokens (float), ts: ms}. The key expires once
 * the bucket would be full again (a missing key is a full bucket). Returns {allowed, tokens, nowMs}.
 */
export const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local rate = capacity / 60000
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
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
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return { allowed, tostring(tokens), tostring(now) }
`;

export interface RateLimitDecision {
  allowed: boolean;
  /** `X-RateLimit-Limit`: the bucket's capacity (requests per minute). */
  limit: number;
  /** `X-RateLimit-Remaining`: whole tokens left. */
  remaining: number;
  /** `X-RateLimit-Reset`: unix seconds when the bucket is full again. */
  reset: number;
  /** `Retry-After` seconds when refused: until one whole token is back. */
  retryAfter: number | undefined;
}

/** The headers' values from the script's result (tokens left after the take, Redis time in ms). */
export function rateLimitDecision(limit: number, allowed: boolean, tokens: number, nowMs: number): RateLimitDecision {
  const msPerToken = 60_000 / limit;
  const left = Math.max(0, Math.min(limit, tokens));
  return {
    allowed,
    limit,
    remaining: Math.floor(left),
    reset: Math.ceil((nowMs + (limit - left) * msPerToken) / 1000),
    retryAfter: allowed ? undefined : Math.max(1, Math.ceil(((1 - left) * msPerToken) / 1000)),
  };
}
