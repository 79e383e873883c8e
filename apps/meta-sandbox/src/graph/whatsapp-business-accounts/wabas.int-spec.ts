import { APP_ID, expectGraphError, Sandbox, V } from '../../test/harness';

describe('WhatsApp Business accounts', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('subscribed_apps round trip: POST, GET, DELETE, GET', async () => {
    const f = await sandbox.onboarded();
    const url = `${V}/${f.waba.id}/subscribed_apps`;
    await sandbox.http.get(url).auth(f.token, { type: 'bearer' }).expect(200, { data: [] });
    await sandbox.http.post(url).auth(f.token, { type: 'bearer' }).expect(200, { success: true });
    const listed = await sandbox.http.get(url).auth(f.token, { type: 'bearer' }).expect(200);
    expect(listed.body).toEqual({
      data: [
        { whatsapp_business_api_data: { id: APP_ID, name: expect.any(String), link: `https://www.facebook.com/games/?app_id=${APP_ID}` } },
      ],
    });
    // Subscribing twice keeps one subscription.
    await sandbox.http.post(url).auth(f.token, { type: 'bearer' }).expect(200);
    expect((await sandbox.http.get(url).auth(f.token, { type: 'bearer' })).body.data).toHaveLength(1);
    await sandbox.http.delete(url).auth(f.token, { type: 'bearer' }).expect(200, { success: true });
    await sandbox.http.get(url).auth(f.token, { type: 'bearer' }).expect(200, { data: [] });
  });

  it('stores an override callback with its verify token and shows it on the number', async () => {
    const f = await sandbox.onboarded();
    const url = `${V}/${f.waba.id}/subscribed_apps`;
    await sandbox.http
      .post(url)
      .auth(f.token, { type: 'bearer' })
      .send({ override_callback_uri: 'https://hooks.example.com/meta/acme', verify_token: 'vt-1' })
      .expect(200);
    const listed = await sandbox.http.get(url).auth(f.token, { type: 'bearer' }).expect(200);
    expect(listed.body.data[0].override_callback_uri).toBe('https://hooks.example.com/meta/acme');
    const phone = await sandbox.http
      .get(`${V}/${f.phone_number.id}`)
      .query({ fields: 'webhook_configuration' })
      .auth(f.token, { type: 'bearer' });
    expect(phone.body.webhook_configuration).toEqual({ whatsapp_business_account: 'https://hooks.example.com/meta/acme' });
    const state = await sandbox.http.get('/_sandbox/state');
    expect(state.body.wabas[0].subscribed_apps[0]).toMatchObject({ app_id: APP_ID, verify_token: 'vt-1' });
  });

  it('refuses an override without verify token, or not a URL', async () => {
    const f = await sandbox.onboarded();
    const url = `${V}/${f.waba.id}/subscribed_apps`;
    expectGraphError(
      await sandbox.http.post(url).auth(f.token, { type: 'bearer' }).send({ override_callback_uri: 'https://x.example' }),
      100,
      400,
    );
    expectGraphError(
      await sandbox.http.post(url).auth(f.token, { type: 'bearer' }).send({ override_callback_uri: 'nope', verify_token: 'v' }),
      100,
      400,
    );
  });

  it('reads the WABA node with default and requested fields', async () => {
    const f = await sandbox.onboarded({ waba_name: 'Acme WA' });
    const res = await sandbox.http.get(`${V}/${f.waba.id}`).auth(f.token, { type: 'bearer' }).expect(200);
    expect(res.body).toEqual({ name: 'Acme WA', id: f.waba.id });
    const more = await sandbox.http
      .get(`${V}/${f.waba.id}`)
      .query({ fields: 'currency,timezone_id,message_template_namespace,account_review_status,owner_business_info' })
      .auth(f.token, { type: 'bearer' })
      .expect(200);
    expect(more.body).toEqual({
      currency: 'USD',
      timezone_id: '1',
      message_template_namespace: expect.stringMatching(/^[0-9a-f]{16}$/),
      account_review_status: 'APPROVED',
      owner_business_info: { name: f.business.name, id: f.business.id },
      id: f.waba.id,
    });
  });

  it('reads the business node for its own business only', async () => {
    const f = await sandbox.onboarded({ business_name: 'Acme' });
    await sandbox.http.get(`${V}/${f.business.id}`).auth(f.token, { type: 'bearer' }).expect(200, { name: 'Acme', id: f.business.id });
    const other = await sandbox.fixture();
    expectGraphError(await sandbox.http.get(`${V}/${other.business.id}`).auth(f.token, { type: 'bearer' }), 200, 403);
  });
});
