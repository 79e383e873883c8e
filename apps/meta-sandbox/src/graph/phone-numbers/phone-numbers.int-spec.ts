import { expectGraphError, Sandbox, V } from '../../test/harness';

describe('phone numbers', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  describe('GET /{phone_number_id}', () => {
    it('returns the default fields, id last', async () => {
      const f = await sandbox.onboarded({ display_phone_number: '+62 812-3456-7890', verified_name: 'Toko Kirim' });
      const res = await sandbox.http.get(`${V}/${f.phone_number.id}`).auth(f.token, { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({
        display_phone_number: '+62 812-3456-7890',
        verified_name: 'Toko Kirim',
        quality_rating: 'GREEN',
        id: f.phone_number.id,
      });
      expect(Object.keys(res.body).pop()).toBe('id');
    });

    it('honours ?fields= with the §2.4 fields', async () => {
      const f = await sandbox.onboarded({ display_phone_number: '+62 812-3456-7890' });
      const fields =
        'id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,status,platform_type,throughput{level},messaging_limit_tier,whatsapp_business_manager_messaging_limit,account_mode,is_official_business_account,country_code,country_dial_code';
      const res = await sandbox.http.get(`${V}/${f.phone_number.id}`).query({ fields }).auth(f.token, { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({
        display_phone_number: '+62 812-3456-7890',
        verified_name: expect.any(String),
        quality_rating: 'GREEN',
        code_verification_status: 'VERIFIED',
        name_status: 'APPROVED',
        status: 'PENDING',
        platform_type: 'NOT_APPLICABLE',
        throughput: { level: 'STANDARD' },
        messaging_limit_tier: 'TIER_250',
        whatsapp_business_manager_messaging_limit: 'TIER_250',
        account_mode: 'LIVE',
        is_official_business_account: false,
        country_code: 'ID',
        country_dial_code: '62',
        id: f.phone_number.id,
      });
      const only = await sandbox.http
        .get(`${V}/${f.phone_number.id}`)
        .query({ fields: 'throughput' })
        .auth(f.token, { type: 'bearer' })
        .expect(200);
      expect(only.body).toEqual({ throughput: { level: 'STANDARD' }, id: f.phone_number.id });
    });

    it('reflects control-API changes (quality, throughput)', async () => {
      const f = await sandbox.onboarded();
      await sandbox.http
        .patch(`/_sandbox/phone_numbers/${f.phone_number.id}`)
        .send({ quality_rating: 'YELLOW', throughput_level: 'HIGH' })
        .expect(200);
      const res = await sandbox.http
        .get(`${V}/${f.phone_number.id}`)
        .query({ fields: 'quality_rating,throughput' })
        .auth(f.token, { type: 'bearer' })
        .expect(200);
      expect(res.body).toEqual({ quality_rating: 'YELLOW', throughput: { level: 'HIGH' }, id: f.phone_number.id });
    });

    it('refuses an unknown field with error 100', async () => {
      const f = await sandbox.onboarded();
      const res = await sandbox.http.get(`${V}/${f.phone_number.id}`).query({ fields: 'id,colour' }).auth(f.token, { type: 'bearer' });
      expect(expectGraphError(res, 100, 400).message).toBe(
        '(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessPhoneNumber)',
      );
    });
  });

  describe('GET /{waba_id}/phone_numbers', () => {
    it('lists the WABA numbers in Graph paging shape', async () => {
      const f = await sandbox.onboarded();
      const res = await sandbox.http.get(`${V}/${f.waba.id}/phone_numbers`).auth(f.token, { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({
        data: [
          {
            verified_name: expect.any(String),
            code_verification_status: 'VERIFIED',
            display_phone_number: f.phone_number.display_phone_number,
            quality_rating: 'GREEN',
            platform_type: 'NOT_APPLICABLE',
            throughput: { level: 'STANDARD' },
            id: f.phone_number.id,
          },
        ],
        paging: { cursors: { before: expect.any(String), after: expect.any(String) } },
      });
    });

    it('pages with limit/after and gives a next URL on the public URL', async () => {
      const f = await sandbox.onboarded();
      for (let i = 0; i < 2; i += 1) await sandbox.http.post('/_sandbox/phone_numbers').send({ waba_id: f.waba.id }).expect(201);
      const first = await sandbox.http
        .get(`${V}/${f.waba.id}/phone_numbers`)
        .query({ limit: 2, fields: 'id' })
        .auth(f.token, { type: 'bearer' })
        .expect(200);
      expect(first.body.data).toHaveLength(2);
      expect(first.body.data[0]).toEqual({ id: f.phone_number.id });
      const next = new URL(first.body.paging.next as string);
      expect(next.origin + next.pathname).toBe(`http://sandbox.test:3005/v25.0/${f.waba.id}/phone_numbers`);
      const second = await sandbox.http
        .get(`${V}/${f.waba.id}/phone_numbers`)
        .query({ limit: 2, fields: 'id', after: next.searchParams.get('after') })
        .auth(f.token, { type: 'bearer' })
        .expect(200);
      expect(second.body.data).toHaveLength(1);
      expect(second.body.paging.next).toBeUndefined();
      expect(second.body.paging.previous).toEqual(expect.any(String));
      expectGraphError(
        await sandbox.http.get(`${V}/${f.waba.id}/phone_numbers`).query({ limit: 'x' }).auth(f.token, { type: 'bearer' }),
        100,
        400,
      );
    });
  });

  describe('POST /{phone_number_id}/register', () => {
    const register = (f: { phone_number: { id: string }; token: string }, body: unknown) =>
      sandbox.http
        .post(`${V}/${f.phone_number.id}/register`)
        .auth(f.token, { type: 'bearer' })
        .send(body as object);

    it('registers with a 6-digit PIN: the number becomes CONNECTED on CLOUD_API', async () => {
      const f = await sandbox.onboarded();
      const res = await register(f, { messaging_product: 'whatsapp', pin: '581063' }).expect(200);
      expect(res.body).toEqual({ success: true });
      const read = await sandbox.http
        .get(`${V}/${f.phone_number.id}`)
        .query({ fields: 'status,platform_type,is_pin_enabled' })
        .auth(f.token, { type: 'bearer' });
      expect(read.body).toEqual({ status: 'CONNECTED', platform_type: 'CLOUD_API', is_pin_enabled: true, id: f.phone_number.id });
    });

    it('accepts a form-encoded body too', async () => {
      const f = await sandbox.onboarded();
      await sandbox.http
        .post(`${V}/${f.phone_number.id}/register`)
        .auth(f.token, { type: 'bearer' })
        .type('form')
        .send('messaging_product=whatsapp&pin=000123')
        .expect(200);
    });

    it.each([
      ['missing', { messaging_product: 'whatsapp' }],
      ['5 digits', { messaging_product: 'whatsapp', pin: '12345' }],
      ['7 digits', { messaging_product: 'whatsapp', pin: '1234567' }],
      ['letters', { messaging_product: 'whatsapp', pin: '12a456' }],
      ['spaces', { messaging_product: 'whatsapp', pin: '123 456' }],
      ['empty', { messaging_product: 'whatsapp', pin: '' }],
    ])('refuses a PIN that is %s with error 100', async (_case, body) => {
      const f = await sandbox.onboarded();
      const error = expectGraphError(await register(f, body), 100, 400);
      expect(error.error_data?.details).toMatch(/pin/);
      const state = await sandbox.http.get('/_sandbox/state');
      expect(state.body.phone_numbers[0]).toMatchObject({ registered: false, status: 'PENDING' });
    });

    it('needs messaging_product "whatsapp"', async () => {
      const f = await sandbox.onboarded();
      expectGraphError(await register(f, { pin: '123456' }), 100, 400);
      expectGraphError(await register(f, { messaging_product: 'sms', pin: '123456' }), 100, 400);
    });

    it('refuses a different PIN while registered (133005) and an unverified number (133006)', async () => {
      const f = await sandbox.onboarded();
      await register(f, { messaging_product: 'whatsapp', pin: '111111' }).expect(200);
      await register(f, { messaging_product: 'whatsapp', pin: '111111' }).expect(200);
      expectGraphError(await register(f, { messaging_product: 'whatsapp', pin: '222222' }), 133005, 400);

      const g = await sandbox.onboarded();
      await sandbox.http.patch(`/_sandbox/phone_numbers/${g.phone_number.id}`).send({ code_verification_status: 'UNVERIFIED' }).expect(200);
      const error = expectGraphError(await register(g, { messaging_product: 'whatsapp', pin: '123456' }), 133006, 400);
      expect(error.error_data).toEqual({ messaging_product: 'whatsapp', details: expect.any(String) });
    });

    it('deregisters', async () => {
      const f = await sandbox.onboarded();
      await register(f, { messaging_product: 'whatsapp', pin: '111111' }).expect(200);
      const res = await sandbox.http.post(`${V}/${f.phone_number.id}/deregister`).auth(f.token, { type: 'bearer' }).expect(200);
      expect(res.body).toEqual({ success: true });
      const read = await sandbox.http
        .get(`${V}/${f.phone_number.id}`)
        .query({ fields: 'status,platform_type' })
        .auth(f.token, { type: 'bearer' });
      expect(read.body).toEqual({ status: 'DISCONNECTED', platform_type: 'NOT_APPLICABLE', id: f.phone_number.id });
      // After deregistration a new PIN is accepted.
      await register(f, { messaging_product: 'whatsapp', pin: '222222' }).expect(200);
    });

    it('changes the two-step PIN with POST /{phone_number_id} {pin}', async () => {
      const f = await sandbox.onboarded();
      await register(f, { messaging_product: 'whatsapp', pin: '111111' }).expect(200);
      await sandbox.http
        .post(`${V}/${f.phone_number.id}`)
        .auth(f.token, { type: 'bearer' })
        .send({ pin: '150954' })
        .expect(200, { success: true });
      await register(f, { messaging_product: 'whatsapp', pin: '150954' }).expect(200);
      expectGraphError(
        await sandbox.http.post(`${V}/${f.phone_number.id}`).auth(f.token, { type: 'bearer' }).send({ pin: '15' }),
        100,
        400,
      );
    });
  });
});
