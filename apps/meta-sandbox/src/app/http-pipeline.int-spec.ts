import { expectGraphError, Sandbox, V } from '../test/harness';

describe('HTTP pipeline', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it("sends Meta's headers on Graph responses", async () => {
    const res = await sandbox.http.get('/v23.0/debug_token');
    expect(res.headers).toMatchObject({
      'x-fb-trace-id': expect.any(String),
      'x-fb-request-id': expect.any(String),
      'facebook-api-version': 'v23.0',
      'x-app-usage': expect.any(String),
    });
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers a malformed JSON body on a Graph path with error 100', async () => {
    const f = await sandbox.onboarded();
    const res = await sandbox.http
      .post(`${V}/${f.phone_number.id}/register`)
      .auth(f.token, { type: 'bearer' })
      .set('content-type', 'application/json')
      .send('{"messaging_product": ');
    expect(expectGraphError(res, 100, 400).error_data?.details).toMatch(/could not be parsed/);
  });

  it('treats a path with a malformed version segment as an object id', async () => {
    const f = await sandbox.onboarded();
    const res = await sandbox.http.get(`/v25/${f.phone_number.id}`).auth(f.token, { type: 'bearer' });
    expectGraphError(res, 100, 400);
  });

  it('answers the Graph root and unknown methods with error 100', async () => {
    const f = await sandbox.onboarded();
    expectGraphError(await sandbox.http.get(`${V}/`).auth(f.token, { type: 'bearer' }), 100, 400);
    const put = await sandbox.http.put(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' });
    expect(expectGraphError(put, 100, 400, 33).message).toMatch(/^\(#100\) Unsupported put request/);
  });

  it('gives every response its own trace id', async () => {
    const a = await sandbox.http.get(`${V}/debug_token`);
    const b = await sandbox.http.get(`${V}/debug_token`);
    expect(a.headers['x-fb-trace-id']).not.toBe(b.headers['x-fb-trace-id']);
    expect(a.body.error.fbtrace_id).toBe(a.headers['x-fb-trace-id']);
  });
});
