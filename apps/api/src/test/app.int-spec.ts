import { isId } from '@kirim/platform';
import { createOrgSession, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { AppModule } from '../app/app.module';

/** The api app as main.ts composes it: public routes, the key guard everywhere else, the policies. */
describe('api app', () => {
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    env = await createTestEnv({ RATE_LIMIT_READ_PER_MIN: '50' });
    t = await createTestApp(AppModule.forRoot(env.config));
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  it('GET /v1/health needs no key and checks PostgreSQL and Redis', async () => {
    const res = await t.http.get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(isId('req', res.headers['x-request-id'])).toBe(true);
  });

  it('GET /metrics is not on the public port without METRICS_TOKEN (spec 09; see edge.int-spec for the token)', async () => {
    const res = await t.http.get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('resource_not_found');
  });

  it('every other /v1 route needs a key: 401 invalid_api_key in the envelope', async () => {
    for (const path of ['/v1/me', '/v1/customers', '/v1/events', '/v1/api_keys', '/v1/users']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
      expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
    }
  });

  it('an authenticated call gets its data, the request id and the rate-limit headers', async () => {
    const session = await createOrgSession(t.app);
    const res = await t.http.get('/v1/me').set(session.auth);
    expect(res.status).toBe(200);
    expect(res.body.data.organization.id).toBe(session.organizationId);
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
    expect(res.headers['x-ratelimit-limit']).toBe('50');
    expect(Number(res.headers['x-ratelimit-remaining'])).toBeLessThan(50);
    expect(Number(res.headers['x-ratelimit-reset'])).toBeGreaterThan(Date.now() / 1000 - 1);
  });
});
