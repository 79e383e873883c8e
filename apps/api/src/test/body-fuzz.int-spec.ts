import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { buildOpenApiDocument, isId, newId, PrismaService } from '@kirim/platform';
import {
  databaseSnapshot,
  createOrgSession,
  createTestApp,
  createTestEnv,
  type OrgSession,
  type TestApp,
  type TestEnv,
} from '@kirim/testing';
import { AppModule } from '../app/app.module';
import { apiHttpOptions } from '../app/http-options';

/**
 * Promise 4 of spec 08 over every write route of the api, enumerated from the OpenAPI document (a new
 * endpoint is fuzzed without touching this file): each body field gets every value PostgreSQL or the
 * pipeline could choke on; the answer is always a 4xx in the envelope with X-Request-Id, and the
 * database is byte-for-byte unchanged.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

function send(port: number, method: string, path: string, body: Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: method.toUpperCase(),
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

/** Values (as JSON text or raw bytes) that cannot be stored exactly, or break a naive pipeline. */
const POISON: { name: string; json: Buffer; code: string[]; inFreeJson: boolean }[] = [
  ...['"\\ud800"', '"x\\udfffy"', '"\\udc00\\ud800"'].map((j) => ({ name: `lone surrogate ${j}`, j })),
  { name: 'NUL', j: '"a\\u0000b"' },
  ...['1e400', '-1e400', '1e-400', '123456789012345678901234567890', '3.141592653589793238462643383279'].map((j) => ({
    name: `number ${j}`,
    j,
  })),
].map(({ name, j }) => ({ name, json: Buffer.from(j), code: ['invalid_field_value'], inFreeJson: true }));
POISON.push(
  { name: 'invalid UTF-8', json: Buffer.from([0x22, 0x61, 0xc3, 0x28, 0xff, 0x22]), code: ['invalid_field_value'], inFreeJson: true },
  { name: 'overlong UTF-8', json: Buffer.from([0x22, 0xc0, 0xaf, 0x22]), code: ['invalid_field_value'], inFreeJson: true },
  { name: 'UTF-8 surrogate', json: Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), code: ['invalid_field_value'], inFreeJson: true },
  { name: 'deep nesting', json: Buffer.from('['.repeat(1300) + ']'.repeat(1300)), code: ['invalid_json'], inFreeJson: true },
  { name: 'deep objects', json: Buffer.from('{"a":'.repeat(700) + '1' + '}'.repeat(700)), code: ['invalid_json'], inFreeJson: true },
  // Control characters: refused in single-line text; free JSON (metadata) may hold them.
  ...['\\u0001', '\\u0007', '\\u001b', '\\u007f', '\\u0085', '\\u009b'].map((c) => ({
    name: `control ${c}`,
    json: Buffer.from(`"a${c}b"`),
    code: ['invalid_field_value'],
    inFreeJson: false,
  })),
);
const BUILT_INS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype', 'isPrototypeOf'];

/** `{...base, [field]: <poison>}` as bytes; `field` may be `metadata.inner`. */
function bodyWith(base: Record<string, unknown>, field: string, poison: Buffer): Buffer {
  const [top = '', inner] = field.split('.');
  const rest = Object.fromEntries(Object.entries(base).filter(([k]) => k !== top));
  const head = JSON.stringify(rest).slice(0, -1);
  const sep = head === '{' ? '' : ',';
  const value = inner === undefined ? poison : Buffer.concat([Buffer.from(`{"ok":1,${JSON.stringify(inner)}:`), poison, Buffer.from('}')]);
  return Buffer.concat([Buffer.from(`${head}${sep}${JSON.stringify(top)}:`), value, Buffer.from('}')]);
}

