import { APP_ID, APP_SECRET, APP_TOKEN, expectGraphError, Sandbox, V } from '../../test/harness';

describe('GET /oauth/access_token (code exchange)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const exchange = (query: Record<string, string>) => sandbox.http.get(`${V}/oauth/access_token`).query(query);

  it('exchanges a fresh code for a bearer business token', async () => {
    const f = await sandbox.fixture();
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code: await sandbox.code(f) }).expect(200);
    expect(res.body).toEqual({ access_token: expect.stringMatching(/^EAA[\w-]{100,}$/), token_type: 'bearer' });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('accepts a code until 30 seconds have passed, and not from then on', async () => {
    const f = await sandbox.fixture();
    const early = await sandbox.code(f);
    const late = await sandbox.code(f);
    sandbox.clock.advance(29_999);
    await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code: early }).expect(200);
    sandbox.clock.advance(1);
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code: late });
    const error = expectGraphError(res, 100, 400, 36007);
    expect(error.message).toBe('(#100) This authorization code has expired.');
    expect(res.headers['www-authenticate']).toContain('invalid_code');
  });

  it('accepts a code once', async () => {
    const f = await sandbox.fixture();
    const code = await sandbox.code(f);
    await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code }).expect(200);
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code });
    expect(expectGraphError(res, 100, 400, 36009).message).toBe('(#100) This authorization code has been used.');
  });

  it('refuses a code it never issued', async () => {
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code: 'AQnot-a-code' });
    expect(expectGraphError(res, 100, 400).message).toBe('(#100) Invalid verification code format.');
  });

  it('refuses a wrong app secret (and does not spend the code)', async () => {
    const f = await sandbox.fixture();
    const code = await sandbox.code(f);
    const res = await exchange({ client_id: APP_ID, client_secret: 'wrong-secret', code });
    expect(expectGraphError(res, 1, 400).message).toBe('(#1) Error validating client secret.');
    await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code }).expect(200);
  });

  it('refuses a wrong or missing client id, and a missing secret or code', async () => {
    expectGraphError(await exchange({ client_id: '999', client_secret: APP_SECRET, code: 'x' }), 101, 400);
    expectGraphError(await exchange({ client_secret: APP_SECRET, code: 'x' }), 101, 400);
    expectGraphError(await exchange({ client_id: APP_ID, code: 'x' }), 1, 400);
    expectGraphError(await exchange({ client_id: APP_ID, client_secret: APP_SECRET }), 100, 400);
  });

  it('works without the version segment', async () => {
    const f = await sandbox.fixture();
    const res = await sandbox.http
      .get('/oauth/access_token')
      .query({ client_id: APP_ID, client_secret: APP_SECRET, code: await sandbox.code(f) });
    expect(res.status).toBe(200);
    expect(res.headers['facebook-api-version']).toBe('v25.0');
  });

  it('gives the app token for grant_type=client_credentials', async () => {
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, grant_type: 'client_credentials' }).expect(200);
    expect(res.body).toEqual({ access_token: APP_TOKEN, token_type: 'bearer' });
  });

  it('gives expires_in when the code was minted for an expiring token', async () => {
    const f = await sandbox.fixture();
    const minted = await sandbox.http
      .post('/_sandbox/codes')
      .send({ waba_id: f.waba.id, phone_number_id: f.phone_number.id, token_expires_in_seconds: 3600 })
      .expect(201);
    const res = await exchange({ client_id: APP_ID, client_secret: APP_SECRET, code: minted.body.code }).expect(200);
    expect(res.body.expires_in).toBe(3600);
  });
});

describe('GET /debug_token', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const debug = (input: string, accessToken: string | undefined = APP_TOKEN) =>
    sandbox.http.get(`${V}/debug_token`).query({ input_token: input, ...(accessToken !== undefined && { access_token: accessToken }) });

  it('describes a business token with granular scopes listing its WABAs', async () => {
    const f = await sandbox.onboarded();
    const res = await debug(f.token).expect(200);
    expect(res.body).toEqual({
      data: {
        app_id: APP_ID,
        type: 'USER',
        application: expect.any(String),
        data_access_expires_at: 0,
        expires_at: 0,
        is_valid: true,
        issued_at: Math.floor(sandbox.clock.now() / 1000),
        scopes: ['whatsapp_business_management', 'whatsapp_business_messaging', 'public_profile'],
        granular_scopes: [
          { scope: 'whatsapp_business_management', target_ids: [f.waba.id] },
          { scope: 'whatsapp_business_messaging', target_ids: [f.waba.id] },
        ],
        user_id: expect.stringMatching(/^\d{15}$/),
      },
    });
  });

  it('lists newest WABAs first for a token covering several', async () => {
    const a = await sandbox.fixture();
    const b = await sandbox.fixture({ business_id: a.business.id });
    const minted = await sandbox.http
      .post('/_sandbox/tokens')
      .send({ waba_ids: [a.waba.id, b.waba.id] })
      .expect(201);
    const res = await debug(minted.body.access_token).expect(200);
    expect(res.body.data.granular_scopes[0]).toEqual({ scope: 'whatsapp_business_management', target_ids: [b.waba.id, a.waba.id] });
  });

  it('answers 200 with is_valid false for an unknown, revoked or expired input token', async () => {
    const unknown = await debug('EAAnot-a-token').expect(200);
    expect(unknown.body.data).toEqual({ error: { code: 190, message: expect.any(String) }, is_valid: false, scopes: [] });

    const revoked = await sandbox.onboarded();
    await sandbox.http.post('/_sandbox/tokens/revoke').send({ access_token: revoked.token }).expect(200);
    const r = await debug(revoked.token).expect(200);
    expect(r.body.data).toMatchObject({ is_valid: false, app_id: APP_ID, error: { code: 190, subcode: 458 } });

    const minted = await sandbox.http
      .post('/_sandbox/tokens')
      .send({ waba_ids: [revoked.waba.id], expires_in_seconds: 60 })
      .expect(201);
    sandbox.clock.advance(60_000);
    const e = await debug(minted.body.access_token).expect(200);
    expect(e.body.data).toMatchObject({
      is_valid: false,
      error: { code: 190, subcode: 463 },
      expires_at: Math.floor(sandbox.clock.now() / 1000),
    });
  });

  it('describes the app token itself', async () => {
    const res = await debug(APP_TOKEN).expect(200);
    expect(res.body.data).toMatchObject({ app_id: APP_ID, type: 'APP', is_valid: true });
  });

  it('needs an access token, a valid app token and input_token', async () => {
    const f = await sandbox.onboarded();
    const missing = await sandbox.http.get(`${V}/debug_token`).query({ input_token: f.token });
    expectGraphError(missing, 190, 401);
    expectGraphError(await debug(f.token, `${APP_ID}|wrong`), 190, 401);
    expectGraphError(await sandbox.http.get(`${V}/debug_token`).query({ access_token: APP_TOKEN }), 100, 400);
  });

  it('may be called with the business token itself', async () => {
    const f = await sandbox.onboarded();
    const res = await debug(f.token, f.token).expect(200);
    expect(res.body.data.is_valid).toBe(true);
  });
});
