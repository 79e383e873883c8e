import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ContractsModule } from '@kirim/contracts';
import { IdentityHttpModule } from '@kirim/identity';
import { configureHttpApp, createHttpAdapter, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import {
  contextPorts,
  createOrgSession,
  createTestApp,
  createTestEnv,
  type MetaSandbox,
  type OrgSession,
  startMetaSandbox,
  type TestApp,
  type TestEnv,
} from '@kirim/testing';
import { WebhooksHttpModule } from '@kirim/webhooks';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { type Browser, chromium, type Page } from 'playwright-core';
import { OnboardingModule } from '../app/onboarding.module';

const CHROMIUM = process.env['KIRIM_CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', '..', '..', '..', 'test-artifacts', 'onboarding');

/**
 * End to end in Chromium: the Meta sandbox (a real process), the API and the onboarding app (in this
 * process, on real ports), a customer and a setup link created through the API, the onboarding page
 * driven through the sandbox's Embedded Signup popup, and the result checked through the API.
 */
describe('onboarding in Chromium (end to end)', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let onboarding: INestApplication;
  let onboardingUrl: string;
  let landing: Server;
  let landingUrl: string;
  let browser: Browser;
  let s: OrgSession;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing at ${CHROMIUM}: the onboarding end-to-end test needs it. Install it with ` +
          '`KIRIM_NEED_CHROMIUM=1 bash tools/scripts/ensure-services.sh` (as root; `npm test` does this) or set KIRIM_CHROMIUM_PATH.',
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    sandbox = await startMetaSandbox();
    landing = await startLanding();
    landingUrl = `http://127.0.0.1:${(landing.address() as AddressInfo).port}`;
    const onboardingPort = await freePort();
    onboardingUrl = `http://127.0.0.1:${onboardingPort}`;
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_SDK_URL: `${sandbox.url}/sdk.js`,
      META_SIGNUP_ORIGIN: new URL(sandbox.url).host,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: sandbox.appSecret,
      ONBOARDING_PUBLIC_URL: onboardingUrl,
    });
    api = await createTestApp({
      module: class E2eApiRoot {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        ContractsModule,
        WebhooksHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        contextPorts(),
      ],
    });
    const moduleRef = await Test.createTestingModule({ imports: [OnboardingModule.forRoot(env.config)] }).compile();
    onboarding = moduleRef.createNestApplication(createHttpAdapter(env.config), { bodyParser: false, bufferLogs: true, logger: false });
    configureHttpApp(onboarding, { publicUrl: onboardingUrl });
    await onboarding.listen(onboardingPort, '127.0.0.1');
    s = await createOrgSession(api.app, { name: 'Acme Platform' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await onboarding?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
    await new Promise((resolve) => (landing ? landing.close(resolve) : resolve(undefined)));
  });

  async function newCustomerAndLink(name: string, redirects: boolean) {
    const customer = await api.http.post('/v1/customers').set(s.auth).send({ name }).expect(201);
    const customerId = (customer.body as { data: { id: string } }).data.id;
    const body = redirects
      ? { success_redirect_url: `${landingUrl}/done/success?from=kirim`, failure_redirect_url: `${landingUrl}/done/failure` }
      : {};
    const link = await api.http.post(`/v1/customers/${customerId}/setup_links`).set(s.auth).send(body).expect(201);
    const data = (link.body as { data: { id: string; setup_url: string } }).data;
    return { customerId, linkId: data.id, setupUrl: data.setup_url };
  }

  async function openReady(page: Page, setupUrl: string, customerName: string): Promise<void> {
    const response = await page.goto(setupUrl);
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId('organization-name').textContent()).resolves.toBe('Acme Platform');
    await expect(page.getByTestId('customer-name').textContent()).resolves.toBe(customerName);
    await page.waitForSelector('main[data-state="ready"]', { timeout: 15_000 });
  }

  it('Connect → Finish in the popup → the success redirect; the customer is active, the account approved, three events', async () => {
    const { customerId, linkId, setupUrl } = await newCustomerAndLink('Warung Sari', true);
    const page = await browser.newPage();
    try {
      await openReady(page, setupUrl, 'Warung Sari');
      await page.screenshot({ path: join(ARTIFACTS, 'success-1-ready.png') });
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup.waitForLoadState('domcontentloaded');
      await popup.getByTestId('finish-button').waitFor();
      await popup.screenshot({ path: join(ARTIFACTS, 'success-2-popup.png') });
      await popup.getByTestId('finish-button').click();
      await page.waitForURL(/\/done\/success\?/, { timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'success-3-redirected.png') });

      const params = Object.fromEntries(new URL(page.url()).searchParams);
      expect(params).toEqual({
        from: 'kirim',
        status: 'success',
        customer_id: customerId,
        account_id: expect.stringMatching(/^wba_/),
        phone_number_id: expect.stringMatching(/^\d+$/),
        setup_link_id: linkId,
      });

      const customer = await api.http.get(`/v1/customers/${customerId}`).set(s.auth).expect(200);
      const c = (
        customer.body as { data: { status: string; whatsapp_accounts: { id: string; status: string; phone_number_id: string }[] } }
      ).data;
      expect(c.status).toBe('active');
      expect(c.whatsapp_accounts).toEqual([
        expect.objectContaining({ id: params['account_id'], status: 'approved', phone_number_id: params['phone_number_id'] }),
      ]);
      const account = await api.http.get(`/v1/accounts/${params['account_id']}`).set(s.auth).expect(200);
      expect((account.body as { data: { status: string } }).data.status).toBe('approved');

      const links = await api.http.get(`/v1/customers/${customerId}/setup_links`).set(s.auth).expect(200);
      expect((links.body as { data: { id: string; status: string; account_id: string }[] }).data[0]).toMatchObject({
        id: linkId,
        status: 'consumed',
        account_id: params['account_id'],
      });

      const events = await api.http.get('/v1/events').query({ customer_id: customerId }).set(s.auth).expect(200);
      const types = (events.body as { data: { type: string }[] }).data.map((e) => e.type);
      for (const type of ['customer.setup_link.consumed', 'customer.onboarded', 'account.connected']) expect(types).toContain(type);

      // Meta saw the whole server-side sequence.
      const calls = (await sandbox.requests()).map((r) => `${r.method} ${r.endpoint ?? r.path}`);
      expect(calls.join('\n')).toMatch(/access_token/);
      expect(calls.join('\n')).toMatch(/register/);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('Connect → Cancel in the popup → the failure redirect with signup_cancelled; the link stays active', async () => {
    const { customerId, linkId, setupUrl } = await newCustomerAndLink('Toko Budi', true);
    const page = await browser.newPage();
    try {
      await openReady(page, setupUrl, 'Toko Budi');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup.waitForLoadState('domcontentloaded');
      await popup.getByTestId('cancel-button').click();
      await page.waitForURL(/\/done\/failure\?/, { timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'cancel-redirected.png') });
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
        status: 'failure',
        error_code: 'signup_cancelled',
        customer_id: customerId,
        setup_link_id: linkId,
      });
      const links = await api.http.get(`/v1/customers/${customerId}/setup_links`).set(s.auth).expect(200);
      expect((links.body as { data: { id: string; status: string }[] }).data[0]).toMatchObject({ id: linkId, status: 'active' });
      const customer = await api.http.get(`/v1/customers/${customerId}`).set(s.auth).expect(200);
      expect((customer.body as { data: { status: string } }).data.status).toBe('pending');
    } finally {
      await page.close();
    }
  }, 90_000);

  it('without redirect URLs: Cancel shows the cancelled state, Try again, then Finish shows the success state in words', async () => {
    const { customerId, setupUrl } = await newCustomerAndLink('Kedai Tiga', false);
    const page = await browser.newPage();
    try {
      await openReady(page, setupUrl, 'Kedai Tiga');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup.waitForLoadState('domcontentloaded');
      await popup.getByTestId('cancel-button').click();
      await page.waitForSelector('main[data-state="cancelled"]', { timeout: 15_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'no-redirect-1-cancelled.png') });
      await page.getByTestId('retry-button').click();
      await page.waitForSelector('main[data-state="ready"]', { timeout: 15_000 });
      const [popup2] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup2.waitForLoadState('domcontentloaded');
      await popup2.getByTestId('finish-button').click();
      await page.waitForSelector('main[data-state="success"]', { timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, 'no-redirect-2-success.png') });
      const details = await page.getByTestId('success-details').textContent();
      expect(details).toContain(customerId);
      expect(details).toMatch(/wba_/);
      await expect(page.getByTestId('status').textContent()).resolves.toMatch(/connected/);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('ignores messages from other origins; the login callback arriving before the FINISH message still completes the signup', async () => {
    const { customerId, setupUrl } = await newCustomerAndLink('Dapur Lima', true);
    await sandbox.control('PUT', '/signup_behaviour', { login_callback_first: true, login_callback_delay_ms: 300 });
    const page = await browser.newPage();
    try {
      await openReady(page, setupUrl, 'Dapur Lima');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup.waitForLoadState('domcontentloaded');
      // A forged CANCEL from another origin (the page's own) is ignored: the page keeps waiting.
      const forged = JSON.stringify({ type: 'WA_EMBEDDED_SIGNUP', event: 'CANCEL', data: { current_step: 'PERMISSIONS' } });
      await page.evaluate(`window.postMessage(${JSON.stringify(forged)}, '*')`);
      await page.waitForTimeout(1500);
      await expect(page.locator('main').getAttribute('data-state')).resolves.toBe('working');
      await popup.getByTestId('finish-button').click();
      await page.waitForURL(/\/done\/success\?/, { timeout: 30_000 });
      expect(new URL(page.url()).searchParams.get('customer_id')).toBe(customerId);
    } finally {
      await sandbox.control('PUT', '/signup_behaviour', { login_callback_first: false, login_callback_delay_ms: 0 });
      await page.close();
    }
  }, 90_000);

  it('Report error in the popup → the failure redirect with signup_error', async () => {
    const { customerId, linkId, setupUrl } = await newCustomerAndLink('Toko Enam', true);
    const page = await browser.newPage();
    try {
      await openReady(page, setupUrl, 'Toko Enam');
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByTestId('connect-button').click()]);
      await popup.waitForLoadState('domcontentloaded');
      await popup.getByTestId('report-error-button').click();
      await page.waitForURL(/\/done\/failure\?/, { timeout: 30_000 });
      expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({
        status: 'failure',
        error_code: 'signup_error',
        customer_id: customerId,
        setup_link_id: linkId,
      });
    } finally {
      await page.close();
    }
  }, 90_000);

  it('an expired link: 410 and the expired state', async () => {
    const { linkId, setupUrl } = await newCustomerAndLink('Lapak Empat', false);
    await api.app.get(PrismaService).customerSetupLink.update({ where: { id: linkId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const page = await browser.newPage();
    try {
      const response = await page.goto(setupUrl);
      expect(response?.status()).toBe(410);
      await expect(page.getByTestId('unusable-title').textContent()).resolves.toBe('This link has expired');
      await page.screenshot({ path: join(ARTIFACTS, 'expired.png') });
      await expect(page.locator('main').getAttribute('data-reason')).resolves.toBe('link_expired');
    } finally {
      await page.close();
    }
  }, 60_000);
});

/** The platform's own pages the redirects land on (any path answers a small HTML page). */
function startLanding(): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><title>Platform</title><h1>Back on the platform</h1></html>');
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
