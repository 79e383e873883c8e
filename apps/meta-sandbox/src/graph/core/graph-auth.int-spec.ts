import { APP_TOKEN, expectGraphError, Sandbox, V } from '../../test/harness';

/** Token and permission checks shared by every Graph endpoint that needs a token. */
describe('Graph access tokens and permissions', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  /** One call per token-protected endpoint of this issue. */
  const calls = (f: { waba: { id: string }; phone_number: { id: string } }) => [
    { name: 'GET /{phone_number_id}', send: () => sandbox.http.get(`${V}/${f.phone_number.id}`) },
    { name: 'GET /{waba_id}', send: () => sandbox.http.get(`${V}/${f.waba.id}`) },
    { name: 'GET /{waba_id}/phone_numbers', send: () => sandbox.http.get(`${V}/${f.waba.id}/phone_numbers`) },
    { name: 'POST /{waba_id}/subscribed_apps', send: () => sandbox.http.post(`${V}/${f.waba.id}/subscribed_apps`) },
    { name: 'GET /{waba_id}/subscribed_apps', send: () => sandbox.http.get(`${V}/${f.waba.id}/subscribed_apps`) },
    { name: 'DELETE /{waba_id}/subscribed_apps', send: () => sandbox.http.delete(`${V}/${f.waba.id}/subscribed_apps`) },
    {
      name: 'POST /{phone_number_id}/register',
      send: () => sandbox.http.post(`${V}/${f.phone_number.id}/register`).send({ messaging_product: 'whatsapp', pin: '123456' }),
    },
    { name: 'POST /{phone_number_id}/deregister', send: () => sandbox.http.post(`${V}/${f.phone_number.id}/deregister`) },
    {
      name: 'POST /{phone_number_id}/messages',
      send: () =>
        sandbox.http
          .post(`${V}/${f.phone_number.id}/messages`)
          .send({ messaging_product: 'whatsapp', to: '6281234567890', text: { body: 'x' } }),
    },
  ];

  it('answers 401 with code 190 without a token, on every endpoint', async () => {
    const f = await sandbox.onboarded();
    for (const call of calls(f)) {
      const res = await call.send();
      try {
        const error = expectGraphError(res, 190, 401);
        expect(error.message).toBe('(#190) An access token is required to request this resource.');
        expect(res.headers['www-authenticate']).toMatch(/^OAuth "Facebook Platform"/);
      } catch (e) {
        throw new Error(`${call.name}: ${(e as Error).message}`);
      }
    }
  });

  it('answers 401 with code 190 for an unknown token, on every endpoint', async () => {
    const f = await sandbox.onboarded();
    for (const call of calls(f)) {
      const res = await call.send().set('authorization', 'Bearer EAAunknown');
      try {
        expectGraphError(res, 190, 401);
      } catch (e) {
        throw new Error(`${call.name}: ${(e as Error).message}`);
      }
    }
  });

  it('answers 401 with 190/458 once the token is revoked', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http.get(`${V}/${f.phone_number.id}`).auth(f.token, { type: 'bearer' }).expect(200);
    await sandbox.http.post('/_sandbox/tokens/revoke').send({ access_token: f.token }).expect(200);
    for (const call of calls(f)) {
      const res = await call.send().auth(f.token, { type: 'bearer' });
      try {
        expectGraphError(res, 190, 401, 458);
      } catch (e) {
        throw new Error(`${call.name}: ${(e as Error).message}`);
      }
    }
  });

  it('answers 401 with 190/463 once the token has expired (clock or control API)', async () => {
    const f = await sandbox.fixture();
    const minted = await sandbox.http
      .post('/_sandbox/tokens')
      .send({ waba_ids: [f.waba.id], expires_in_seconds: 10 })
      .expect(201);
    const token = minted.body.access_token as string;
    await sandbox.http.get(`${V}/${f.waba.id}`).auth(token, { type: 'bearer' }).expect(200);
    sandbox.clock.advance(10_000);
    const error = expectGraphError(await sandbox.http.get(`${V}/${f.waba.id}`).auth(token, { type: 'bearer' }), 190, 401, 463);
    expect(error.message).toMatch(/^\(#190\) Error validating access token: Session has expired/);

    const other = await sandbox.onboarded();
    await sandbox.http.post('/_sandbox/tokens/expire').send({ token: other.token }).expect(200);
    expectGraphError(await sandbox.http.get(`${V}/${other.waba.id}`).auth(other.token, { type: 'bearer' }), 190, 401, 463);
  });

  it('accepts the token as access_token query parameter, with or without the version segment', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http.get(`${V}/${f.phone_number.id}`).query({ access_token: f.token }).expect(200);
    await sandbox.http.get(`/${f.phone_number.id}`).query({ access_token: f.token }).expect(200);
    await sandbox.http.get(`/v19.0/${f.waba.id}/phone_numbers`).query({ access_token: f.token }).expect(200);
  });

  it("answers the permission error (200, HTTP 403) for a WABA or number the token doesn't cover", async () => {
    const mine = await sandbox.onboarded();
    const theirs = await sandbox.fixture();
    const auth = { authorization: `Bearer ${mine.token}` };
    for (const call of calls(theirs)) {
      const res = await call.send().set(auth);
      try {
        const error = expectGraphError(res, 200, 403);
        expect(error.message).toBe('(#200) Permissions error');
        expect(error.error_data?.details).toContain(call.name.includes('{waba_id}') ? theirs.waba.id : theirs.phone_number.id);
      } catch (e) {
        throw new Error(`${call.name}: ${(e as Error).message}`);
      }
    }
    // Nothing of theirs changed.
    const state = await sandbox.http.get('/_sandbox/state').expect(200);
    const waba = state.body.wabas.find((w: { id: string }) => w.id === theirs.waba.id);
    expect(waba.subscribed_apps).toEqual([]);
  });

  it('gives the app token no access to customer assets', async () => {
    const f = await sandbox.onboarded();
    expectGraphError(await sandbox.http.get(`${V}/${f.phone_number.id}`).query({ access_token: APP_TOKEN }), 200, 403);
  });

  it('answers error 100 (subcode 33) for an object that does not exist', async () => {
    const f = await sandbox.onboarded();
    const res = await sandbox.http.get(`${V}/123456789012345`).auth(f.token, { type: 'bearer' });
    const error = expectGraphError(res, 100, 400, 33);
    expect(error.message).toMatch(/^\(#100\) Unsupported get request\. Object with ID '123456789012345' does not exist/);
    const post = await sandbox.http
      .post(`${V}/123456789012345/register`)
      .auth(f.token, { type: 'bearer' })
      .send({ messaging_product: 'whatsapp', pin: '123456' });
    expect(expectGraphError(post, 100, 400, 33).message).toMatch(/^\(#100\) Unsupported post request/);
  });

  it('answers error 100 "nonexisting field" for an edge on the wrong node type', async () => {
    const f = await sandbox.onboarded();
    const res = await sandbox.http
      .post(`${V}/${f.waba.id}/register`)
      .auth(f.token, { type: 'bearer' })
      .send({ messaging_product: 'whatsapp', pin: '123456' });
    expect(expectGraphError(res, 100, 400).message).toBe(
      '(#100) Tried accessing nonexisting field (register) on node type (WhatsAppBusinessAccount)',
    );
    const unknownEdge = await sandbox.http.get(`${V}/${f.phone_number.id}/nonsense`).auth(f.token, { type: 'bearer' });
    expect(expectGraphError(unknownEdge, 100, 400).message).toBe(
      '(#100) Tried accessing nonexisting field (nonsense) on node type (WhatsAppBusinessPhoneNumber)',
    );
  });
});
