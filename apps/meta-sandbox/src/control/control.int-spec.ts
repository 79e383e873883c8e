import { APP_ID, APP_SECRET, Sandbox, V } from '../test/harness';

describe('control API (/_sandbox)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('creates businesses, WABAs and numbers one by one', async () => {
    const business = await sandbox.http.post('/_sandbox/businesses').send({ name: 'Acme' }).expect(201);
    expect(business.body).toEqual({
      id: expect.stringMatching(/^[1-9]\d{14}$/),
      name: 'Acme',
      admin_user_id: expect.any(String),
      created_at: expect.any(String),
    });
    const waba = await sandbox.http.post('/_sandbox/wabas').send({ business_id: business.body.id, name: 'Acme WA' }).expect(201);
    expect(waba.body).toMatchObject({ business_id: business.body.id, name: 'Acme WA', subscribed_apps: [] });
    const phone = await sandbox.http
      .post('/_sandbox/phone_numbers')
      .send({ waba_id: waba.body.id, display_phone_number: '+1 555-0199', verified_name: 'Acme', quality_rating: 'RED' })
      .expect(201);
    expect(phone.body).toMatchObject({
      waba_id: waba.body.id,
      display_phone_number: '+1 555-0199',
      digits: '15550199',
      quality_rating: 'RED',
      registered: false,
      status: 'PENDING',
    });
  });

  it('refuses unknown parents, duplicate numbers and bad input', async () => {
    await sandbox.http.post('/_sandbox/wabas').send({ business_id: '1' }).expect(404);
    const f = await sandbox.fixture({ display_phone_number: '+62 812 0000 0001' });
    const dup = await sandbox.http
      .post('/_sandbox/phone_numbers')
      .send({ waba_id: f.waba.id, display_phone_number: '+62-812-0000-0001' })
      .expect(409);
    expect(dup.body.error.message).toContain(f.phone_number.id);
    await sandbox.http.post('/_sandbox/phone_numbers').send({ waba_id: f.waba.id, display_phone_number: 'call me' }).expect(400);
    await sandbox.http.post('/_sandbox/phone_numbers').send({ waba_id: f.waba.id, quality_rating: 'PURPLE' }).expect(400);
    await sandbox.http.patch('/_sandbox/phone_numbers/1').send({ quality_rating: 'RED' }).expect(404);
  });

  it('makes a whole signup fixture, optionally with a code', async () => {
    const res = await sandbox.http.post('/_sandbox/signup_fixtures').send({ business_name: 'Toko', code: true }).expect(201);
    expect(res.body).toMatchObject({
      business: { name: 'Toko' },
      waba: { business_id: res.body.business.id },
      phone_number: { waba_id: res.body.waba.id, display_phone_number: '+1 555-010-0001' },
      code: expect.any(String),
      code_expires_at: new Date(sandbox.clock.now() + 30_000).toISOString(),
    });
    await sandbox.http
      .get(`${V}/oauth/access_token`)
      .query({ client_id: APP_ID, client_secret: APP_SECRET, code: res.body.code })
      .expect(200);
  });

  it('mints codes only for consistent assets', async () => {
    const a = await sandbox.fixture();
    const b = await sandbox.fixture();
    const ok = await sandbox.http.post('/_sandbox/codes').send({ waba_id: a.waba.id, phone_number_id: a.phone_number.id }).expect(201);
    expect(ok.body).toEqual({
      code: expect.any(String),
      business_id: a.business.id,
      waba_id: a.waba.id,
      phone_number_id: a.phone_number.id,
      expires_at: new Date(sandbox.clock.now() + 30_000).toISOString(),
    });
    await sandbox.http.post('/_sandbox/codes').send({ waba_id: a.waba.id, phone_number_id: b.phone_number.id }).expect(400);
    await sandbox.http.post('/_sandbox/codes').send({ waba_id: a.waba.id, business_id: b.business.id }).expect(400);
    await sandbox.http.post('/_sandbox/codes').send({ waba_id: '123' }).expect(404);
    await sandbox.http.post('/_sandbox/codes').send({}).expect(400);
  });

  it('shows the state with tokens cut to their last four characters', async () => {
    const f = await sandbox.onboarded();
    const state = await sandbox.http.get('/_sandbox/state').expect(200);
    expect(state.body.tokens).toEqual([
      {
        token_last4: `…${f.token.slice(-4)}`,
        business_id: f.business.id,
        user_id: expect.any(String),
        waba_ids: [f.waba.id],
        issued_at: expect.any(String),
        expires_at: null,
        revoked_at: null,
      },
    ]);
    expect(JSON.stringify(state.body)).not.toContain(f.token);
  });

  it('revokes only known tokens', async () => {
    await sandbox.http.post('/_sandbox/tokens/revoke').send({ access_token: 'EAAnope' }).expect(404);
    await sandbox.http.post('/_sandbox/tokens/revoke').send({}).expect(400);
  });

  it('reports its configuration and health without the secret', async () => {
    await sandbox.http.get('/_sandbox/health').expect(200, { status: 'ok' });
    const config = await sandbox.http.get('/_sandbox/config').expect(200);
    expect(config.body).toMatchObject({
      app_id: APP_ID,
      sdk_url: 'http://sandbox.test:3005/sdk.js',
      signup_origin: 'http://sandbox.test:3005',
    });
    expect(JSON.stringify(config.body)).not.toContain(APP_SECRET);
  });

  it('answers its own unknown paths with plain JSON 404', async () => {
    const res = await sandbox.http.get('/_sandbox/nothing').expect(404);
    expect(res.body).toEqual({ error: { message: expect.any(String), status: 404 } });
  });

  it('reset forgets the world but never reuses ids', async () => {
    const f = await sandbox.onboarded();
    await sandbox.reset();
    const state = await sandbox.http.get('/_sandbox/state').expect(200);
    expect(state.body).toMatchObject({ businesses: [], wabas: [], phone_numbers: [], tokens: [], faults: [] });
    await sandbox.http.get(`${V}/${f.phone_number.id}`).auth(f.token, { type: 'bearer' }).expect(401);
    const g = await sandbox.fixture();
    expect([g.business.id, g.waba.id, g.phone_number.id]).not.toContain(f.phone_number.id);
  });
});
