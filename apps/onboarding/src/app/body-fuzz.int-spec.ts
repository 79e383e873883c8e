import { request as httpRequest } from 'node:http';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import { isId, PrismaService } from '@kirim/platform';
import { CustomersService, SetupLinksService } from '@kirim/tenancy';
import { databaseSnapshot, createOrgSession, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { CompleteDto, FailDto, ResolveDto } from './onboarding.dto';
import { OnboardingModule } from './onboarding.module';

/**
 * Promise 4 of spec 08 on the public, key-less onboarding endpoints: every field of
 * `/onboard/api/{resolve,complete,fail}` (taken from the DTOs' validation metadata) gets every value
 * the pipeline could choke on → a 4xx in the envelope with X-Request-Id, and the database unchanged
 * (a valid token is used, so a poison that got through would issue a nonce or spend one).
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const POISON: { name: string; json: Buffer; code: string }[] = [
  { name: 'lone high surrogate', json: Buffer.from('"\\ud800"'), code: 'invalid_field_value' },
  { name: 'lone low surrogate', json: Buffer.from('"a\\udc00"'), code: 'invalid_field_value' },
  { name: 'NUL', json: Buffer.from('"a\\u0000"'), code: 'invalid_field_value' },
  { name: 'control BEL', json: Buffer.from('"a\\u0007b"'), code: 'invalid_field_value' },
  { name: 'control ESC', json: Buffer.from('"\\u001b[31m"'), code: 'invalid_field_value' },
  { name: 'control C1', json: Buffer.from('"a\\u009bb"'), code: 'invalid_field_value' },
  { name: 'DEL', json: Buffer.from('"a\\u007f"'), code: 'invalid_field_value' },
  { name: '1e400', json: Buffer.from('1e400'), code: 'invalid_field_value' },
  { name: '-1e400', json: Buffer.from('-1e400'), code: 'invalid_field_value' },
  { name: 'inexact number', json: Buffer.from('123456789012345678901234567890'), code: 'invalid_field_value' },
  { name: 'invalid UTF-8', json: Buffer.from([0x22, 0x61, 0xff, 0x22]), code: 'invalid_field_value' },
  { name: 'truncated UTF-8', json: Buffer.from([0x22, 0xe2, 0x82, 0x22]), code: 'invalid_field_value' },
  { name: 'deep nesting', json: Buffer.from('['.repeat(1300) + ']'.repeat(1300)), code: 'invalid_json' },
];
const BUILT_INS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];

function fieldsOf(dto: new () => unknown): string[] {
  return [
    ...new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(dto, '', true, false)
        .map((m) => m.propertyName),
    ),
  ];
}

function bodyWith(base: Record<string, unknown>, field: string, poison: Buffer): Buffer {
  const rest = Object.fromEntries(Object.entries(base).filter(([k]) => k !== field));
  const head = JSON.stringify(rest).slice(0, -1);
  return Buffer.concat([Buffer.from(`${head}${head === '{' ? '' : ','}${JSON.stringify(field)}:`), poison, Buffer.from('}')]);
}

describe('onboarding API: bad bodies → 4xx in the envelope, nothing changed', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let port: number;
  let token: string;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp(OnboardingModule.forRoot(env.config), { listen: true, http: { publicUrl: env.config.ONBOARDING_PUBLIC_URL } });
    port = t.port ?? 0;
    prisma = t.app.get(PrismaService);
    const s = await createOrgSession(t.app);
    const scope = { organizationId: s.organizationId, customerId: null };
    const customer = await t.app.get(CustomersService).create(scope, { name: 'Client' });
    const link = await t.app.get(SetupLinksService).create(scope, customer.id, {});
    token = link.setup_url.split('/onboard/')[1] ?? '';
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const endpoints = () => [
    { path: '/onboard/api/resolve', dto: ResolveDto, base: { token } },
    {
      path: '/onboard/api/complete',
      dto: CompleteDto,
      base: { token, nonce: 'n'.repeat(30), code: 'code', waba_id: '123456', phone_number_id: '1234567', business_id: '99' },
    },
    {
      path: '/onboard/api/fail',
      dto: FailDto,
      base: { token, nonce: 'n'.repeat(30), reason: 'cancelled', current_step: 'x', error_code: 'e', error_message: 'm' },
    },
  ];

  const snapshot = () => databaseSnapshot(prisma);

  function expectRefused(answer: Answer, what: string, code?: string, param?: string): void {
    const context = `${what} → ${answer.status} ${answer.text.slice(0, 300)}`;
    expect([context, answer.status >= 400 && answer.status < 500]).toEqual([context, true]);
    const body = JSON.parse(answer.text) as { error?: { code?: string; request_id?: string; param?: string } };
    const requestId = answer.headers['x-request-id'];
    expect([context, isId('req', requestId), body.error?.request_id === requestId]).toEqual([context, true, true]);
    if (code !== undefined) expect([context, body.error?.code]).toEqual([context, code]);
    if (param !== undefined) expect([context, body.error?.param]).toEqual([context, param]);
  }

  it('every field × every poison, built-in names and content encodings', async () => {
    const before = await snapshot();
    let cases = 0;
    for (const { path, dto, base } of endpoints()) {
      const fields = fieldsOf(dto);
      expect(fields.length).toBeGreaterThan(0);
      for (const field of fields) {
        for (const poison of POISON) {
          const answer = await send(port, path, bodyWith(base, field, poison.json));
          expectRefused(answer, `${path} ${field}=${poison.name}`, poison.code, poison.code === 'invalid_json' ? undefined : field);
          cases++;
        }
      }
      for (const key of BUILT_INS) {
        const head = JSON.stringify(base).slice(0, -1);
        expectRefused(await send(port, path, Buffer.from(`${head},"${key}":{}}`)), `${path} ${key}`, 'unknown_field', key);
        cases++;
      }
      const plain = Buffer.from(JSON.stringify(base));
      for (const encoding of ['gzip', 'br', 'deflate']) {
        expectRefused(await send(port, path, plain, { 'Content-Encoding': encoding }), `${path} ${encoding}`, 'unsupported_media_type');
        cases++;
      }
      expectRefused(
        await send(port, path, Buffer.from(JSON.stringify(base), 'utf16le'), { 'Content-Type': 'application/json; charset=utf-16' }),
        `${path} utf-16`,
        'unsupported_media_type',
      );
      expectRefused(await send(port, path, Buffer.from('['.repeat(1300) + ']'.repeat(1300))), `${path} deep top level`, 'invalid_json');
      cases += 2;
    }
    expect(cases).toBeGreaterThan(100);
    expect(await snapshot()).toEqual(before);
  });

  it('random text with a lone surrogate, NUL or control character anywhere (property-based)', async () => {
    const before = await snapshot();
    const list = endpoints();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: list.length - 1 }),
        fc.nat(),
        fc.string({ maxLength: 16 }),
        fc.constantFrom('\\ud800', '\\udfff', '\\u0000', '\\u0001', '\\u001f', '\\u007f', '\\u0090'),
        fc.string({ maxLength: 16 }),
        async (endpointIndex, fieldIndex, left, poison, right) => {
          const endpoint = list[endpointIndex] ?? list[0];
          if (endpoint === undefined) return;
          const fields = fieldsOf(endpoint.dto);
          const field = fields[fieldIndex % fields.length] ?? 'token';
          const text = JSON.stringify(left).slice(0, -1) + poison + JSON.stringify(right).slice(1);
          const answer = await send(port, endpoint.path, bodyWith(endpoint.base, field, Buffer.from(text)));
          expectRefused(answer, `${endpoint.path} ${field}=${text}`, 'invalid_field_value', field);
        },
      ),
      { numRuns: 60 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('the unpoisoned resolve body is accepted (the fuzz reaches the handler)', async () => {
    const res = await send(port, '/onboard/api/resolve', Buffer.from(JSON.stringify({ token })));
    expect(res.status).toBe(200);
  });
});

describe('onboarding page: security headers', () => {
  let env: TestEnv;
  let t: TestApp;
  let https: TestApp;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp(OnboardingModule.forRoot(env.config));
    const secure = env.configWith({ ONBOARDING_PUBLIC_URL: 'https://onboard.example.test' });
    https = await createTestApp(OnboardingModule.forRoot(secure), { http: { publicUrl: secure.ONBOARDING_PUBLIC_URL } });
  });
  afterAll(async () => {
    await https?.close();
    await t?.close();
    await env?.close();
  });

  it('Permissions-Policy, its own CSP and COOP (same-origin-allow-popups) on the page; HSTS only over https', async () => {
    const page = await t.http.get('/onboard/csl_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(page.status).toBe(410);
    expect(page.headers['permissions-policy']).toMatch(/camera=\(\)/);
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['strict-transport-security']).toBeUndefined();
    const secure = await https.http.get('/onboard/csl_AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(secure.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(secure.headers['permissions-policy']).toMatch(/geolocation=\(\)/);
  });

  it('/metrics is not served on the onboarding port without METRICS_TOKEN', async () => {
    expect((await t.http.get('/metrics')).status).toBe(404);
  });
});
