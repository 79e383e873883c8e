import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { Body, Controller, Get, Logger, Module, Post, Req } from '@nestjs/common';
import { IsObject, IsOptional, IsString } from 'class-validator';
import type { Request } from 'express';
import { createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { isId } from '../ids/ids';
import { Public } from '../auth/principal';
import { PlatformModule } from '../platform.module';
import { mountOpenApi } from './configure-http-app';
import { MAX_BODY_BYTES, type RequestWithRawBody } from './json-body';
import { SingleLineText } from './single-line-text';

class EchoDto {
  @IsString() @SingleLineText() name!: string;
  @IsOptional() @IsObject() metadata?: Record<string, unknown>;
}

const SECRET = 'test-app-secret';
const RAW_LIMIT = 2 * 1024 * 1024;

@Controller('t')
class EdgeTestController {
  @Post('echo') @Public() echo(@Body() body: EchoDto) {
    return { body, metadataKeys: body.metadata === undefined ? null : Object.keys(body.metadata) };
  }
  @Get('ip') @Public() ip(@Req() req: Request) {
    return { ip: req.ip, protocol: req.protocol };
  }
  @Post('signed') @Public() signed(@Req() req: RequestWithRawBody) {
    const expected =
      'sha256=' +
      createHmac('sha256', SECRET)
        .update(req.rawBody ?? Buffer.alloc(0))
        .digest('hex');
    return {
      verified: expected === req.headers['x-hub-signature-256'],
      bytes: req.rawBody?.length ?? null,
      parsed: req.body !== undefined,
    };
  }
  @Post('plain') @Public() plain() {
    return { ok: true };
  }
  @Get('boom') @Public() boom(): never {
    throw new Error('boom');
  }
}

@Module({ controllers: [EdgeTestController] })
class EdgeTestModule {}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request written on a raw socket, as a client that does not go through Node's HTTP client would. */
function raw(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      if (statusLine === '') reject(new Error('no response'));
      else resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    };
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => finish());
    socket.on('close', finish);
    socket.write(request);
  });
}

/** A POST of exact bytes (supertest would JSON-encode a Buffer sent as application/json). */
function postBytes(
  port: number,
  path: string,
  bytes: Buffer,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  headers: Record<string, string>;
  body: { data?: unknown; error?: { code: string; request_id: string; param?: string } };
}> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': bytes.length, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as Record<string, string>,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(bytes);
  });
}

function expectEnvelope(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = JSON.parse(res.body) as { error: { code: string; request_id: string; type: string } };
  expect(body.error.code).toBe(code);
  expect(isId('req', res.headers['x-request-id'])).toBe(true);
  expect(body.error.request_id).toBe(res.headers['x-request-id']);
}

