import { Script, createContext, runInContext } from 'node:vm';
import { APP_ID, APP_SECRET, APP_TOKEN, CONFIG_ID, Sandbox, V } from '../test/harness';
import { LOGIN_RESPONSE_MESSAGE } from './sdk-script';

const SANDBOX_ORIGIN = 'http://sandbox.test:3005';
const KIRIM_ORIGIN = 'http://localhost:3001';

/** Just enough of a browser window to run sdk.js: window.open, message events, timers. */
function fakeWindow() {
  const listeners: ((event: { origin: string; data: unknown }) => void)[] = [];
  const intervals: (() => void)[] = [];
  const opened: { url: string; name: string; popup: { closed: boolean } }[] = [];
  const window = {
    location: { href: `${KIRIM_ORIGIN}/onboard/x`, origin: KIRIM_ORIGIN },
    screenX: 0,
    screenY: 0,
    outerWidth: 1200,
    outerHeight: 900,
    crypto: { getRandomValues: (a: Uint8Array) => a.fill(7) },
    addEventListener: (type: string, fn: (event: { origin: string; data: unknown }) => void) => {
      if (type === 'message') listeners.push(fn);
    },
    setTimeout: (fn: () => void) => fn(),
    setInterval: (fn: () => void) => intervals.push(fn),
    clearInterval: () => undefined,
    open: (url: string, name: string) => {
      const popup = { closed: false };
      opened.push({ url, name, popup });
      return popup;
    },
    fbAsyncInit: undefined as undefined | (() => void),
    FB: undefined as
      | undefined
      | { init: (o: unknown) => void; login: (cb: (r: unknown) => void, o: unknown) => void; sandboxOrigin: string },
  };
  return {
    window,
    opened,
    deliver: (origin: string, data: unknown) => listeners.forEach((fn) => fn({ origin, data })),
    tick: () => intervals.forEach((fn) => fn()),
  };
}

/** First element, failing the test when there is none. */
function first<T>(items: readonly T[] | null | undefined): T {
  const item = items?.[0];
  if (item === undefined) throw new Error('expected at least one element');
  return item;
}

/** The JSON the popup page embeds for its script. */
function pageData(html: string) {
  const match = /<script type="application\/json" id="sandbox-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no sandbox-data script in the page');
  return JSON.parse(match[1]) as Record<string, unknown> & { wabas: unknown[]; phones: unknown[] };
}

/** FB as defined by the SDK in the fake window. */
function fb(win: ReturnType<typeof fakeWindow>['window']) {
  if (!win.FB) throw new Error('sdk.js did not define window.FB');
  return win.FB;
}

function runSdk(source: string, win: ReturnType<typeof fakeWindow>['window'], src = `${SANDBOX_ORIGIN}/sdk.js`) {
  const context = createContext({ window: win, document: { currentScript: { src } }, console, URL, JSON, Math, Array, Number, String });
  runInContext(source, context);
}

