import { createHash } from 'node:crypto';
import http from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { CryptoService, newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
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
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '../messaging-http.module';
import { connectSandboxNumber, freshWaId, type SeededAccount, seedContact } from './helpers';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (size: number, seed: number) => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + seed * 7 + (i >> 11)) & 0xff;
  return b;
};
/** supertest: the body as a Buffer whatever its type. */
const binary = (res: NodeJS.ReadableStream, done: (e: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/** Every line the app logs through Nest's logger, as text. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, args: unknown[]) {
    this.lines.push(
      `${level} ${args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.message} ${a.stack}` : JSON.stringify(a))).join(' ')}`,
    );
  }
  log(...args: unknown[]) {
    this.add('log', args);
  }
  error(...args: unknown[]) {
    this.add('error', args);
  }
  warn(...args: unknown[]) {
    this.add('warn', args);
  }
  debug(...args: unknown[]) {
    this.add('debug', args);
  }
  verbose(...args: unknown[]) {
    this.add('verbose', args);
  }
  fatal(...args: unknown[]) {
    this.add('fatal', args);
  }
}

/** `GET /v1/{phone_number_id}/messages/{id}/media`, streamed from the Meta sandbox. */
describe('media of messages, streamed from Meta', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  const logs = new CapturingLogger();

  beforeAll(async () => {
    sandbox = await startMetaSandbox();
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: sandbox.appSecret,
      RATE_LIMIT_WRITE_PER_MIN: '100000',
      RATE_LIMIT_READ_PER_MIN: '100000',
    });
    t = await createTestApp(
      {
        module: class Root {},
        imports: [
          PlatformModule.forRoot(env.config),
          PlatformHttpModule,
          IdentityHttpModule,
          TenancyHttpModule,
          WhatsappAccountsHttpModule,
          MessagingHttpModule,
          contextPorts(),
        ],
      },
      { listen: true, beforeInit: (app) => app.useLogger(logs) },
    );
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
    await sandbox?.stop();
  });

  type Account = SeededAccount & { teamId: string; token: string };
  const connect = async (session: OrgSession, customerId: string | null = null): Promise<Account> => {
    const a = await connectSandboxNumber(t.app, session, sandbox, env.config.META_GRAPH_VERSION, { customerId });
    const row = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: a.id } });
    return { ...a, teamId: session.teamId, token: t.app.get(CryptoService).open(row.businessTokenCiphertext) };
  };
  /** Media with known bytes at the sandbox (as a user's upload to WhatsApp) → its media id. */
  const putMedia = async (a: Account, bytes: Buffer, mimeType: string): Promise<string> => {
    const query = new URLSearchParams({ phone_number_id: a.phoneNumberId, mime_type: mimeType });
    const res = await fetch(`${sandbox.url}/_sandbox/media?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status).toBe(201);
    const media = (await res.json()) as { id: string; sha256: string };
    expect(media.sha256).toBe(sha256(bytes));
    return media.id;
  };
  const seedMessage = async (
    a: Account,
    o: { direction?: 'inbound' | 'outbound'; type: string; content: Record<string, unknown> },
  ): Promise<string> => {
    const parties = await seedContact(t.app, a, freshWaId(), new Date());
    const id = newId('msg');
    const inbound = (o.direction ?? 'inbound') === 'inbound';
    await prisma.message.create({
      data: {
        id,
        orgId: a.organizationId,
        teamId: a.teamId,
        customerId: a.customerId,
        accountId: a.id,
        conversationId: parties.conversationId,
        contactId: parties.contactId,
        direction: o.direction ?? 'inbound',
        type: o.type,
        content: o.content as object,
        status: inbound ? 'received' : 'sent',
        wamid: `wamid.media${id}`,
      },
    });
    return id;
  };
  const media = (session: OrgSession, a: { phoneNumberId: string }, id: string) =>
    t.http
      .get(`/v1/${a.phoneNumberId}/messages/${id}/media`)
      .set(session.auth)
      .buffer(true)
      .parse(binary as never);
  const asJson = (res: Response) => JSON.parse((res.body as Buffer).toString('utf8')) as { error?: { code: string; param?: string } };
  const expectJsonError = (res: Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(asJson(res).error?.code).toBe(code);
  };
  const mediaCalls = async (mediaId: string) => ({
    info: (await sandbox.requests({ endpoint: 'media', method: 'GET', path_contains: `/${mediaId}` })).length,
    downloads: (await sandbox.requests({ endpoint: 'media_download' })).filter((r) => r.query['mid'] === mediaId).map((r) => r.status),
  });
  /** Nothing of the account's token in what the app answered or logged. */
  const expectNoToken = (a: Account, responses: Response[]) => {
    for (const res of responses) {
      const body = Buffer.isBuffer(res.body) ? res.body.toString('latin1') : JSON.stringify(res.body);
      expect(body.includes(a.token)).toBe(false);
      expect(JSON.stringify(res.headers).includes(a.token)).toBe(false);
    }
    expect(logs.lines.filter((l) => l.includes(a.token) || l.includes(a.token.slice(-12)))).toEqual([]);
  };

  it('an inbound image streams byte-identical with Meta’s content type; the URL is cached; the token goes to Meta only', async () => {
    const a = await connect(s);
    const bytes = bytesOf(700_000, 1);
    const mediaId = await putMedia(a, bytes, 'image/jpeg');
    const id = await seedMessage(a, {
      type: 'image',
      content: { image: { id: mediaId, mime_type: 'image/jpeg', sha256: 'x', caption: 'look' } },
    });
    const res = await media(s, a, id);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-length']).toBe(String(bytes.length));
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(sha256(res.body as Buffer)).toBe(sha256(bytes));
    const again = await media(s, a, id);
    expect(sha256(again.body as Buffer)).toBe(sha256(bytes));
    // One GET /{media_id} for both (the URL is cached), two downloads, each with the account's token.
    expect(await mediaCalls(mediaId)).toEqual({ info: 1, downloads: [200, 200] });
    const downloads = (await sandbox.requests({ endpoint: 'media_download' })).filter((r) => r.query['mid'] === mediaId);
    for (const d of downloads) expect(d.headers['authorization']).toBe(`Bearer …${a.token.slice(-4)}`);
    expectNoToken(a, [res, again]);
  });

  it('a URL that expired at Meta (control API) is fetched again once, and the download still works', async () => {
    const a = await connect(s);
    const bytes = bytesOf(50_000, 2);
    const mediaId = await putMedia(a, bytes, 'audio/ogg');
    const id = await seedMessage(a, {
      type: 'audio',
      content: { audio: { id: mediaId, mime_type: 'audio/ogg; codecs=opus', voice: true } },
    });
    expect(sha256((await media(s, a, id)).body as Buffer)).toBe(sha256(bytes));
    await sandbox.control('POST', '/media/expire_urls');
    const second = await media(s, a, id);
    expect(second.status).toBe(200);
    expect(second.headers['content-type']).toBe('audio/ogg');
    expect(sha256(second.body as Buffer)).toBe(sha256(bytes));
    expect(await mediaCalls(mediaId)).toEqual({ info: 2, downloads: [200, 404, 200] });
  });

  it('outbound by link → 302 to the link; outbound by Meta media id → streamed; text → 404; unknown → 404; bad id → 400', async () => {
    const a = await connect(s);
    const link = 'https://cdn.example.com/catalogue.pdf?v=2';
    const byLink = await seedMessage(a, {
      direction: 'outbound',
      type: 'document',
      content: { document: { link, filename: 'catalogue.pdf' } },
    });
    const redirect = await t.http.get(`/v1/${a.phoneNumberId}/messages/${byLink}/media`).set(s.auth).redirects(0);
    expect(redirect.status).toBe(302);
    expect(redirect.headers['location']).toBe(link);

    const bytes = bytesOf(20_000, 3);
    const mediaId = await putMedia(a, bytes, 'video/mp4');
    const byId = await seedMessage(a, { direction: 'outbound', type: 'video', content: { video: { id: mediaId, caption: 'clip' } } });
    const streamed = await media(s, a, byId);
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-type']).toBe('video/mp4');
    expect(sha256(streamed.body as Buffer)).toBe(sha256(bytes));

    const text = await seedMessage(a, { type: 'text', content: { text: { body: 'no media here' } } });
    expectJsonError(await media(s, a, text), 404, 'resource_not_found');
    const location = await seedMessage(a, { type: 'location', content: { location: { latitude: 1, longitude: 2 } } });
    expectJsonError(await media(s, a, location), 404, 'resource_not_found');
    expectJsonError(await media(s, a, newId('msg')), 404, 'resource_not_found');
    const bad = await media(s, a, 'msg_bad');
    expectJsonError(bad, 400, 'invalid_field_value');
    expect(asJson(bad).error?.param).toBe('id');
  });

  it('a 20 MB document streams identical, with its filename, without the process holding the file', async () => {
    const a = await connect(s);
    const bytes = bytesOf(20 * 1024 * 1024, 4);
    const digest = sha256(bytes);
    const mediaId = await putMedia(a, bytes, 'application/pdf');
    const id = await seedMessage(a, {
      type: 'document',
      content: { document: { id: mediaId, mime_type: 'application/pdf', filename: 'Faktur Mei 2026 – “final”.pdf' } },
    });
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; digest: string; size: number }>(
      (resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: t.port, path: `/v1/${a.phoneNumberId}/messages/${id}/media`, headers: s.auth }, (res) => {
            const hash = createHash('sha256');
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              hash.update(chunk);
              size += chunk.length;
              peak = Math.max(peak, process.memoryUsage().rss);
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, digest: hash.digest('hex'), size }));
            res.on('error', reject);
          })
          .on('error', reject);
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.size).toBe(bytes.length);
    expect(answer.digest).toBe(digest);
    expect(answer.headers['content-type']).toBe('application/pdf');
    expect(answer.headers['content-length']).toBe(String(bytes.length));
    expect(answer.headers['content-disposition']).toBe(
      `attachment; filename="Faktur Mei 2026 _ _final_.pdf"; filename*=UTF-8''Faktur%20Mei%202026%20%E2%80%93%20%E2%80%9Cfinal%E2%80%9D.pdf`,
    );
    // Streaming, the process grows by far less than the file (buffering it would add 20 MB or more).
    expect(peak - rssBefore).toBeLessThan(12 * 1024 * 1024);
  });

  it('Meta failing → 502 whatsapp_upstream_error (GET /{media_id}, or the download); a disconnected account → 422', async () => {
    const a = await connect(s);
    const mediaId = await putMedia(a, bytesOf(1000, 5), 'image/png');
    const id = await seedMessage(a, { type: 'sticker', content: { sticker: { id: mediaId, mime_type: 'image/webp', animated: false } } });
    await sandbox.setFault({ endpoint: 'media', method: 'GET', target_id: mediaId, http_status: 500, times: 1 });
    const failedInfo = await media(s, a, id);
    expectJsonError(failedInfo, 502, 'whatsapp_upstream_error');
    await sandbox.setFault({ endpoint: 'media_download', http_status: 503, times: 1 });
    const failedDownload = await media(s, a, id);
    expectJsonError(failedDownload, 502, 'whatsapp_upstream_error');
    const ok = await media(s, a, id);
    expect(ok.status).toBe(200);
    expect(logs.lines.some((l) => l.includes('meta media failed') || l.includes('meta media_download failed'))).toBe(true);
    expectNoToken(a, [failedInfo, failedDownload, ok]);
    await sandbox.control('DELETE', `/media/${mediaId}`);
    await sandbox.control('POST', '/media/expire_urls');
    expectJsonError(await media(s, a, id), 502, 'whatsapp_upstream_error');
    await prisma.whatsappAccount.update({ where: { id: a.id }, data: { status: 'disconnected' } });
    expectJsonError(await media(s, a, id), 422, 'account_not_connected');
  });

  it('another organization → 404; a customer-restricted key → 404 for another customer’s number, 200 for its own', async () => {
    const a = await connect(s);
    const mediaId = await putMedia(a, bytesOf(100, 6), 'image/jpeg');
    const id = await seedMessage(a, { type: 'image', content: { image: { id: mediaId, mime_type: 'image/jpeg' } } });
    const stranger = await createOrgSession(t.app);
    expectJsonError(await media(stranger, a, id), 404, 'resource_not_found');
    const theirs = await connect(stranger);
    expectJsonError(await media(stranger, theirs, id), 404, 'resource_not_found');

    const mine = (await t.http.post('/v1/customers').set(s.auth).send({ name: 'Toko Media' })).body.data as { id: string };
    const key = await t.app.get(ApiKeysService).create(s.organizationId, { customerId: mine.id, label: 'restricted' });
    const restricted = { ...s, auth: { Authorization: `Bearer ${key.secret}` } };
    expectJsonError(await media(restricted, a, id), 404, 'resource_not_found');
    const ours = await connect(s, mine.id);
    const ourMedia = await putMedia(ours, bytesOf(100, 7), 'image/jpeg');
    const ourId = await seedMessage(ours, { type: 'image', content: { image: { id: ourMedia, mime_type: 'image/jpeg' } } });
    expect((await media(restricted, ours, ourId)).status).toBe(200);
    expectJsonError(await media(restricted, ours, id), 404, 'resource_not_found');
    expect((await mediaCalls(mediaId)).info).toBe(0);
  });
});
