import { Controller, Delete, Get, Module, Patch, Post, UseGuards } from '@nestjs/common';
import { PlatformHttpModule, PlatformModule, Public } from '@kirim/platform';
import { createTestApp, createTestEnv, FakePrincipalGuard, type TestApp, type TestEnv } from '@kirim/testing';
import { randomBytes } from 'node:crypto';

@Controller('v1/pings')
@UseGuards(FakePrincipalGuard)
class PingsController {
  @Get() list() {
    return { object: 'ping' };
  }
  @Post() create() {
    return { object: 'ping' };
  }
  @Patch() update() {
    return { object: 'ping' };
  }
  @Delete() remove() {
    return { object: 'ping' };
  }
  @Get('public') @Public() open() {
    return { object: 'ping' };
  }
}

@Module({ controllers: [PingsController] })
class PingsModule {}

const rootOf = (config: TestEnv['config']) => ({
  module: class Root {},
  imports: [PlatformModule.forRoot(config), PlatformHttpModule, PingsModule],
});

describe('Rate limits: per-organization read and write token buckets in Redis', () => {
  let env: TestEnv;
  let a: TestApp;
  let b: TestApp;
  const org = () => `org_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    env = await createTestEnv();
    [a, b] = await Promise.all([createTestApp(rootOf(env.config)), createTestApp(rootOf(env.config))]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
    await env.close();
  });

  const call = (t: TestApp, method: 'get' | 'post' | 'patch' | 'delete', orgId: string, limits: { write?: number; read?: number } = {}) =>
    t.http[method]('/v1/pings')
      .set('x-test-org', orgId)
      .set('x-test-write', String(limits.write ?? 600))
      .set('x-test-read', String(limits.read ?? 6000));

  it('every authenticated response carries X-RateLimit-Limit, -Remaining and -Reset', async () => {
    const o = org();
    const before = Math.floor(Date.now() / 1000);
    const res = await call(a, 'get', o, { read: 60 });
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('60');
    expect(res.headers['x-ratelimit-remaining']).toBe('59');
    const reset = Number(res.headers['x-ratelimit-reset']);
    // One token (1 s at 60/min) is missing: full again about a second from now.
    expect(reset).toBeGreaterThanOrEqual(before + 1);
    expect(reset).toBeLessThanOrEqual(before + 3);
    const next = await call(a, 'get', o, { read: 60 });
    expect(next.headers['x-ratelimit-remaining']).toBe('58');
  });

  it('the N+1st write in a minute → 429 rate_limit_exceeded with Retry-After, across write methods', async () => {
    const o = org();
    const statuses = [];
    for (const method of ['post', 'patch', 'delete'] as const) {
      const res = await call(a, method, o, { write: 3 });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([201, 200, 200]);
    const refused = await call(a, 'post', o, { write: 3 });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      request_id: refused.headers['x-request-id'],
    });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20); // 3/min: one token every 20 s
    expect(refused.headers['x-ratelimit-limit']).toBe('3');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
  });

  it('reads and writes are separate buckets', async () => {
    const o = org();
    await call(a, 'post', o, { write: 1, read: 2 });
    expect((await call(a, 'post', o, { write: 1, read: 2 })).status).toBe(429);
    const reads = [await call(a, 'get', o, { write: 1, read: 2 }), await call(a, 'get', o, { write: 1, read: 2 })];
    expect(reads.map((r) => r.status)).toEqual([200, 200]);
    expect((await call(a, 'get', o, { write: 1, read: 2 })).status).toBe(429);
  });

  it('organizations have their own buckets', async () => {
    const [o1, o2] = [org(), org()];
    await call(a, 'post', o1, { write: 1 });
    expect((await call(a, 'post', o1, { write: 1 })).status).toBe(429);
    expect((await call(a, 'post', o2, { write: 1 })).status).toBe(201);
  });

  it('the buckets are shared by every process (two app instances, one Redis)', async () => {
    const o = org();
    expect((await call(a, 'post', o, { write: 3 })).status).toBe(201);
    expect((await call(b, 'post', o, { write: 3 })).status).toBe(201);
    const third = await call(a, 'post', o, { write: 3 });
    expect(third.headers['x-ratelimit-remaining']).toBe('0');
    expect((await call(b, 'post', o, { write: 3 })).status).toBe(429);
  });

  it('refills continuously at limit/60 per second', async () => {
    const o = org();
    await call(a, 'get', o, { read: 600 }); // 10 tokens per second
    for (let i = 0; i < 5; i++) await call(a, 'get', o, { read: 600 });
    const drained = Number((await call(a, 'get', o, { read: 600 })).headers['x-ratelimit-remaining']);
    await new Promise((r) => setTimeout(r, 350));
    const refilled = Number((await call(a, 'get', o, { read: 600 })).headers['x-ratelimit-remaining']);
    expect(refilled).toBeGreaterThanOrEqual(Math.min(599, drained + 2)); // ≥ 3 tokens back, minus this take
  });

  it('requests without a principal are not limited and carry no rate-limit headers', async () => {
    const res = await a.http.get('/v1/pings/public');
    expect(res.status).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
  });

  it('Redis down → 503 service_unavailable, promptly', async () => {
    const down = await createTestApp(rootOf(env.configWith({ REDIS_URL: 'redis://127.0.0.1:1' })));
    try {
      const started = Date.now();
      const res = await call(down, 'get', org());
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('service_unavailable');
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await down.close();
    }
  });
});
