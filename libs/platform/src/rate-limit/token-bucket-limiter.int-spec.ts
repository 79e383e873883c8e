import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { perMinute, perSecond } from './token-bucket';
import { TokenBucketLimiter, TokenBucketUnavailableError } from './token-bucket-limiter';

/** The general token bucket against a real Redis, as two worker processes would share it. */
describe('TokenBucketLimiter (Redis)', () => {
  const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
  const prefix = `t:${randomBytes(5).toString('hex')}:`;
  const clients: Redis[] = [];
  const connect = () => {
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    clients.push(client);
    return client;
  };
  let a: TokenBucketLimiter;
  let b: TokenBucketLimiter;
  let n = 0;
  const bucket = () => `test:${++n}`;

  beforeAll(() => {
    // Two connections, two limiters: nothing is shared but Redis.
    a = new TokenBucketLimiter(connect(), prefix);
    b = new TokenBucketLimiter(connect(), prefix);
  });
  afterAll(async () => {
    const keys = await clients[0]?.keys(`${prefix}*`);
    if (keys?.length) await clients[0]?.del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('take: a full bucket of 5 allows 5, then refuses with the delay to the next token', async () => {
    const key = bucket();
    const rate = { capacity: 5, refillMs: 5000 }; // one token per second
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await (i % 2 ? a : b).take(key, rate));
    expect(answers.slice(0, 5).map((d) => d.allowed)).toEqual([true, true, true, true, true]);
    expect(answers.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0]);
    const refused = answers[5];
    expect(refused?.allowed).toBe(false);
    expect(refused?.waitMs).toBeGreaterThan(0);
    expect(refused?.waitMs).toBeLessThanOrEqual(1000);
    await new Promise((resolve) => setTimeout(resolve, (refused?.waitMs ?? 0) + 20));
    expect((await a.take(key, rate)).allowed).toBe(true);
  });

  it('per minute: the retry-after of an empty bucket is a whole token interval', async () => {
    const key = bucket();
    const rate = perMinute(2); // one token per 30 s
    await a.take(key, rate);
    await b.take(key, rate);
    const refused = await a.take(key, rate);
    expect(refused.allowed).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(29_000);
    expect(refused.waitMs).toBeLessThanOrEqual(30_000);
  });

  it('acquire: 100 takes at 10 per second (capacity 10) from two processes are spread over at least 9 s', async () => {
    const key = bucket();
    const rate = perSecond(10);
    const started = Date.now();
    const grantedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const decision = await (i % 2 ? a : b).acquire(key, rate, { maxWaitMs: 15_000 });
        expect(decision.allowed).toBe(true);
        grantedAt.push(Date.now() - started);
      }),
    );
    grantedAt.sort((x, y) => x - y);
    // 10 at once, then one per 100 ms: the 100th no earlier than 9 s (a little slack for timer rounding).
    expect(grantedAt[99]).toBeGreaterThanOrEqual(8_950);
    // No 1 s window holds more than capacity + refill (10 + 10) grants.
    for (let i = 0; i + 20 < grantedAt.length; i++) expect((grantedAt[i + 20] ?? 0) - (grantedAt[i] ?? 0)).toBeGreaterThan(950);
  }, 30_000);

  it('acquire refuses, taking nothing, when the wait would exceed its bound', async () => {
    const key = bucket();
    const rate = perSecond(2);
    await a.take(key, rate);
    await a.take(key, rate);
    const refused = await b.acquire(key, rate, { maxWaitMs: 100 });
    expect(refused.allowed).toBe(false);
    expect(refused.waitMs).toBeGreaterThan(100);
    // Nothing was reserved: a bounded wait long enough still gets the next token, not the one after.
    const t0 = Date.now();
    expect((await a.acquire(key, rate, { maxWaitMs: 1000 })).allowed).toBe(true);
    expect(Date.now() - t0).toBeLessThan(900);
  });

  it('refuses nonsense rates and reports an unreachable Redis as unavailable', async () => {
    await expect(a.take(bucket(), { capacity: 0, refillMs: 1000 })).rejects.toThrow(RangeError);
    await expect(a.take(bucket(), perSecond(1), 2)).rejects.toThrow(RangeError);
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    await expect(new TokenBucketLimiter(down, prefix).take(bucket(), perSecond(1))).rejects.toThrow(TokenBucketUnavailableError);
    down.disconnect();
  });
});
