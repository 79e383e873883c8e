import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@kirim/platform';
import { type MetaSandbox, startMetaSandbox } from '@kirim/testing';
import { MetaApiError } from '../infrastructure/meta-api.error';
import { MetaGraphClient } from '../infrastructure/meta-graph.client';

/** The Graph client against the spawned Meta sandbox: shapes, the error envelope, timeouts, and what it logs. */
describe('MetaGraphClient (against the Meta sandbox)', () => {
  let sandbox: MetaSandbox;
  let client: MetaGraphClient;
  const appSecret = `secret-${randomBytes(6).toString('hex')}`;
  let logged: string[] = [];

  const clientFor = (graphUrl: string) =>
    new MetaGraphClient(
      loadConfig({
        DATABASE_URL: 'postgresql://unused@127.0.0.1/unused',
        ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        KEY_PEPPER: randomBytes(32).toString('base64'),
        META_GRAPH_URL: graphUrl,
        META_GRAPH_VERSION: 'v25.0',
        META_APP_ID: sandbox.appId,
        META_APP_SECRET: sandbox.appSecret,
      }),
    );

  beforeAll(async () => {
    sandbox = await startMetaSandbox({ META_APP_ID: 'kirim-test-app', META_APP_SECRET: appSecret });
    client = clientFor(sandbox.url);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    logged = [];
    for (const level of ['log', 'warn', 'error', 'debug', 'verbose'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        logged.push(JSON.stringify(args));
      });
    }
    await sandbox.clearFaults();
  });
  afterEach(() => jest.restoreAllMocks());

  const failure = async (promise: Promise<unknown>): Promise<MetaApiError> => {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(MetaApiError);
      return error as MetaApiError;
    }
    throw new Error('expected a MetaApiError');
  };

  it('exchanges a code, debugs the token, reads the number, subscribes and registers (versioned paths, bearer token)', async () => {
    const fixture = await sandbox.createSignupFixture({ display_phone_number: '+62 811 3000 0001', verified_name: 'Graph Co' });
    await sandbox.clearRequests();
    const { accessToken } = await client.exchangeCode(fixture.code ?? '');
    const debugged = await client.debugToken(accessToken);
    expect(debugged).toMatchObject({ isValid: true, managedWabaIds: [fixture.waba.id] });
    const phone = await client.getPhoneNumber(accessToken, fixture.phone_number.id);
    expect(phone).toMatchObject({
      id: fixture.phone_number.id,
      displayPhoneNumber: '+62 811 3000 0001',
      verifiedName: 'Graph Co',
      qualityRating: expect.any(String),
      throughputLevel: 'STANDARD',
    });
    await client.subscribeApp(accessToken, fixture.waba.id);
    await client.registerNumber(accessToken, fixture.phone_number.id, '123456');

    const requests = await sandbox.requests();
    expect(requests.map((r) => [r.method, r.endpoint, r.graph_version])).toEqual([
      ['GET', 'oauth/access_token', 'v25.0'],
      ['GET', 'debug_token', 'v25.0'],
      ['GET', 'phone_number', 'v25.0'],
      ['POST', 'subscribed_apps', 'v25.0'],
      ['POST', 'register', 'v25.0'],
    ]);
    expect(requests[2]?.headers['authorization']).toMatch(/^Bearer /);
    expect(requests[4]?.body).toEqual({ messaging_product: 'whatsapp', pin: '123456' });
    // Nothing secret in the logs: no token, app secret, code or PIN.
    const all = logged.join('\n');
    for (const secret of [accessToken, appSecret, fixture.code ?? '', '123456']) expect(all).not.toContain(secret);
  });

  it("maps Meta's error envelope to a typed error (unknown code → 100, not retryable) and logs only endpoint, code, fbtrace_id", async () => {
    const code = `not-a-code-${randomBytes(8).toString('hex')}`;
    const error = await failure(client.exchangeCode(code));
    expect(error).toMatchObject({
      endpoint: 'oauth/access_token',
      kind: 'graph',
      code: 100,
      httpStatus: 400,
      retryable: false,
      tokenInvalid: false,
      throttled: false,
    });
    expect(error.fbtraceId).toEqual(expect.any(String));
    expect(logged.length).toBeGreaterThan(0);
    const all = logged.join('\n');
    expect(all).toContain(error.fbtraceId ?? 'none');
    expect(all).not.toContain(code);
    expect(all).not.toContain(appSecret);
    expect(JSON.stringify(error.toLog())).not.toContain(code);
  });

  it.each([
    [130429, { throttled: true, retryable: true, tokenInvalid: false }],
    [80007, { throttled: true, retryable: true, tokenInvalid: false }],
    [2, { throttled: false, retryable: true, tokenInvalid: false }],
    [131031, { throttled: false, retryable: false, tokenInvalid: false }],
  ])('fault %i → flags %j', async (errorCode, flags) => {
    const fixture = await sandbox.createSignupFixture();
    const { accessToken } = await client.exchangeCode(fixture.code ?? '');
    await sandbox.setFault({ endpoint: 'phone_number', error_code: errorCode, error_subcode: 2494055, times: 1 });
    const error = await failure(client.getPhoneNumber(accessToken, fixture.phone_number.id));
    expect(error).toMatchObject({ code: errorCode, subcode: 2494055, kind: 'graph', ...flags });
    expect(error.httpStatus).toBeGreaterThanOrEqual(400);
    expect(logged.join('\n')).not.toContain(accessToken);
  });

  it('a revoked business token → 190, tokenInvalid, not retryable; debug_token reports it invalid', async () => {
    const fixture = await sandbox.createSignupFixture();
    const { accessToken } = await client.exchangeCode(fixture.code ?? '');
    await sandbox.control('POST', '/tokens/revoke', { access_token: accessToken });
    const error = await failure(client.subscribeApp(accessToken, fixture.waba.id));
    expect(error).toMatchObject({ code: 190, httpStatus: 401, tokenInvalid: true, retryable: false });
    expect((await client.debugToken(accessToken)).isValid).toBe(false);
    expect(logged.join('\n')).not.toContain(accessToken);
  });

  it('HTTP 5xx from Meta is retryable', async () => {
    const fixture = await sandbox.createSignupFixture();
    const { accessToken } = await client.exchangeCode(fixture.code ?? '');
    await sandbox.setFault({ endpoint: 'register', error_code: 131000, http_status: 500, times: 1 });
    const error = await failure(client.registerNumber(accessToken, fixture.phone_number.id, '654321'));
    expect(error).toMatchObject({ code: 131000, httpStatus: 500, retryable: true });
    expect(logged.join('\n')).not.toContain('654321');
  });

  it('times out (AbortSignal.timeout) → kind timeout, retryable', async () => {
    const fixture = await sandbox.createSignupFixture();
    await sandbox.setFault({ endpoint: 'oauth/access_token', latency_ms: 3000, times: 1 });
    const slow = clientFor(sandbox.url);
    slow.timeoutMs = 200;
    const started = Date.now();
    const error = await failure(slow.exchangeCode(fixture.code ?? ''));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(error).toMatchObject({ kind: 'timeout', endpoint: 'oauth/access_token', retryable: true, code: null });
    expect(logged.join('\n')).not.toContain(fixture.code ?? '-');
  });

  it('an unreachable Meta → kind network, retryable', async () => {
    const unreachable = clientFor('http://127.0.0.1:9');
    const error = await failure(unreachable.exchangeCode('whatever-code'));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(logged.join('\n')).not.toContain('whatever-code');
  });
});
