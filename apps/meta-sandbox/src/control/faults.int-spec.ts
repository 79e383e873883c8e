import { APP_ID, APP_SECRET, expectGraphError, Sandbox, V } from '../test/harness';

describe('faults (/_sandbox/faults)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const readNumber = (f: { phone_number: { id: string }; token: string }) =>
    sandbox.http.get(`${V}/${f.phone_number.id}`).auth(f.token, { type: 'bearer' });

  it('makes the next calls fail with the given code and status until cleared', async () => {
    const f = await sandbox.onboarded();
    const fault = await sandbox.http
      .post('/_sandbox/faults')
      .send({ endpoint: 'phone_number', error_code: 131000, http_status: 503 })
      .expect(201);
    expect(fault.body).toMatchObject({ id: expect.any(String), endpoint: 'phone_number', error_code: 131000, remaining: null });
    for (let i = 0; i < 3; i += 1) {
      const error = expectGraphError(await readNumber(f), 131000, 503);
      expect(error.message).toBe('(#131000) Something went wrong');
    }
    const cleared = await sandbox.http.delete('/_sandbox/faults').expect(200);
    expect(cleared.body).toEqual({ success: true, deleted: 1 });
    await readNumber(f).expect(200);
  });

  it('uses the reference table status by default and respects times', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http
      .post('/_sandbox/faults')
      .send({ endpoint: 'register', error_code: 133016, times: 2, details: 'Too many attempts', error_subcode: 2388001 })
      .expect(201);
    const register = () =>
      sandbox.http
        .post(`${V}/${f.phone_number.id}/register`)
        .auth(f.token, { type: 'bearer' })
        .send({ messaging_product: 'whatsapp', pin: '123456' });
    for (let i = 0; i < 2; i += 1) {
      const error = expectGraphError(await register(), 133016, 400, 2388001);
      expect(error.error_data).toEqual({ messaging_product: 'whatsapp', details: 'Too many attempts' });
    }
    await register().expect(200);
    expect((await sandbox.http.get('/_sandbox/faults')).body).toEqual({ data: [] });
  });

  it('injects 190 (HTTP 401) on the code exchange, and only there', async () => {
    const f = await sandbox.fixture();
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'oauth/access_token', error_code: 190, times: 1 }).expect(201);
    const code = await sandbox.code(f);
    const exchange = () => sandbox.http.get(`${V}/oauth/access_token`).query({ client_id: APP_ID, client_secret: APP_SECRET, code });
    expectGraphError(await exchange(), 190, 401);
    const token = (await exchange().expect(200)).body.access_token as string;
    await sandbox.http
      .get(`${V}/debug_token`)
      .query({ input_token: token, access_token: `${APP_ID}|${APP_SECRET}` })
      .expect(200);
  });

  it('filters by method and target id, and "*" hits every endpoint', async () => {
    const f = await sandbox.onboarded();
    const g = await sandbox.onboarded();
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'subscribed_apps', method: 'post', error_code: 80007 }).expect(201);
    await sandbox.http.get(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }).expect(200);
    expectGraphError(await sandbox.http.post(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }), 80007, 400);
    await sandbox.http.delete('/_sandbox/faults').expect(200);

    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'phone_number', target_id: g.phone_number.id, error_code: 4 }).expect(201);
    await readNumber(f).expect(200);
    expectGraphError(await readNumber(g), 4, 400);
    await sandbox.http.delete('/_sandbox/faults').expect(200);

    await sandbox.http.post('/_sandbox/faults').send({ endpoint: '*', error_code: 2, times: 2 }).expect(201);
    expectGraphError(await readNumber(f), 2, 503);
    expectGraphError(await sandbox.http.get(`${V}/debug_token`).query({ input_token: f.token, access_token: f.token }), 2, 503);
    await readNumber(f).expect(200);
  });

  it('applies before the token check (a fault answers even an unauthenticated call)', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'phone_number', error_code: 131016 }).expect(201);
    expectGraphError(await sandbox.http.get(`${V}/${f.phone_number.id}`), 131016, 500);
  });

  it('adds latency, alone or before an error', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'phone_number', latency_ms: 120, times: 1 }).expect(201);
    let started = Date.now();
    await readNumber(f).expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    await sandbox.http
      .post('/_sandbox/faults')
      .send({ endpoint: 'phone_number', latency_ms: 80, error_code: 131000, times: 1 })
      .expect(201);
    started = Date.now();
    expectGraphError(await readNumber(f), 131000, 500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('removes one fault by id, and uses a custom message', async () => {
    const f = await sandbox.onboarded();
    const a = await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'phone_number', error_code: 131000 }).expect(201);
    await sandbox.http
      .post('/_sandbox/faults')
      .send({ endpoint: 'phone_number', error_code: 368, message: 'Temporarily blocked' })
      .expect(201);
    await sandbox.http.delete(`/_sandbox/faults/${a.body.id}`).expect(200);
    await sandbox.http.delete(`/_sandbox/faults/${a.body.id}`).expect(404);
    expect(expectGraphError(await readNumber(f), 368, 403).message).toBe('(#368) Temporarily blocked');
  });

  it('validates the fault', async () => {
    const bad = await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'nope', error_code: 1 }).expect(400);
    expect(bad.body.error.message).toMatch(/endpoint must be one of: oauth\/access_token, debug_token, phone_number/);
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'register' }).expect(400);
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'register', error_code: 100, times: 0 }).expect(400);
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'register', error_code: 100, http_status: 200 }).expect(400);
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'register', error_code: 100, extra: true }).expect(400);
  });
});