describe('api: bad bodies on every write route → 4xx in the envelope, nothing changed', () => {
  let env: TestEnv;
  let t: TestApp;
  let s: OrgSession;
  let prisma: PrismaService;
  let port: number;
  let routes: { method: string; path: string; schema: string | undefined }[];
  let schemas: Record<string, { properties?: Record<string, { type?: string | string[] }> }>;
  const fixtures: Record<string, string> = {};

  beforeAll(async () => {
    env = await createTestEnv({ RATE_LIMIT_WRITE_PER_MIN: '1000000', RATE_LIMIT_READ_PER_MIN: '1000000' });
    t = await createTestApp(AppModule.forRoot(env.config), { listen: true, http: apiHttpOptions(env.config) });
    port = t.port ?? 0;
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
    const customer = await t.http
      .post('/v1/customers')
      .set(s.auth)
      .send({ name: 'Fixture', metadata: { a: 1 } })
      .expect(201);
    fixtures['customers'] = (customer.body as { data: { id: string } }).data.id;
    const link = await t.http.post(`/v1/customers/${fixtures['customers']}/setup_links`).set(s.auth).send({}).expect(201);
    fixtures['setup_links'] = (link.body as { data: { id: string } }).data.id;
    const doc = buildOpenApiDocument(t.app);
    schemas = (doc.components?.schemas ?? {}) as typeof schemas;
    routes = Object.entries(doc.paths).flatMap(([path, item]) =>
      (['post', 'patch', 'put', 'delete'] as const)
        .filter((m) => item[m] !== undefined)
        .map((method) => {
          const ref = (item[method]?.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined)?.content?.[
            'application/json'
          ]?.schema?.$ref;
          return { method, path, schema: ref?.split('/').pop() };
        }),
    );
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  /** A concrete URL: real fixtures for POST/PATCH (so validation is reached), unknown ids for DELETE. */
  function urlOf(route: { method: string; path: string }): string {
    return route.path.replace(/\{(\w+)\}/g, (_, name: string, offset: number) => {
      if (name === 'phone_number_id') return '100000000000001';
      const collection = route.path.slice(0, offset).split('/').filter(Boolean).pop() ?? '';
      const prefix =
        {
          customers: 'cus',
          setup_links: 'csl',
          api_keys: 'key',
          messages: 'msg',
          labels: 'lbl',
          contacts: 'ctc',
          conversations: 'cnv',
          templates: 'tmpl',
          webhook_subscriptions: 'wbs',
          webhook_deliveries: 'wbd',
        }[collection] ?? 'cus';
      return route.method === 'delete' ? newId(prefix as 'cus') : (fixtures[collection] ?? newId(prefix as 'cus'));
    });
  }

  const BASES: Record<string, Record<string, unknown>> = {
    CreateApiKeyDto: { label: 'fuzz' },
    CreateCustomerDto: { name: 'Fuzz', metadata: { a: 1 } },
    UpdateCustomerDto: { name: 'Fuzz 2' },
    CreateSetupLinkDto: { expires_in_hours: 24 },
    UpdateSetupLinkDto: { success_redirect_url: 'https://ok.example/x' },
    CreateLabelDto: { name: 'Fuzz' },
    UpdateLabelDto: { name: 'Fuzz 2' },
    CreateContactDto: { phone_number: '+6281112223333' },
    UpdateContactDto: { name: 'Fuzz' },
    AttachLabelDto: { label_id: newId('lbl') },
    BulkLabelDto: { contact_ids: [newId('ctc')], label_id: newId('lbl'), operation: 'attach' },
    UpdateConversationDto: { status: 'open' },
    CreateTemplateDto: { name: 'fuzz', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi' }] },
    CreateWebhookSubscriptionDto: { url: 'https://127.0.0.1/fuzz', events: ['*'] },
    UpdateWebhookSubscriptionDto: { description: 'Fuzz' },
    RotateWebhookSecretDto: { expire_current_in_hours: 1 },
    BulkReplayDto: { subscription_id: newId('wbs') },
  };

  function fieldsOf(schema: string | undefined): { field: string; freeJson: boolean }[] {
    const properties = schema === undefined ? {} : (schemas[schema]?.properties ?? {});
    const fields = Object.entries(properties).flatMap(([name, p]) => {
      const object = p.type === 'object' || (Array.isArray(p.type) && p.type.includes('object'));
      return object
        ? [
            { field: name, freeJson: false },
            { field: `${name}.inner`, freeJson: true },
          ]
        : [{ field: name, freeJson: false }];
    });
    return fields.length > 0 ? fields : [{ field: 'x', freeJson: false }];
  }

  const snapshot = () => databaseSnapshot(prisma);

  function expectRefused(answer: Answer, what: string, codes?: string[], param?: string): void {
    const context = `${what} → ${answer.status} ${answer.text.slice(0, 300)}`;
    expect([context, answer.status >= 400 && answer.status < 500]).toEqual([context, true]);
    const body = JSON.parse(answer.text) as { error?: { code?: string; request_id?: string; param?: string } };
    const requestId = answer.headers['x-request-id'];
    expect([context, isId('req', requestId), body.error?.request_id === requestId]).toEqual([context, true, true]);
    if (codes !== undefined) expect([context, codes.includes(body.error?.code ?? '')]).toEqual([context, true]);
    if (param !== undefined) expect([context, body.error?.param]).toEqual([context, param]);
  }

  it('finds the write routes in the OpenAPI document', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'post /v1/customers',
        'patch /v1/customers/{id}',
        'post /v1/api_keys',
        'post /v1/customers/{id}/setup_links',
      ]),
    );
  });

  it('every field × every poison, built-in names, content encodings and charsets', async () => {
    const before = await snapshot();
    let cases = 0;
    for (const route of routes) {
      const url = urlOf(route);
      const base = BASES[route.schema ?? ''] ?? {};
      const auth = { Authorization: s.auth.Authorization };
      const fields = fieldsOf(route.schema);
      for (const { field, freeJson } of fields) {
        for (const poison of POISON) {
          if (freeJson && !poison.inFreeJson) continue;
          // Parse-level refusals happen before routing, whatever the route; the control-character rule is the DTO's.
          if (!poison.inFreeJson && route.schema === undefined) continue;
          const answer = await send(port, route.method, url, bodyWith(base, field, poison.json), auth);
          const param = poison.code[0] === 'invalid_json' ? undefined : field.replace('.inner', freeJson ? '.inner' : '');
          // A phone number's own code names the field as precisely (spec 01: `invalid_phone_number`).
          const codes =
            field === 'phone_number' && poison.code[0] === 'invalid_field_value' ? [...poison.code, 'invalid_phone_number'] : poison.code;
          expectRefused(answer, `${route.method} ${url} ${field}=${poison.name}`, codes, param);
          cases++;
        }
      }
      for (const key of BUILT_INS) {
        const at = (prefix: string) => Buffer.from(`${prefix}"${key}":1}`);
        const head = JSON.stringify(base).slice(0, -1);
        const answer = await send(port, route.method, url, at(head === '{' ? '{' : `${head},`), auth);
        if (route.schema !== undefined) expectRefused(answer, `${route.method} ${url} top-level ${key}`, ['unknown_field'], key);
        else expectRefused(answer, `${route.method} ${url} top-level ${key}`);
        cases++;
      }
      if (fields.some((f) => f.freeJson)) {
        const field = fields.find((f) => f.freeJson)?.field.split('.')[0] ?? '';
        const proto = bodyWith(base, `${field}.__proto__`, Buffer.from('{"polluted":true}'));
        expectRefused(await send(port, route.method, url, proto, auth), `${route.method} ${url} ${field}.__proto__`, [
          'invalid_field_value',
        ]);
        cases++;
      }
      const plain = Buffer.from(JSON.stringify(base));
      for (const headers of [{ 'Content-Encoding': 'gzip' }, { 'Content-Encoding': 'br' }, { 'Content-Encoding': 'deflate' }]) {
        expectRefused(
          await send(port, route.method, url, plain, { ...auth, ...headers }),
          `${route.method} ${url} ${JSON.stringify(headers)}`,
          ['unsupported_media_type'],
        );
        cases++;
      }
      // Without a key too: the body is refused before authentication, never with a 500.
      expectRefused(await send(port, route.method, url, plain, { 'Content-Encoding': 'gzip' }), `${route.method} ${url} gzip no key`, [
        'unsupported_media_type',
      ]);
      const utf16 = Buffer.from(JSON.stringify(base), 'utf16le');
      expectRefused(
        await send(port, route.method, url, utf16, { ...auth, 'Content-Type': 'application/json; charset=utf-16' }),
        `${url} utf-16`,
        ['unsupported_media_type'],
      );
      cases += 2;
    }
    expect(cases).toBeGreaterThan(200);
    expect(await snapshot()).toEqual(before);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('random text with a lone surrogate or NUL anywhere, in any field (property-based)', async () => {
    const before = await snapshot();
    const writable = routes.filter((r) => r.schema !== undefined);
    const bad = fc.constantFrom('\\ud800', '\\udbff', '\\udc00', '\\u0000');
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: writable.length - 1 }),
        fc.nat(),
        fc.string({ maxLength: 20 }),
        bad,
        fc.string({ maxLength: 20 }),
        async (routeIndex, fieldIndex, left, poison, right) => {
          const route = writable[routeIndex] ?? writable[0];
          if (route === undefined) return;
          const fields = fieldsOf(route.schema);
          const { field } = fields[fieldIndex % fields.length] ?? { field: 'x' };
          const text = JSON.stringify(left).slice(0, -1) + poison + JSON.stringify(right).slice(1);
          const answer = await send(port, route.method, urlOf(route), bodyWith(BASES[route.schema ?? ''] ?? {}, field, Buffer.from(text)), {
            Authorization: s.auth.Authorization,
          });
          expectRefused(answer, `${route.path} ${field}=${text}`, ['invalid_field_value'], field);
        },
      ),
      { numRuns: 60 },
    );
    expect(await snapshot()).toEqual(before);
  });

  it('the same bodies without the poison are accepted (the fuzz reaches the handlers)', async () => {
    const created = await send(port, 'post', '/v1/customers', Buffer.from(JSON.stringify(BASES['CreateCustomerDto'])), {
      Authorization: s.auth.Authorization,
    });
    expect(created.status).toBe(201);
    const patched = await send(
      port,
      'patch',
      `/v1/customers/${fixtures['customers']}`,
      Buffer.from('{"metadata":{"constructor":1,"toString":"x"}}'),
      {
        Authorization: s.auth.Authorization,
      },
    );
    expect(patched.status).toBe(200);
    expect((JSON.parse(patched.text) as { data: { metadata: unknown } }).data.metadata).toEqual({ constructor: 1, toString: 'x' });
    const read = await t.http.get(`/v1/customers/${fixtures['customers']}`).set(s.auth).expect(200);
    expect((read.body as { data: { metadata: unknown } }).data.metadata).toEqual({ constructor: 1, toString: 'x' });
  });
});
