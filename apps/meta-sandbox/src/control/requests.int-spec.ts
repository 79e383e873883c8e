import { APP_ID, APP_SECRET, Sandbox, V } from '../test/harness';

describe('request log (/_sandbox/requests)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  it('records each Graph request with method, path, query, redacted headers, body, time and status', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http
      .post(`${V}/${f.phone_number.id}/register`)
      .set('authorization', `Bearer ${f.token}`)
      .set('x-custom', 'kept')
      .send({ messaging_product: 'whatsapp', pin: '581063' })
      .expect(200);
    const res = await sandbox.http.get('/_sandbox/requests').query({ path_contains: '/register' }).expect(200);
    expect(res.body.data).toEqual([
      {
        id: expect.any(Number),
        method: 'POST',
        path: `/v25.0/${f.phone_number.id}/register`,
        query: {},
        headers: expect.objectContaining({
          authorization: `Bearer …${f.token.slice(-4)}`,
          'x-custom': 'kept',
          'content-type': 'application/json',
        }),
        body: { messaging_product: 'whatsapp', pin: '581063' },
        time: new Date(sandbox.clock.now()).toISOString(),
        status: 200,
        endpoint: 'register',
        graph_version: 'v25.0',
        fbtrace_id: expect.any(String),
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(f.token);
  });

  it('cuts secrets in the query to their last 4 characters', async () => {
    const f = await sandbox.fixture();
    const code = await sandbox.code(f);
    await sandbox.http.get('/oauth/access_token').query({ client_id: APP_ID, client_secret: APP_SECRET, code }).expect(200);
    const res = await sandbox.http.get('/_sandbox/requests').query({ path_contains: 'oauth' }).expect(200);
    const [entry] = res.body.data;
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/oauth/access_token',
      graph_version: null,
      status: 200,
      endpoint: 'oauth/access_token',
    });
    expect(entry.query).toEqual({ client_id: APP_ID, client_secret: `…${APP_SECRET.slice(-4)}`, code: `…${code.slice(-4)}` });
    expect(JSON.stringify(res.body)).not.toContain(APP_SECRET);
  });

  it('records failed calls with their status, filters, and leaves /_sandbox out', async () => {
    const f = await sandbox.onboarded();
    await sandbox.http.get(`${V}/${f.waba.id}/subscribed_apps`).expect(401);
    await sandbox.http.post(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }).expect(200);
    const all = await sandbox.http.get('/_sandbox/requests').expect(200);
    expect(all.body.data.map((e: { method: string; path: string; status: number }) => `${e.method} ${e.path} ${e.status}`)).toEqual([
      'GET /v25.0/oauth/access_token 200',
      `GET /v25.0/${f.waba.id}/subscribed_apps 401`,
      `POST /v25.0/${f.waba.id}/subscribed_apps 200`,
    ]);
    const posts = await sandbox.http.get('/_sandbox/requests').query({ method: 'post', path_contains: 'subscribed_apps' }).expect(200);
    expect(posts.body.data).toHaveLength(1);
    const byEndpoint = await sandbox.http.get('/_sandbox/requests').query({ endpoint: 'subscribed_apps', limit: 1 }).expect(200);
    expect(byEndpoint.body.data).toHaveLength(1);
    expect(byEndpoint.body.data[0].method).toBe('POST');
    await sandbox.http.get('/_sandbox/requests').query({ limit: 0 }).expect(400);
  });

  it('is emptied by DELETE and by reset', async () => {
    await sandbox.http.get(`${V}/debug_token`).expect(401);
    await sandbox.http.delete('/_sandbox/requests').expect(200);
    expect((await sandbox.http.get('/_sandbox/requests')).body.data).toEqual([]);
    await sandbox.http.get(`${V}/debug_token`).expect(401);
    await sandbox.reset();
    expect((await sandbox.http.get('/_sandbox/requests')).body.data).toEqual([]);
  });
});