describe('HTTP edge of every app (configureHttpApp on a real listening server)', () => {
  let env: TestEnv;
  let t: TestApp;
  let tuned: TestApp;
  let port: number;
  const METRICS_TOKEN = 'metrics-token-0123456789';

  beforeAll(async () => {
    env = await createTestEnv();
    const root = (config = env.config) => ({ module: class Root {}, imports: [PlatformModule.forRoot(config), EdgeTestModule] });
    t = await createTestApp(root(), {
      listen: true,
      http: { rawBodyRoutes: [{ path: '/t/signed', limit: RAW_LIMIT }] },
      beforeInit: (app) => mountOpenApi(app),
    });
    port = t.port ?? 0;
    tuned = await createTestApp(root(env.configWith({ TRUST_PROXY: 'loopback', METRICS_TOKEN })), {
      http: { publicUrl: 'https://api.example.test' },
    });
  });
  afterAll(async () => {
    await tuned?.close();
    await t?.close();
    await env?.close();
  });

  describe("Node's HTTP layer answers in the envelope with a request id", () => {
    it('431 for a URL or headers over 16 KB', async () => {
      expectEnvelope(await raw(port, `GET /t/ip HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`), 431, 'invalid_field_value');
      expectEnvelope(await raw(port, `GET /t/ip?${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`), 431, 'invalid_field_value');
    });

    it('400 for control characters in a header and for a bad Content-Length', async () => {
      expectEnvelope(
        await raw(port, 'POST /t/plain HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\x01b\r\nContent-Length: 0\r\n\r\n'),
        400,
        'invalid_field_value',
      );
      expectEnvelope(await raw(port, 'POST /t/plain HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), 400, 'invalid_field_value');
      expectEnvelope(
        await raw(port, 'POST /t/plain HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'),
        400,
        'invalid_field_value',
      );
    });

    it('417 for an unknown Expect; 413 before the body for 100-continue over the limit; 100-continue below it works', async () => {
      expectEnvelope(await raw(port, 'GET /t/ip HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n'), 417, 'invalid_field_value');
      const tooBig = `POST /t/plain HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`;
      expectEnvelope(await raw(port, tooBig), 413, 'payload_too_large');
      const small = await raw(
        port,
        'POST /t/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"name":"a"}',
      );
      expect(small.status).toBe(100);
      expect(small.body).toMatch(/^HTTP\/1.1 201/);
    });
  });

  describe('body reader', () => {
    const post = (body: string | Buffer, type = 'application/json') => t.http.post('/t/echo').set('Content-Type', type).send(body);
    const expectError = (
      res: { status: number; body: { error?: { code: string; request_id: string; param?: string } }; headers: Record<string, string> },
      status: number,
      code: string,
      param?: string,
    ) => {
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.request_id).toBe(res.headers['x-request-id']);
      if (param !== undefined) expect(res.body.error?.param).toBe(param);
    };

    it('415 for any Content-Encoding (a plain body marked gzip, br) and for a charset other than UTF-8', async () => {
      for (const encoding of ['gzip', 'br', 'deflate', 'x-unknown']) {
        expectError(
          await t.http.post('/t/echo').set('Content-Type', 'application/json').set('Content-Encoding', encoding).send('{"name":"a"}'),
          415,
          'unsupported_media_type',
        );
      }
      expectError(
        await postBytes(port, '/t/echo', Buffer.from('{"name":"a"}', 'utf16le'), { 'Content-Type': 'application/json; charset=utf-16' }),
        415,
        'unsupported_media_type',
      );
      expectError(await post('{"name":"a"}', 'application/json; charset=latin1'), 415, 'unsupported_media_type');
      expect((await post('{"name":"a"}', 'application/json; charset=UTF-8')).status).toBe(201);
      expect((await t.http.post('/t/echo').set('Content-Encoding', 'identity').send({ name: 'a' })).status).toBe(201);
    });

    it('400 invalid_json for nesting deeper than the bound (an array ~1,300 deep, 2.6 KB)', async () => {
      expectError(await post(`{"name":"a","metadata":{"x":${'['.repeat(1300)}${']'.repeat(1300)}}}`), 400, 'invalid_json');
      expectError(await post('['.repeat(1300) + ']'.repeat(1300)), 400, 'invalid_json');
    });

    it('400 invalid_field_value with the dotted path for what cannot be stored exactly', async () => {
      expectError(await post('{"name":"a","metadata":{"foo":"\\ud800"}}'), 400, 'invalid_field_value', 'metadata.foo');
      expectError(await post('{"name":"\\udfff"}'), 400, 'invalid_field_value', 'name');
      expectError(await post('{"name":"a\\u0000b"}'), 400, 'invalid_field_value', 'name');
      expectError(await post('{"name":"a","metadata":{"n":1e400}}'), 400, 'invalid_field_value', 'metadata.n');
      expectError(await post('{"name":"a","metadata":{"items":[0,{"x":-1e400}]}}'), 400, 'invalid_field_value', 'metadata.items[1].x');
      const badUtf8 = Buffer.concat([Buffer.from('{"name":"a","metadata":{"k":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]);
      expectError(await postBytes(port, '/t/echo', badUtf8), 400, 'invalid_field_value', 'metadata.k');
    });

    it('control characters in single-line text → 400; the whitespace names collapse passes', async () => {
      for (const c of ['\u0001', '\u0007', '\u001b', '\u007f', '\u009b']) {
        expectError(await t.http.post('/t/echo').send({ name: `a${c}b` }), 400, 'invalid_field_value', 'name');
      }
      expect((await t.http.post('/t/echo').send({ name: 'a\tb\nc\r' })).status).toBe(201);
    });

    it('built-in property names are unknown fields at the top level, and kept exactly inside free JSON', async () => {
      for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
        expectError(await post(`{"name":"p","${key}":1}`), 400, 'unknown_field', key);
      }
      expectError(await post('{"name":"p","constructor":1,"toString":1,"__proto__":{}}'), 400, 'unknown_field');
      const kept = await post('{"name":"p","metadata":{"constructor":1,"toString":"x","valueOf":{"hasOwnProperty":true}}}');
      expect(kept.status).toBe(201);
      expect(kept.body.data.metadataKeys).toEqual(['constructor', 'toString', 'valueOf']);
      expect(kept.body.data.body.metadata).toEqual({ constructor: 1, toString: 'x', valueOf: { hasOwnProperty: true } });
      expectError(
        await post('{"name":"p","metadata":{"a":{"__proto__":{"polluted":true}}}}'),
        400,
        'invalid_field_value',
        'metadata.a.__proto__',
      );
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    });

    it('a DTO body must be an object; the query follows the same text rules', async () => {
      expectError(await post('[{"name":"a"}]'), 400, 'invalid_field_value');
    });
  });

  describe('raw-body routes', () => {
    const sign = (bytes: Buffer) => 'sha256=' + createHmac('sha256', SECRET).update(bytes).digest('hex');

    it('keep the exact bytes (the HMAC verifies), with their own limit; other routes keep 1 MiB', async () => {
      const bytes = Buffer.from('{ "entry" : [ {"id":"1", "text":"caf\u00e9 \\u00e9"} ] ,"pad":"' + 'x'.repeat(1_500_000) + '"}\n', 'utf8');
      const res = await postBytes(port, '/t/signed', bytes, { 'X-Hub-Signature-256': sign(bytes) });
      expect(res.status).toBe(201);
      expect(res.body.data).toEqual({ verified: true, bytes: bytes.length, parsed: true });
      // The same 1.5 MB on a route without raw capture is over the 1 MiB limit.
      expectError(await postBytes(port, '/t/plain', bytes), 413, 'payload_too_large');
      const over = Buffer.from(JSON.stringify({ pad: 'x'.repeat(RAW_LIMIT) }));
      expectError(await postBytes(port, '/t/signed', over), 413, 'payload_too_large');
      // Under the limit but streamed without Content-Length (chunked): still counted.
      const chunked = await raw(
        port,
        `POST /t/signed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${(RAW_LIMIT + 10).toString(16)}\r\n${'x'.repeat(RAW_LIMIT + 10)}\r\n0\r\n\r\n`,
      );
      expectEnvelope(chunked, 413, 'payload_too_large');
    });

    function expectError(
      res: { status: number; body: { error?: { code: string; request_id: string } }; headers: Record<string, string> },
      status: number,
      code: string,
    ) {
      expect(res.status).toBe(status);
      expect(res.body.error?.code).toBe(code);
      expect(res.body.error?.request_id).toBe(res.headers['x-request-id']);
    }
  });

  describe('TRUST_PROXY', () => {
    it('forwarded headers are ignored by default', async () => {
      const res = await t.http.get('/t/ip').set('X-Forwarded-For', '203.0.113.9').set('X-Forwarded-Proto', 'https');
      expect(res.body.data.ip).not.toBe('203.0.113.9');
      expect(res.body.data.ip).toMatch(/127\.0\.0\.1/);
      expect(res.body.data.protocol).toBe('http');
    });

    it('honoured from the proxies TRUST_PROXY names', async () => {
      const res = await tuned.http.get('/t/ip').set('X-Forwarded-For', '203.0.113.9').set('X-Forwarded-Proto', 'https');
      expect(res.body.data).toEqual({ ip: '203.0.113.9', protocol: 'https' });
    });
  });

  describe('/metrics', () => {
    it('is not served without METRICS_TOKEN (public ports)', async () => {
      expect((await t.http.get('/metrics')).status).toBe(404);
    });

    it('requires METRICS_TOKEN as a bearer token when set', async () => {
      for (const auth of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`]) {
        const req = tuned.http.get('/metrics');
        const res = await (auth === undefined ? req : req.set('Authorization', auth));
        expect(res.status).toBe(401);
        expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
      }
      const ok = await tuned.http.get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('process_cpu_user_seconds_total');
    });
  });

  describe('security headers', () => {
    it('on API answers and on /docs (Swagger UI keeps working under the CSP)', async () => {
      for (const path of ['/t/ip', '/nowhere', '/docs']) {
        const res = await t.http.get(path);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
        expect(res.headers['strict-transport-security']).toBeUndefined();
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
      const docs = await t.http.get('/docs');
      expect(docs.status).toBe(200);
      const scripts = [...docs.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? '');
      expect(scripts.length).toBeGreaterThan(0);
      expect(docs.text).not.toMatch(/<script>(?!\s*<\/script>)/);
      for (const src of scripts) expect((await t.http.get(new URL(src, 'http://x/').pathname)).status).toBe(200);
    });

    it('HSTS when the public URL is https', async () => {
      expect((await tuned.http.get('/t/ip')).headers['strict-transport-security']).toMatch(/max-age=\d+/);
    });
  });

  it('every 5xx is logged with its request id', async () => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const res = await t.http.get('/t/boom');
      expect(res.status).toBe(500);
      const logged = spy.mock.calls.map((c) => JSON.stringify(c[0]));
      expect(logged.some((line) => line.includes(res.headers['x-request-id'] ?? '???'))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