describe('Embedded Signup: /sdk.js', () => {
  let sandbox: Sandbox;
  let source: string;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
    const res = await sandbox.http.get('/sdk.js').expect(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    source = res.text;
  });
  afterAll(() => sandbox.close());

  it('is plain JavaScript defining FB.init and FB.login, also at /en_US/sdk.js', async () => {
    expect(() => new Script(source)).not.toThrow();
    expect(source).toContain('init: function');
    expect(source).toContain('login: function');
    expect((await sandbox.http.get('/en_US/sdk.js').expect(200)).text).toBe(source);
  });

  it('calls fbAsyncInit, and FB.login opens the popup on the sandbox origin with the login options', () => {
    const fake = fakeWindow();
    let initialised = false;
    fake.window.fbAsyncInit = () => {
      initialised = true;
    };
    runSdk(source, fake.window);
    expect(initialised).toBe(true);
    const FB = fb(fake.window);
    expect(FB.sandboxOrigin).toBe(SANDBOX_ORIGIN);
    FB.init({ appId: APP_ID, version: 'v25.0', xfbml: true, autoLogAppEvents: true });
    FB.login(() => undefined, { config_id: CONFIG_ID, response_type: 'code', override_default_response_type: true, extras: { setup: {} } });
    expect(fake.opened).toHaveLength(1);
    const url = new URL(first(fake.opened).url);
    expect(url.origin + url.pathname).toBe(`${SANDBOX_ORIGIN}/dialog/embedded-signup`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      app_id: APP_ID,
      config_id: CONFIG_ID,
      response_type: 'code',
      override_default_response_type: 'true',
      extras: '{"setup":{}}',
      version: 'v25.0',
      origin: KIRIM_ORIGIN,
      request_id: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
  });

  it('hands the popup login response to the callback, only from the sandbox origin and for its own request', () => {
    const fake = fakeWindow();
    runSdk(source, fake.window);
    const FB = fb(fake.window);
    FB.init({ appId: APP_ID, version: 'v25.0' });
    const responses: unknown[] = [];
    FB.login((r) => responses.push(r), { config_id: CONFIG_ID, response_type: 'code' });
    const requestId = new URL(first(fake.opened).url).searchParams.get('request_id');
    const response = { authResponse: { code: 'AQcode' }, status: 'connected' };
    const message = JSON.stringify({ type: LOGIN_RESPONSE_MESSAGE, request_id: requestId, response });
    fake.deliver('https://evil.example', message);
    fake.deliver(SANDBOX_ORIGIN, JSON.stringify({ type: LOGIN_RESPONSE_MESSAGE, request_id: 'other', response }));
    fake.deliver(SANDBOX_ORIGIN, JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'FINISH', data: {} }));
    fake.deliver(SANDBOX_ORIGIN, 'not json');
    expect(responses).toEqual([]);
    fake.deliver(SANDBOX_ORIGIN, message);
    fake.deliver(SANDBOX_ORIGIN, message);
    expect(responses).toEqual([response]);
  });

  it('ends the login as cancelled when the popup is closed without an answer', () => {
    const fake = fakeWindow();
    runSdk(source, fake.window);
    const FB = fb(fake.window);
    FB.init({ appId: APP_ID });
    const responses: unknown[] = [];
    FB.login((r) => responses.push(r), { config_id: CONFIG_ID, response_type: 'code' });
    fake.tick();
    first(fake.opened).popup.closed = true;
    fake.tick();
    expect(responses).toEqual([]);
    fake.tick();
    expect(responses).toEqual([{ authResponse: null, status: 'unknown' }]);
  });

  it('answers a login before FB.init as not connected', () => {
    const fake = fakeWindow();
    runSdk(source, fake.window);
    const responses: unknown[] = [];
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    fb(fake.window).login((r) => responses.push(r), { config_id: CONFIG_ID });
    errors.mockRestore();
    expect(responses).toEqual([{ authResponse: null, status: 'unknown' }]);
    expect(fake.opened).toEqual([]);
  });
});

