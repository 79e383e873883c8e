import { bucketKind, rateLimitDecision } from './token-bucket';

describe('token bucket maths', () => {
  const now = 1_780_000_000_000; // ms, a whole second

  it('maps methods to buckets', () => {
    expect(bucketKind('GET')).toBe('read');
    expect(bucketKind('head')).toBe('read');
    for (const m of ['POST', 'PATCH', 'DELETE', 'PUT']) expect(bucketKind(m)).toBe('write');
  });

  it('a full bucket after one take: remaining limit-1, full again after one token interval', () => {
    // 60/min → one token per second.
    expect(rateLimitDecision(60, true, 59, now)).toEqual({
      allowed: true,
      limit: 60,
      remaining: 59,
      reset: now / 1000 + 1,
      retryAfter: undefined,
    });
  });

  it('rounds remaining down and reset up', () => {
    const d = rateLimitDecision(600, true, 12.5, now); // 100 ms per token, 587.5 tokens missing
    expect(d.remaining).toBe(12);
    expect(d.reset).toBe(Math.ceil((now + 58_750) / 1000));
  });

  it('an empty bucket: Retry-After is the time to one whole token, at least 1 s', () => {
    expect(rateLimitDecision(3, false, 0, now)).toMatchObject({ allowed: false, remaining: 0, retryAfter: 20, reset: now / 1000 + 60 });
    expect(rateLimitDecision(3, false, 0.5, now).retryAfter).toBe(10);
    expect(rateLimitDecision(6000, false, 0.99, now).retryAfter).toBe(1);
  });
});
