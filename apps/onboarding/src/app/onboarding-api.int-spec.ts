import { PrismaService } from '@kirim/platform';
import { CustomersService, SetupLinksService } from '@kirim/tenancy';
import { createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import type { Response } from 'supertest';
import { OnboardingModule } from './onboarding.module';

/** The onboarding buckets: 30 per 60 s, refilled continuously (one token every 2 s). */
const LIMIT = 30;
const REFILL_MS = 2000;

/**
 * Sends requests until one is refused with 429 (at most 80), and checks the bucket's arithmetic without
 * depending on the machine's speed: the first 30 pass, and no more pass than 30 plus what refilled meanwhile.
 */
async function expectRefusedAfterLimit(send: (i: number) => Promise<Response>): Promise<Response> {
  const started = Date.now();
  for (let i = 0; i < 80; i++) {
    const res = await send(i);
    if (res.status === 429) {
      expect(i).toBeGreaterThanOrEqual(LIMIT);
      expect(i).toBeLessThanOrEqual(LIMIT + Math.ceil((Date.now() - started) / REFILL_MS));
      expect(res.body).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      return res;
    }
    expect(res.status).not.toBe(429);
  }
  throw new Error('never refused');
}

/** The public onboarding endpoints over HTTP (in-process app, real PostgreSQL and Redis). */
describe('onboarding API', () => {
  let env: TestEnv;
  let t: TestApp;
  let s: OrgSession;
  let customers: CustomersService;
  let links: SetupLinksService;
  let prisma: PrismaService;

  beforeAll(async () => {
    env = await createTestEnv({
      META_APP_ID: 'app-123',
      META_CONFIG_ID: 'cfg-456',
      META_GRAPH_VERSION: 'v25.0',
      META_SDK_URL: 'http://localhost:59999/sdk.js',
      META_SIGNUP_ORIGIN: 'localhost:59999',
      META_GRAPH_URL: 'http://localhost:59999',
      // Requests name their client IP in X-Forwarded-For (from the loopback "proxy"), so the per-IP
      // bucket of one test never spends another's.
      TRUST_PROXY: 'loopback',
    });
    t = await createTestApp(OnboardingModule.forRoot(env.config));
    customers = t.app.get(CustomersService);
    links = t.app.get(SetupLinksService);
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app, { name: 'Platform <Inc> & Co' });
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const scope = () => ({ organizationId: s.organizationId, customerId: null });
  let ipSeq = 0;
  /** A POST from a client IP of its own (a later `.set('x-forwarded-for', …)` overrides it). */
  const post = (path: string) => t.http.post(path).set('x-forwarded-for', `10.99.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`);
  const newLink = async (input: Parameters<SetupLinksService['create']>[2] = {}, name = 'Client "Co"') => {
    const customer = await customers.create(scope(), { name });
    const link = await links.create(scope(), customer.id, input);
    return { customer, link, token: link.setup_url.split('/onboard/')[1] ?? '' };
  };
  const expire = (linkId: string) =>
    prisma.customerSetupLink.update({ where: { id: linkId }, data: { expiresAt: new Date(Date.now() - 1000) } });

  describe('POST /onboard/api/resolve', () => {
    it('answers the spec shape as plain JSON (no envelope) with a nonce and the Meta parameters', async () => {
      const { token } = await newLink();
      const res = await post('/onboard/api/resolve').send({ token }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body as object).sort()).toEqual(['customer', 'expires_at', 'meta', 'nonce', 'organization']);
      expect(res.body).toEqual({
        customer: { name: 'Client "Co"' },
        organization: { name: 'Platform <Inc> & Co' },
        nonce: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/),
        expires_at: expect.any(String),
        meta: { app_id: 'app-123', config_id: 'cfg-456', graph_api_version: 'v25.0', sdk_url: 'http://localhost:59999/sdk.js' },
      });
      const ttl = Date.parse((res.body as { expires_at: string }).expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(29 * 60_000);
      expect(ttl).toBeLessThanOrEqual(30 * 60_000);
      // Each call issues a new nonce.
      const again = await post('/onboard/api/resolve').send({ token }).expect(200);
      expect((again.body as { nonce: string }).nonce).not.toBe((res.body as { nonce: string }).nonce);
    });

    it('410 link_invalid for an unknown or malformed token, without a redirect', async () => {
      for (const token of ['csl_AAAAAAAAAAAAAAAAAAAAAAAA', 'nope', 'csl_' + 'x'.repeat(30)]) {
        const res = await post('/onboard/api/resolve').send({ token }).expect(410);
        expect(res.body).toEqual({ error_code: 'link_invalid' });
      }
    });

    it('410 link_expired / link_revoked / link_consumed, with the failure redirect and its parameters when the link has one', async () => {
      const expired = await newLink({ failureRedirectUrl: 'https://platform.example/ko?x=1' });
      await expire(expired.link.id);
      const res = await post('/onboard/api/resolve').send({ token: expired.token }).expect(410);
      expect((res.body as { error_code: string }).error_code).toBe('link_expired');
      const url = new URL((res.body as { failure_redirect_url: string }).failure_redirect_url);
      expect(url.origin + url.pathname).toBe('https://platform.example/ko');
      expect(Object.fromEntries(url.searchParams)).toEqual({
        x: '1',
        status: 'failure',
        error_code: 'link_expired',
        customer_id: expired.customer.id,
        setup_link_id: expired.link.id,
      });

      const revoked = await newLink();
      await links.revoke(scope(), revoked.customer.id, revoked.link.id);
      const r2 = await post('/onboard/api/resolve').send({ token: revoked.token }).expect(410);
      expect(r2.body).toEqual({ error_code: 'link_revoked' });

      await prisma.customerSetupLink.update({
        where: { id: revoked.link.id },
        data: { status: 'consumed', consumedAt: new Date(), revokedAt: null },
      });
      const r3 = await post('/onboard/api/resolve').send({ token: revoked.token }).expect(410);
      expect(r3.body).toEqual({ error_code: 'link_consumed' });
    });

    it('validates the body: missing token, wrong type, unknown field (error envelope)', async () => {
      const missing = await post('/onboard/api/resolve').send({}).expect(400);
      expect(missing.body).toMatchObject({ error: { code: 'missing_required_field', param: 'token' } });
      const wrong = await post('/onboard/api/resolve').send({ token: 42 }).expect(400);
      expect(wrong.body).toMatchObject({ error: { code: 'invalid_field_value', param: 'token' } });
      const unknown = await post('/onboard/api/resolve').send({ token: 'csl_x', extra: 1 }).expect(400);
      expect(unknown.body).toMatchObject({ error: { code: 'unknown_field', param: 'extra' } });
      await post('/onboard/api/resolve').set('content-type', 'text/plain').send('token').expect(415);
    });

    it('rate limit: the 31st call within a minute for one token prefix → 429 with Retry-After', async () => {
      // Unknown tokens (fast 410s) sharing a 12-character prefix; each request from its own "client IP".
      const prefix = 'csl_RATE' + Math.random().toString(36).slice(2, 6).padEnd(4, 'z');
      const token = (i: number) => `${prefix}${String(i).padStart(16, '0')}`;
      await expectRefusedAfterLimit((i) =>
        post('/onboard/api/resolve')
          .set('x-forwarded-for', `10.1.${Math.floor(i / 200)}.${i % 200}`)
          .send({ token: token(i) }),
      );
      // Another prefix from another IP is not affected.
      await post('/onboard/api/resolve')
        .set('x-forwarded-for', '10.1.2.1')
        .send({ token: 'csl_OTHER' + 'y'.repeat(19) })
        .expect(410);
    });

    it('rate limit: the 31st call within a minute from one client IP → 429, whatever the token', async () => {
      const ip = `10.2.${Math.floor(Math.random() * 200)}.7`;
      await expectRefusedAfterLimit((i) => {
        const token = `csl_IP${String(i).padStart(6, '0')}${'q'.repeat(16)}`;
        return post('/onboard/api/resolve').set('x-forwarded-for', ip).send({ token });
      });
    });
  });

  describe('GET /onboard/:token', () => {
    it('renders the page with both names escaped, the security headers, and the token only in the data block', async () => {
      const { token } = await newLink({}, '<script>alert(1)</script>');
      const res = await t.http.get(`/onboard/${token}`).expect(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
      const csp = res.headers['content-security-policy'] as string;
      expect(csp).toContain("script-src 'self' http://localhost:59999");
      expect(csp).toContain("frame-ancestors 'none'");
      const html = res.text;
      expect(html).toContain('<html lang="en">');
      expect(html).toContain('Platform &lt;Inc&gt; &amp; Co');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>alert(1)');
      expect(html).toContain('aria-live="polite"');
      expect(html).toContain('>Connect WhatsApp</button>');
      // The token occurs exactly once: in the JSON data block.
      expect(html.split(token).length - 1).toBe(1);
      const data = /<script type="application\/json" id="onboarding-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
      expect(JSON.parse(data)).toEqual({ token, signup_origin: 'localhost:59999' });
    });

    it('410 page for an unknown or expired link (never echoing the token)', async () => {
      const unknown = 'csl_BBBBBBBBBBBBBBBBBBBBBBBB';
      const res = await t.http.get(`/onboard/${unknown}`).expect(410);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toContain('This link is not valid');
      expect(res.text).not.toContain(unknown);

      const { link, token } = await newLink({ failureRedirectUrl: 'https://platform.example/ko' });
      await expire(link.id);
      const expired = await t.http.get(`/onboard/${token}`).expect(410);
      expect(expired.text).toContain('This link has expired');
      expect(expired.text).toContain('data-reason="link_expired"');
      expect(expired.text).toContain('https://platform.example/ko?status=failure&amp;error_code=link_expired');
      expect(expired.text).not.toContain(token);
    });

    it('serves the page script and stylesheet', async () => {
      const js = await t.http.get('/onboard/static/onboarding.js').expect(200);
      expect(js.headers['content-type']).toMatch(/^text\/javascript/);
      expect(js.text).toContain("'WA_EMBEDDED_SIGNUP'");
      const css = await t.http.get('/onboard/static/onboarding.css').expect(200);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
    });
  });

  describe('POST /onboard/api/complete and /fail: nonce rules', () => {
    const resolveNonce = async (token: string) =>
      ((await post('/onboard/api/resolve').send({ token }).expect(200)).body as { nonce: string }).nonce;

    it('fail(cancelled) spends the nonce, answers the failure redirect and leaves the link active; the nonce is single use', async () => {
      const { customer, link, token } = await newLink({ failureRedirectUrl: 'http://localhost:4999/ko' });
      const nonce = await resolveNonce(token);
      const res = await post('/onboard/api/fail')
        .send({ token, nonce, reason: 'cancelled', current_step: 'PHONE_NUMBER_SETUP' })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'failure',
        error_code: 'signup_cancelled',
        customer_id: customer.id,
        setup_link_id: link.id,
      });
      const url = new URL((res.body as { redirect_url: string }).redirect_url);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        status: 'failure',
        error_code: 'signup_cancelled',
        customer_id: customer.id,
        setup_link_id: link.id,
      });
      // The same nonce again: refused.
      const again = await post('/onboard/api/fail').send({ token, nonce, reason: 'cancelled' }).expect(200);
      expect(again.body).toMatchObject({ status: 'failure', error_code: 'link_invalid' });
      // The link is still usable: a fresh nonce, and fail(error) → signup_error.
      const fresh = await resolveNonce(token);
      const err = await post('/onboard/api/fail')
        .send({ token, nonce: fresh, reason: 'error', error_code: '524126', error_message: 'name violates guidelines' })
        .expect(200);
      expect(err.body).toMatchObject({ status: 'failure', error_code: 'signup_error' });
    });

    it('complete/fail with an unknown or spent nonce, or another link’s: answered exactly like an unknown token, the link stays active', async () => {
      const a = await newLink({ failureRedirectUrl: 'https://platform.example/ko' });
      const b = await newLink();
      const body = { code: 'c0de', waba_id: '100', phone_number_id: '200' };
      const unknownToken = await post('/onboard/api/complete')
        .send({ token: `csl_${'Z'.repeat(24)}`, nonce: 'not-a-nonce', ...body })
        .expect(200);
      expect(unknownToken.body).toMatchObject({ error_code: 'link_invalid', customer_id: null, setup_link_id: null, redirect_url: null });
      const unknownTokenFail = await post('/onboard/api/fail')
        .send({ token: `csl_${'Z'.repeat(24)}`, nonce: 'n', reason: 'error' })
        .expect(200);
      const spent = await resolveNonce(a.token);
      await post('/onboard/api/fail').send({ token: a.token, nonce: spent, reason: 'cancelled' }).expect(200);
      for (const nonce of ['not-a-nonce', spent, await resolveNonce(b.token)]) {
        const complete = await post('/onboard/api/complete')
          .send({ token: a.token, nonce, ...body })
          .expect(200);
        expect(complete.body).toEqual(unknownToken.body);
        const fail = await post('/onboard/api/fail').send({ token: a.token, nonce, reason: 'error' }).expect(200);
        expect(fail.body).toEqual(unknownTokenFail.body);
        for (const res of [complete, fail]) {
          expect(JSON.stringify(res.body)).not.toContain(a.link.id);
          expect(JSON.stringify(res.body)).not.toContain(a.customer.id);
          expect(JSON.stringify(res.body)).not.toContain('platform.example');
        }
      }
      await post('/onboard/api/resolve').send({ token: a.token }).expect(200);
    });

    it('complete and fail share resolve’s budget per token prefix: the 31st call of the three → 429', async () => {
      const { token } = await newLink();
      await expectRefusedAfterLimit((i) => {
        const path = ['/onboard/api/resolve', '/onboard/api/complete', '/onboard/api/fail'][i % 3] ?? '';
        const body =
          i % 3 === 0
            ? { token }
            : i % 3 === 1
              ? { token, nonce: 'n', code: 'c', waba_id: '1', phone_number_id: '2' }
              : { token, nonce: 'n', reason: 'error' };
        return post(path).send(body);
      });
      // The bucket is empty now, for every one of the three.
      for (const [path, body] of [
        ['/onboard/api/complete', { token, nonce: 'n', code: 'c', waba_id: '1', phone_number_id: '2' }],
        ['/onboard/api/fail', { token, nonce: 'n', reason: 'cancelled' }],
      ] as const) {
        const refused = await post(path).send(body).expect(429);
        expect(refused.body).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
        expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      }
    });

    it('complete and fail: the 31st call within a minute from one client IP → 429, whatever the token', async () => {
      const ip = `10.3.${Math.floor(Math.random() * 200)}.9`;
      await expectRefusedAfterLimit((i) => {
        const token = `csl_CF${String(i).padStart(6, '0')}${'w'.repeat(16)}`;
        const path = i % 2 ? '/onboard/api/fail' : '/onboard/api/complete';
        const body = i % 2 ? { token, nonce: 'n', reason: 'error' } : { token, nonce: 'n', code: 'c', waba_id: '1', phone_number_id: '2' };
        return post(path).set('x-forwarded-for', ip).send(body);
      });
    });

    it('complete/fail on an expired link → its error code (no Meta call)', async () => {
      const { link, token } = await newLink();
      const nonce = await resolveNonce(token);
      await expire(link.id);
      const res = await post('/onboard/api/complete').send({ token, nonce, code: 'c', waba_id: '1', phone_number_id: '2' }).expect(200);
      expect(res.body).toMatchObject({ status: 'failure', error_code: 'link_expired', setup_link_id: link.id });
    });
  });

  describe('POST /onboard/api/complete and /fail: validation', () => {
    it('requires token, nonce, code, waba_id, phone_number_id; refuses unknown fields', async () => {
      const base = { token: 'csl_x', nonce: 'n', code: 'c', waba_id: '1', phone_number_id: '2' };
      for (const param of ['token', 'nonce', 'code', 'waba_id', 'phone_number_id'] as const) {
        const { [param]: _omit, ...body } = base;
        const res = await post('/onboard/api/complete').send(body).expect(400);
        expect(res.body).toMatchObject({ error: { code: 'missing_required_field', param } });
      }
      const unknown = await post('/onboard/api/complete')
        .send({ ...base, access_token: 'x' })
        .expect(400);
      expect(unknown.body).toMatchObject({ error: { code: 'unknown_field', param: 'access_token' } });
      const wrong = await post('/onboard/api/complete')
        .send({ ...base, business_id: 7 })
        .expect(400);
      expect(wrong.body).toMatchObject({ error: { code: 'invalid_field_value', param: 'business_id' } });
    });

    it('fail: reason must be cancelled or error', async () => {
      const res = await post('/onboard/api/fail').send({ token: 'csl_x', nonce: 'n', reason: 'bored' }).expect(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_field_value', param: 'reason' } });
      const missing = await post('/onboard/api/fail').send({ token: 'csl_x', nonce: 'n' }).expect(400);
      expect(missing.body).toMatchObject({ error: { code: 'missing_required_field', param: 'reason' } });
    });
  });
});
