import { createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { AppModule } from '../app/app.module';

/** A dependency outage is answered with 503 service_unavailable (retry later), never a 500 or a hang. */
describe('api with PostgreSQL unreachable', () => {
  let env: TestEnv;
  let t: TestApp;

  beforeAll(async () => {
    env = await createTestEnv();
    // Nothing listens on port 1: every query fails to connect.
    t = await createTestApp(AppModule.forRoot(env.configWith({ DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/kirim' })));
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  it('an authenticated request → 503 service_unavailable with Retry-After', async () => {
    const res = await t.http.get('/v1/customers').set('Authorization', 'Bearer kir_live_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ type: 'api_error', code: 'service_unavailable' });
    expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
    expect(res.headers['retry-after']).toBeDefined();
    expect(JSON.stringify(res.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/);
  });

  it('GET /v1/health → 503', async () => {
    const res = await t.http.get('/v1/health');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('service_unavailable');
  });
});
