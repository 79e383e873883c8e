import { ApiKeysService } from '@kirim/identity';
import { createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import type { Response } from 'supertest';
import { AppModule } from '../app/app.module';
import { apiHttpOptions } from '../app/http-options';

/** Every answer of the api carries X-RateLimit-* (spec 01 § Rate limits), errors included. */
describe('rate-limit headers on every answer', () => {
  let env: TestEnv;
  let t: TestApp;
  let s: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv({ RATE_LIMIT_WRITE_PER_MIN: '40', RATE_LIMIT_READ_PER_MIN: '50', TRUST_PROXY: 'loopback' });
    t = await createTestApp(AppModule.forRoot(env.config), { http: apiHttpOptions(env.config) });
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const expectHeaders = (res: Response, limit: string) => {
    expect(res.headers['x-ratelimit-limit']).toBe(limit);
    expect(Number(res.headers['x-ratelimit-remaining'])).toBeGreaterThanOrEqual(0);
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
  };

  it('authenticated errors draw from the organization’s bucket: 400, 403-free 404, unknown route 404, 422', async () => {
    const cases: Array<[Promise<Response>, number, string]> = [
      [t.http.get('/v1/customers?limit=0').set(s.auth), 400, '50'],
      [t.http.get('/v1/customers/cus_01J00000000000000000000000').set(s.auth), 404, '50'],
      [t.http.get('/v1/no_such_route').set(s.auth), 404, '50'],
      [t.http.post('/v1/customers').set(s.auth).send({ name: 'x', extra: 1 }), 400, '40'],
      [t.http.post('/v1/customers').set(s.auth).send({}), 400, '40'],
    ];
    for (const [pending, status, limit] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expectHeaders(res, limit);
    }
  });

  it('body errors answered before routing (invalid_json 400, 415, 413) carry the organization’s write headers', async () => {
    const post = () => t.http.post('/v1/customers').set(s.auth);
    const cases: Array<[Promise<Response>, number, string]> = [
      [post().set('Content-Type', 'application/json').send('{"name":'), 400, 'invalid_json'],
      [post().set('Content-Type', 'text/plain').send('name=Acme'), 415, 'unsupported_media_type'],
      [
        post()
          .set('Content-Type', 'application/json')
          .send(`{"name":"${'x'.repeat(1024 * 1024)}"}`),
        413,
        'payload_too_large',
      ],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
      expectHeaders(res, '40');
    }
  });

  it('403 customer_scope_forbidden carries the headers of the organization', async () => {
    const customer = await t.http.post('/v1/customers').set(s.auth).send({ name: 'Acme' });
    const key = await t.app.get(ApiKeysService).create(s.organizationId, { customerId: customer.body.data.id as string });
    const res = await t.http.get('/v1/api_keys').set('Authorization', `Bearer ${key.secret}`);
    expect(res.status).toBe(403);
    expectHeaders(res, '50');
  });

  it('401 (no, malformed, unknown key) draws from a per-IP bucket that runs dry: 429 with Retry-After', async () => {
    const ip = `10.77.${Math.floor(Math.random() * 250)}.1`;
    const answers: Response[] = [];
    for (const auth of [undefined, 'Basic abc', 'Bearer nope', 'Bearer kir_live_AAAAAAAAAAAAAAAAAAAAAAAA']) {
      const req = t.http.get('/v1/customers').set('x-forwarded-for', ip);
      answers.push(await (auth === undefined ? req : req.set('Authorization', auth)));
    }
    for (const res of answers) {
      expect(res.status).toBe(401);
      expectHeaders(res, '120');
    }
    const remaining = answers.map((r) => Number(r.headers['x-ratelimit-remaining']));
    expect(remaining[0]).toBeLessThan(120);
    // Each drew a token (the bucket refills 2 per second, so compare across all four, not neighbours).
    expect(remaining[remaining.length - 1]).toBeLessThan(remaining[0] ?? 0);
    // Guessing keys from that IP: the bucket runs dry (it refills 2 per second meanwhile).
    let refused: Response | undefined;
    for (let i = 0; i < 200 && refused?.status !== 429; i++) {
      refused = await t.http.get('/v1/me').set('x-forwarded-for', ip).set('Authorization', 'Bearer kir_live_BBBBBBBBBBBBBBBBBBBBBBBB');
      if (refused.status !== 429) expect(refused.status).toBe(401);
    }
    if (!refused) throw new Error('no answer');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limit_exceeded');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expectHeaders(refused, '120');
    // A valid key from that IP is not affected.
    expect((await t.http.get('/v1/me').set('x-forwarded-for', ip).set(s.auth)).status).toBe(200);
  });

  it('public routes answer with the headers too', async () => {
    const res = await t.http.get('/v1/health');
    expect(res.status).toBe(200);
    expectHeaders(res, '120');
  });
});