describe('Embedded Signup: the popup', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const page = async (query: Record<string, string> = {}) => {
    const res = await sandbox.http
      .get('/dialog/embedded-signup')
      .query({ app_id: APP_ID, config_id: CONFIG_ID, origin: KIRIM_ORIGIN, request_id: 'r1', extras: '{"setup":{}}', ...query })
      .expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    return res.text;
  };

  it('is a form with labelled controls and Finish, Cancel and Report error buttons', async () => {
    const html = await page();
    for (const [label, testid] of [
      ['Finish', 'finish-button'],
      ['Cancel', 'cancel-button'],
      ['Report error', 'report-error-button'],
    ]) {
      expect(html).toMatch(new RegExp(`<button [^>]*data-testid="${testid}"[^>]*>${label}</button>`));
    }
    expect(html).not.toMatch(/data-testid="finish-button"[^>]*disabled/);
    const controls = [...html.matchAll(/<(input|select|textarea) id="([^"]+)"[^>]*data-testid="([^"]+)"/g)].map((m) => ({
      id: m[2] ?? '',
      testid: m[3] ?? '',
    }));
    expect(controls.map((c) => c.testid)).toEqual([
      'business-select',
      'business-name',
      'waba-select',
      'waba-name',
      'phone-select',
      'display-phone-number',
      'verified-name',
      'cancel-step',
      'error-message',
      'error-code',
    ]);
    for (const control of controls) expect(html).toContain(`<label for="${control.id}">`);
    // The page's script is valid JavaScript and knows where to post.
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
    expect(scripts).toHaveLength(1);
    expect(() => new Script(first(scripts))).not.toThrow();
    const data = pageData(html);
    expect(data).toMatchObject({
      requestId: 'r1',
      origin: KIRIM_ORIGIN,
      appId: APP_ID,
      configId: CONFIG_ID,
      loginResponseType: LOGIN_RESPONSE_MESSAGE,
    });
  });

  it('offers existing businesses, WABAs and numbers, escaped', async () => {
    const f = await sandbox.fixture({ business_name: '<b>Acme</b> & Co', verified_name: 'Acme' });
    const html = await page();
    expect(html).toContain(`<option value="${f.business.id}">&lt;b&gt;Acme&lt;/b&gt; &amp; Co (${f.business.id})</option>`);
    const data = pageData(html);
    expect(data.wabas).toEqual([{ id: f.waba.id, name: expect.any(String), business_id: f.business.id }]);
    expect(first(data.phones)).toMatchObject({ id: f.phone_number.id, waba_id: f.waba.id });
    expect(html).not.toContain('<b>Acme</b>');
  });

  it('shows an error and disables Finish for a wrong app id or configuration', async () => {
    const html = await page({ app_id: '42', config_id: 'other' });
    expect(html).toMatch(/<div id="error-banner" role="alert" data-testid="error-banner"><p>Invalid App ID/);
    expect(html).toMatch(/data-testid="finish-button"[^>]*disabled/);
  });

  const finish = (body: Record<string, unknown>) =>
    sandbox.http.post('/dialog/embedded-signup/finish').send({ app_id: APP_ID, config_id: CONFIG_ID, feature_type: '', ...body });

  it('Finish with new assets creates them and gives a code that exchanges for a token covering the WABA', async () => {
    const res = await finish({
      business_name: 'Toko Baru',
      waba_name: 'Toko WA',
      display_phone_number: '+62 811-000-111',
      verified_name: 'Toko Baru',
    }).expect(200);
    expect(res.body).toEqual({
      event: 'FINISH',
      data: { phone_number_id: expect.any(String), waba_id: expect.any(String), business_id: expect.any(String) },
      auth_response: {
        code: expect.any(String),
        userID: expect.any(String),
        expiresIn: 30,
        graphDomain: 'facebook',
        data_access_expiration_time: expect.any(Number),
      },
    });
    const { data, auth_response } = res.body;
    const token = await sandbox.exchange(auth_response.code);
    const debug = await sandbox.http.get(`${V}/debug_token`).query({ input_token: token, access_token: APP_TOKEN }).expect(200);
    expect(debug.body.data.granular_scopes[0].target_ids).toEqual([data.waba_id]);
    const phone = await sandbox.http.get(`${V}/${data.phone_number_id}`).auth(token, { type: 'bearer' }).expect(200);
    expect(phone.body).toMatchObject({ display_phone_number: '+62 811-000-111', verified_name: 'Toko Baru' });
    const state = await sandbox.http.get('/_sandbox/state');
    expect(state.body.businesses).toEqual([expect.objectContaining({ id: data.business_id, name: 'Toko Baru' })]);
  });

  it('Finish with existing assets reuses them', async () => {
    const f = await sandbox.fixture();
    const res = await finish({ business_id: f.business.id, waba_id: f.waba.id, phone_number_id: f.phone_number.id }).expect(200);
    expect(res.body.data).toEqual({ phone_number_id: f.phone_number.id, waba_id: f.waba.id, business_id: f.business.id });
    const state = await sandbox.http.get('/_sandbox/state');
    expect(state.body.phone_numbers).toHaveLength(1);
  });

  it('Finish refuses mismatched or taken assets without creating anything', async () => {
    const f = await sandbox.fixture({ display_phone_number: '+1 555 777 0000' });
    const g = await sandbox.fixture();
    await finish({ business_id: f.business.id, waba_id: g.waba.id, phone_number_id: g.phone_number.id }).expect(400);
    const taken = await finish({ business_name: 'X', waba_name: 'Y', display_phone_number: '+15557770000', verified_name: 'X' }).expect(
      409,
    );
    expect(taken.body.error.message).toContain(f.phone_number.id);
    await finish({ business_name: 'X', waba_name: 'Y', display_phone_number: '12', verified_name: 'X' }).expect(400);
    await finish({ app_id: '42', business_name: 'X', waba_name: 'Y', display_phone_number: '+1 555 777 0001', verified_name: 'X' }).expect(
      400,
    );
    const state = await sandbox.http.get('/_sandbox/state');
    expect(state.body.businesses).toHaveLength(2);
  });

  it('Finish in the only_waba_sharing flow posts FINISH_ONLY_WABA without a phone number', async () => {
    const res = await finish({ feature_type: 'only_waba_sharing', business_name: 'B', waba_name: 'W' }).expect(200);
    expect(res.body.event).toBe('FINISH_ONLY_WABA');
    expect(res.body.data.phone_number_id).toBeUndefined();
    await sandbox.http
      .get(`${V}/oauth/access_token`)
      .query({ client_id: APP_ID, client_secret: APP_SECRET, code: res.body.auth_response.code })
      .expect(200);
  });

  it('publishes the popup hand-over behaviour for either-order tests', async () => {
    await sandbox.http.put('/_sandbox/signup_behaviour').send({ login_callback_first: true, login_callback_delay_ms: 500 }).expect(200);
    const html = await page();
    const data = pageData(html);
    expect(data.behaviour).toEqual({ login_callback_first: true, login_callback_delay_ms: 500 });
  });
});
