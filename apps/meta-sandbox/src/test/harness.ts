import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { loadSandboxConfig, type SandboxConfig } from '../app/config';
import { createSandboxApp } from '../app/create-app';
import { ManualClock } from '../common/clock';

export const APP_ID = '1234567890';
export const APP_SECRET = 'test-app-secret';
export const CONFIG_ID = '987654321';
export const APP_TOKEN = `${APP_ID}|${APP_SECRET}`;
export const V = '/v25.0';

export interface Fixture {
  business: { id: string; name: string };
  waba: { id: string; business_id: string };
  phone_number: { id: string; waba_id: string; display_phone_number: string };
}

/** The sandbox in-process, with a manual clock, and helpers for the usual set-up. */
export class Sandbox {
  private constructor(
    readonly app: NestExpressApplication,
    readonly clock: ManualClock,
    readonly config: SandboxConfig,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<Sandbox> {
    const config = loadSandboxConfig({
      META_APP_ID: APP_ID,
      META_APP_SECRET: APP_SECRET,
      META_CONFIG_ID: CONFIG_ID,
      META_SANDBOX_PUBLIC_URL: 'http://sandbox.test:3005',
      ...env,
    });
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0, 0));
    const app = await createSandboxApp(config, { clock, logger: false });
    return new Sandbox(app, clock, config);
  }

  get http() {
    return request(this.app.getHttpServer());
  }

  async close(): Promise<void> {
    await this.app.close();
  }

  async reset(): Promise<void> {
    await this.http.post('/_sandbox/reset').expect(200);
  }

  /** A business + WABA + number. */
  async fixture(body: Record<string, unknown> = {}): Promise<Fixture> {
    const res = await this.http.post('/_sandbox/signup_fixtures').send(body).expect(201);
    return res.body as Fixture;
  }

  async code(f: Fixture): Promise<string> {
    const res = await this.http
      .post('/_sandbox/codes')
      .send({ waba_id: f.waba.id, phone_number_id: f.phone_number.id, business_id: f.business.id })
      .expect(201);
    return (res.body as { code: string }).code;
  }

  /** Code → business token through the Graph API, like Kirim does. */
  async exchange(code: string): Promise<string> {
    const res = await this.http.get(`${V}/oauth/access_token`).query({ client_id: APP_ID, client_secret: APP_SECRET, code }).expect(200);
    return (res.body as { access_token: string }).access_token;
  }

  /** A fixture and a business token for its WABA, obtained through the code exchange. */
  async onboarded(body: Record<string, unknown> = {}): Promise<Fixture & { token: string }> {
    const f = await this.fixture(body);
    return { ...f, token: await this.exchange(await this.code(f)) };
  }

  /** Onboarded and registered for Cloud API (through the Graph API, as Kirim does): ready to send. */
  async sendable(body: Record<string, unknown> = {}): Promise<Fixture & { token: string }> {
    const f = await this.onboarded(body);
    await this.http
      .post(`${V}/${f.phone_number.id}/register`)
      .auth(f.token, { type: 'bearer' })
      .send({ messaging_product: 'whatsapp', pin: '123456' })
      .expect(200);
    return f;
  }

  /** `POST /{phone_number_id}/messages` with the fixture's token. */
  send(f: { phone_number: { id: string }; token: string }, body: Record<string, unknown>) {
    return this.http
      .post(`${V}/${f.phone_number.id}/messages`)
      .auth(f.token, { type: 'bearer' })
      .send({ messaging_product: 'whatsapp', ...body });
  }

  /** Points the sandbox's webhooks at a URL (with no delays between statuses unless asked). */
  async webhooksTo(url: string | null, settings: Record<string, unknown> = {}): Promise<void> {
    await this.http
      .put('/_sandbox/webhooks/settings')
      .send({ callback_url: url, ...settings })
      .expect(200);
  }

  /** Waits until every scheduled and queued webhook has been posted (or given up on). */
  async drain(timeoutMs = 5000): Promise<void> {
    const res = await this.http.post('/_sandbox/webhooks/drain').send({ timeout_ms: timeoutMs }).expect(200);
    if (!(res.body as { idle: boolean }).idle) throw new Error(`webhooks not drained: ${JSON.stringify(res.body)}`);
  }
}

/** The Meta error envelope every Graph error must have. */
export function expectGraphError(
  res: { status: number; body: unknown; headers: Record<string, string> },
  code: number,
  status: number,
  subcode?: number,
): {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { details: string };
  is_transient?: boolean;
  fbtrace_id: string;
} {
  const error = (res.body as { error?: Record<string, unknown> }).error;
  const problems: string[] = [];
  if (res.status !== status) problems.push(`status ${res.status} (want ${status})`);
  if (!error) problems.push('no error envelope');
  else {
    if (error['code'] !== code) problems.push(`code ${String(error['code'])} (want ${code})`);
    if (error['type'] !== 'OAuthException') problems.push(`type ${String(error['type'])}`);
    if (typeof error['message'] !== 'string' || !(error['message'] as string).startsWith(`(#${code}) `))
      problems.push(`message ${String(error['message'])}`);
    if (typeof error['fbtrace_id'] !== 'string' || error['fbtrace_id'] !== res.headers['x-fb-trace-id'])
      problems.push('fbtrace_id does not match x-fb-trace-id');
    if (subcode !== undefined && error['error_subcode'] !== subcode)
      problems.push(`error_subcode ${String(error['error_subcode'])} (want ${subcode})`);
    const keys = Object.keys(error).filter(
      (k) => !['message', 'type', 'code', 'error_subcode', 'error_data', 'is_transient', 'fbtrace_id'].includes(k),
    );
    if (keys.length) problems.push(`unexpected keys ${keys.join(',')}`);
  }
  if (!res.headers['x-fb-request-id']) problems.push('no x-fb-request-id header');
  if (problems.length) throw new Error(`not the expected Graph error: ${problems.join('; ')}\n${JSON.stringify(res.body)}`);
  return error as never;
}
