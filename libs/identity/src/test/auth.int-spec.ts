import { HealthController, PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { ApiKeysService } from '../application/api-keys.service';
import { IdentityHttpModule } from '../identity-http.module';
import { ApiKeysRepository } from '../infrastructure/api-keys.repository';
import type { Response } from 'supertest';

const root = (env: TestEnv) => ({
  module: class Root {},
  imports: [PlatformModule.forRoot(env.config), IdentityHttpModule, contextPorts()],
  controllers: [HealthController],
});

type Res = Pick<Response, 'status' | 'body' | 'headers'>;

function expect401(res: Res, code: 'invalid_api_key' | 'expired_api_key') {
  expect(res.status).toBe(401);
  expect(res.body.error).toEqual({
    type: 'authentication_error',
    code,
    message: expect.any(String),
    request_id: res.headers['x-request-id'],
  });
  expect(res.body.error.request_id).toMatch(/^req_/);
}

describe('API-key authentication', () => {
  let env: TestEnv;
  let a: TestApp;

  beforeAll(async () => {
    env = await createTestEnv();
    a = await createTestApp(root(env));
  });
  afterAll(async () => {
    await a.close();
    await env.close();
  });

  it('a @Public() route needs no key', async () => {
    const res = await a.http.get('/v1/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('a valid key in the Authorization header is accepted', async () => {
    const s = await createOrgSession(a.app);
    expect((await a.http.get('/v1/me').set(s.auth)).status).toBe(200);
    expect((await a.http.get('/v1/me').set('Authorization', `bearer ${s.apiKey}`)).status).toBe(200);
  });

  it('missing header → 401 invalid_api_key', async () => {
    expect401(await a.http.get('/v1/me'), 'invalid_api_key');
  });

  it('another scheme (Basic) → 401 invalid_api_key', async () => {
    const s = await createOrgSession(a.app);
    expect401(
      await a.http.get('/v1/me').set('Authorization', `Basic ${Buffer.from(`${s.apiKey}:`).toString('base64')}`),
      'invalid_api_key',
    );
    expect401(await a.http.get('/v1/me').set('Authorization', s.apiKey), 'invalid_api_key');
  });

  it('a malformed bearer token → 401 invalid_api_key without a database look-up', async () => {
    const lookup = jest.spyOn(a.app.get(ApiKeysRepository), 'findForAuthentication');
    try {
      for (const token of ['nope', 'kir_live_short', `kir_test_${'a'.repeat(24)}`, `kir_live_${'a'.repeat(23)}+`]) {
        expect401(await a.http.get('/v1/me').set('Authorization', `Bearer ${token}`), 'invalid_api_key');
      }
      expect(lookup).not.toHaveBeenCalled();
    } finally {
      lookup.mockRestore();
    }
  });

  it('an unknown well-formed key → 401 invalid_api_key', async () => {
    expect401(await a.http.get('/v1/me').set('Authorization', `Bearer kir_live_${'A'.repeat(24)}`), 'invalid_api_key');
  });

  it('a key in the query string (or body) is not accepted', async () => {
    const s = await createOrgSession(a.app);
    expect401(await a.http.get(`/v1/me?api_key=${s.apiKey}`), 'invalid_api_key');
    expect401(await a.http.get(`/v1/me?access_token=${s.apiKey}`), 'invalid_api_key');
    expect401(await a.http.post('/v1/api_keys').send({ access_token: s.apiKey }), 'invalid_api_key');
    expect401(await a.http.get('/v1/me').set('Cookie', `api_key=${s.apiKey}`), 'invalid_api_key');
  });

  it('a revoked key → 401 invalid_api_key (at once in the revoking process)', async () => {
    const s = await createOrgSession(a.app);
    expect((await a.http.get('/v1/me').set(s.auth)).status).toBe(200); // cached now
    await a.app.get(ApiKeysService).revoke(s.organizationId, s.apiKeyId);
    expect401(await a.http.get('/v1/me').set(s.auth), 'invalid_api_key');
  });

  it('an expired key → 401 expired_api_key, also when its look-up was cached', async () => {
    const s = await createOrgSession(a.app);
    const prisma = a.app.get(PrismaService);
    await prisma.apiKey.update({ where: { id: s.apiKeyId }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    expect401(await a.http.get('/v1/me').set(s.auth), 'expired_api_key');

    const soon = await a.app.get(ApiKeysService).create(s.organizationId, { expiresAt: new Date(Date.now() + 1500) });
    expect((await a.http.get('/v1/me').set('Authorization', `Bearer ${soon.secret}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1600));
    expect401(await a.http.get('/v1/me').set('Authorization', `Bearer ${soon.secret}`), 'expired_api_key');
  });

  it('a revoked key that is also expired answers invalid_api_key', async () => {
    const s = await createOrgSession(a.app);
    await a.app
      .get(PrismaService)
      .apiKey.update({ where: { id: s.apiKeyId }, data: { expiresAt: new Date(Date.now() - 1000), revokedAt: new Date() } });
    expect401(await a.http.get('/v1/me').set(s.auth), 'invalid_api_key');
  });

  it('caches successful look-ups in-process', async () => {
    const s = await createOrgSession(a.app);
    const lookup = jest.spyOn(a.app.get(ApiKeysRepository), 'findForAuthentication');
    try {
      for (let i = 0; i < 3; i++) expect((await a.http.get('/v1/me').set(s.auth)).status).toBe(200);
      expect(lookup).toHaveBeenCalledTimes(1);
    } finally {
      lookup.mockRestore();
    }
  });

  it('rate limits come from the organization overrides, else the configured defaults', async () => {
    const plain = await createOrgSession(a.app);
    const custom = await createOrgSession(a.app);
    await a.app.get(PrismaService).organization.update({
      where: { id: custom.organizationId },
      data: { rateLimitWritePerMin: 7, rateLimitReadPerMin: 70 },
    });
    const principal = await a.app.get(ApiKeysService).authenticate(custom.apiKey);
    expect(principal).toEqual({
      organizationId: custom.organizationId,
      apiKeyId: custom.apiKeyId,
      customerId: null,
      rateLimits: { writePerMinute: 7, readPerMinute: 70 },
    });
    expect((await a.app.get(ApiKeysService).authenticate(plain.apiKey)).rateLimits).toEqual({
      writePerMinute: env.config.RATE_LIMIT_WRITE_PER_MIN,
      readPerMinute: env.config.RATE_LIMIT_READ_PER_MIN,
    });
  });

  it('a revocation made by another process is seen within 5 s', async () => {
    const b = await createTestApp(root(env));
    try {
      const s = await createOrgSession(a.app);
      expect((await b.http.get('/v1/me').set(s.auth)).status).toBe(200); // warms B's cache
      const revoked = await a.http.delete(`/v1/api_keys/${s.apiKeyId}`).set(s.auth);
      expect(revoked.status).toBe(200);
      const start = Date.now();
      let status = 200;
      while (status === 200 && Date.now() - start < 8000) {
        status = (await b.http.get('/v1/me').set(s.auth)).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 100));
      }
      const elapsed = Date.now() - start;
      expect(status).toBe(401);
      expect(elapsed).toBeLessThan(5000);
    } finally {
      await b.close();
    }
  });
});
