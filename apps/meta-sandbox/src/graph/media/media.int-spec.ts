import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { expectGraphError, type Fixture, Sandbox, V } from '../../test/harness';
import { WebhookReceiver } from '../../test/webhook-receiver';

type Onboarded = Fixture & { token: string };

const sha256 = (bytes: Buffer, encoding: 'hex' | 'base64' = 'hex') => createHash('sha256').update(bytes).digest(encoding);
const bytesOf = (size: number, seed = 7) => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};
/** supertest: keep a binary body as a Buffer. */
const binary = (res: NodeJS.ReadableStream & { setEncoding(e: string): void }, done: (e: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('media (reference §3.5): upload, GET /{media_id} with an expiring URL, download, delete', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await Sandbox.start();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  const upload = (
    f: Onboarded,
    bytes: Buffer,
    mime: string,
    o: { type?: string | null; product?: string | null; filename?: string } = {},
  ) => {
    const req = sandbox.http.post(`${V}/${f.phone_number.id}/media`).auth(f.token, { type: 'bearer' });
    if (o.product !== null) req.field('messaging_product', o.product ?? 'whatsapp');
    if (o.type !== null) req.field('type', o.type ?? mime);
    return req.attach('file', bytes, { filename: o.filename ?? 'file.bin', contentType: mime });
  };
  const info = (f: Onboarded, id: string, token = f.token) => sandbox.http.get(`${V}/${id}`).auth(token, { type: 'bearer' });
  /** The download URL's path and query on the in-process app (its origin is the public URL). */
  const pathOf = (url: string) => url.slice(sandbox.config.publicUrl.length);
  /** Downloads a URL; an error answer's JSON body is parsed (Meta's envelope), else the body is the bytes. */
  const download = async (url: string, token: string | null): Promise<Response> => {
    const req = sandbox.http
      .get(pathOf(url))
      .buffer(true)
      .parse(binary as never);
    const res = await (token === null ? req : req.auth(token, { type: 'bearer' }));
    if (String(res.headers['content-type']).startsWith('application/json')) res.body = JSON.parse((res.body as Buffer).toString('utf8'));
    return res;
  };

  it('uploads a file and answers {id}; GET /{id} gives Meta’s fields and a URL that streams the bytes with the token', async () => {
    const f = await sandbox.onboarded();
    const bytes = bytesOf(300_000);
    const up = await upload(f, bytes, 'image/jpeg').expect(200);
    expect(up.body).toEqual({ id: expect.stringMatching(/^\d{15}$/) });

    const res = await info(f, up.body.id).expect(200);
    expect(res.body).toEqual({
      messaging_product: 'whatsapp',
      url: expect.stringMatching(/^http:\/\/sandbox\.test:3005\/whatsapp_business\/attachments\/\?mid=\d+&ext=\d+&hash=[\w-]+$/),
      mime_type: 'image/jpeg',
      sha256: sha256(bytes),
      file_size: bytes.length,
      id: up.body.id,
    });
    const got = await download(res.body.url, f.token);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.headers['content-length']).toBe(String(bytes.length));
    expect(sha256(got.body as Buffer)).toBe(sha256(bytes));
    // With the version segment and ?phone_number_id= too.
    await sandbox.http
      .get(`/v21.0/${up.body.id}`)
      .query({ phone_number_id: f.phone_number.id })
      .auth(f.token, { type: 'bearer' })
      .expect(200);
  });

  it('the URL needs a token of the business (401 / 403), expires after 5 minutes (404), and a new GET gives a new one', async () => {
    const f = await sandbox.onboarded();
    const other = await sandbox.onboarded();
    const bytes = bytesOf(1000);
    const { id } = (await upload(f, bytes, 'application/pdf').expect(200)).body as { id: string };
    const { url } = (await info(f, id).expect(200)).body as { url: string };
    expectGraphError(await download(url, null), 190, 401);
    expectGraphError(await download(url, other.token), 200, 403);
    expectGraphError(await info(f, id, other.token), 200, 403);
    expectGraphError(await download(url.replace(/hash=[\w-]+/, 'hash=forged'), f.token), 100, 404);

    sandbox.clock.advance(4 * 60_000);
    expect((await download(url, f.token)).status).toBe(200);
    sandbox.clock.advance(60_000);
    const expired = await download(url, f.token);
    expectGraphError(expired, 100, 404);
    const again = (await info(f, id).expect(200)).body as { url: string };
    expect(again.url).not.toBe(url);
    expect(sha256((await download(again.url, f.token)).body as Buffer)).toBe(sha256(bytes));
  });

  it('the control API sets the URL lifetime and expires every URL now', async () => {
    const f = await sandbox.onboarded();
    const { id } = (await upload(f, bytesOf(10), 'text/plain').expect(200)).body as { id: string };
    await sandbox.http.put('/_sandbox/media/settings').send({ url_lifetime_seconds: 10 }).expect(200, { url_lifetime_seconds: 10 });
    const short = (await info(f, id).expect(200)).body as { url: string };
    sandbox.clock.advance(10_000);
    expect((await download(short.url, f.token)).status).toBe(404);
    await sandbox.http.put('/_sandbox/media/settings').send({ url_lifetime_seconds: 300 }).expect(200);

    const a = (await info(f, id).expect(200)).body as { url: string };
    const b = (await info(f, id).expect(200)).body as { url: string };
    expect((await download(a.url, f.token)).status).toBe(200);
    const expired = await sandbox.http.post('/_sandbox/media/expire_urls').expect(200);
    expect(expired.body.expired).toBeGreaterThanOrEqual(2);
    expect((await download(a.url, f.token)).status).toBe(404);
    expect((await download(b.url, f.token)).status).toBe(404);
    expect((await download(((await info(f, id)).body as { url: string }).url, f.token)).status).toBe(200);
    await sandbox.http.put('/_sandbox/media/settings').send({ url_lifetime_seconds: -1 }).expect(400);
  });

  it('DELETE /{id} → {success: true}; then the id and its URLs are gone', async () => {
    const f = await sandbox.onboarded();
    const { id } = (await upload(f, bytesOf(10), 'audio/ogg').expect(200)).body as { id: string };
    const { url } = (await info(f, id).expect(200)).body as { url: string };
    await sandbox.http.delete(`${V}/${id}`).auth(f.token, { type: 'bearer' }).expect(200, { success: true });
    expectGraphError(await info(f, id), 100, 400, 33);
    expect((await download(url, f.token)).status).toBe(404);
  });

  it('refuses uploads as Meta does: no messaging_product or file (100), an unsupported type or over its limit (131053)', async () => {
    const f = await sandbox.onboarded();
    expectGraphError(await upload(f, bytesOf(10), 'image/png', { product: null }), 100, 400);
    expectGraphError(
      await sandbox.http.post(`${V}/${f.phone_number.id}/media`).auth(f.token, { type: 'bearer' }).field('messaging_product', 'whatsapp'),
      100,
      400,
    );
    expectGraphError(await upload(f, bytesOf(10), 'image/gif'), 131053, 400);
    expectGraphError(await upload(f, bytesOf(5 * 1024 * 1024 + 1), 'image/jpeg'), 131053, 400);
    expectGraphError(await upload(f, bytesOf(600 * 1024), 'image/webp'), 131053, 400);
    expectGraphError(
      await sandbox.http.post(`${V}/${f.phone_number.id}/media`).field('messaging_product', 'whatsapp').attach('file', bytesOf(5), 'a.txt'),
      190,
      401,
    );
    const other = await sandbox.onboarded();
    expectGraphError(await upload(other, bytesOf(10), 'image/png').set('authorization', `Bearer ${f.token}`), 200, 403);
    const { id } = (await upload(f, bytesOf(10), 'image/png').expect(200)).body as { id: string };
    expectGraphError(
      await sandbox.http.get(`${V}/${id}`).query({ phone_number_id: other.phone_number.id }).auth(f.token, { type: 'bearer' }),
      100,
      400,
    );
  });

  it('faults armed for the media endpoints apply (GET /{media_id}, the download)', async () => {
    const f = await sandbox.onboarded();
    const { id } = (await upload(f, bytesOf(10), 'image/png').expect(200)).body as { id: string };
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'media', method: 'GET', http_status: 500, times: 1 }).expect(201);
    expect((await info(f, id)).status).toBe(500);
    const { url } = (await info(f, id).expect(200)).body as { url: string };
    await sandbox.http.post('/_sandbox/faults').send({ endpoint: 'media_download', http_status: 503, times: 1 }).expect(201);
    expect((await download(url, f.token)).status).toBe(503);
    expect((await download(url, f.token)).status).toBe(200);
    const log = await sandbox.http.get('/_sandbox/requests').query({ endpoint: 'media_download' }).expect(200);
    expect(log.body.data.length).toBeGreaterThanOrEqual(2);
    expect(log.body.data.at(-1).headers.authorization).toBe(`Bearer …${f.token.slice(-4)}`);
  });

  describe('control API: media with known bytes, and inbound messages that refer to them', () => {
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      receiver = await WebhookReceiver.start();
    });
    afterAll(async () => {
      await sandbox.webhooksTo(null);
      await receiver.close();
    });

    it('puts raw bytes (or base64 JSON), lists them, and injects an image / a document message carrying id, mime_type, sha256', async () => {
      const f = await sandbox.onboarded();
      await sandbox.webhooksTo(receiver.url);
      const bytes = bytesOf(2 * 1024 * 1024, 3);
      const put = await sandbox.http
        .post('/_sandbox/media')
        .query({ phone_number_id: f.phone_number.id, mime_type: 'image/jpeg' })
        .set('content-type', 'application/octet-stream')
        .send(bytes)
        .expect(201);
      expect(put.body).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        phone_number_id: f.phone_number.id,
        mime_type: 'image/jpeg',
        sha256: sha256(bytes),
        sha256_base64: sha256(bytes, 'base64'),
        file_size: bytes.length,
        origin: 'inbound',
      });
      const doc = await sandbox.http
        .post('/_sandbox/media')
        .send({
          phone_number_id: f.phone_number.id,
          mime_type: 'application/pdf',
          data_base64: Buffer.from('%PDF-1.4').toString('base64'),
          filename: 'invoice.pdf',
        })
        .expect(201);
      const listed = await sandbox.http.get('/_sandbox/media').query({ phone_number_id: f.phone_number.id }).expect(200);
      expect(listed.body.data.map((m: { id: string }) => m.id)).toEqual([put.body.id, doc.body.id]);

      const image = await sandbox.http
        .post(`/_sandbox/media/${put.body.id}/inbound`)
        .send({ from: '6281234567890', caption: 'look' })
        .expect(201);
      expect(image.body.messages).toEqual([expect.objectContaining({ type: 'image', from: '6281234567890' })]);
      const document = await sandbox.http.post(`/_sandbox/media/${doc.body.id}/inbound`).send({ from: '6281234567890' }).expect(201);
      const messages = receiver.received.flatMap((r) => r.body.entry.flatMap((e) => e.changes.flatMap((c) => c.value.messages ?? [])));
      expect(messages.find((m) => m['id'] === image.body.messages[0].wamid)).toMatchObject({
        type: 'image',
        image: { id: put.body.id, mime_type: 'image/jpeg', sha256: sha256(bytes, 'base64'), caption: 'look' },
      });
      expect(messages.find((m) => m['id'] === document.body.messages[0].wamid)).toMatchObject({
        type: 'document',
        document: { id: doc.body.id, mime_type: 'application/pdf', filename: 'invoice.pdf' },
      });
      // The injected media downloads like an uploaded one.
      const { url } = (await info(f, put.body.id).expect(200)).body as { url: string };
      expect(sha256((await download(url, f.token)).body as Buffer)).toBe(sha256(bytes));

      await sandbox.http
        .post('/_sandbox/media')
        .query({ phone_number_id: f.phone_number.id, mime_type: 'image/jpeg' })
        .set('content-type', 'application/octet-stream')
        .send(bytesOf(5 * 1024 * 1024 + 1))
        .expect(400);
      await sandbox.http
        .post('/_sandbox/media')
        .query({ phone_number_id: '999', mime_type: 'image/jpeg' })
        .set('content-type', 'application/octet-stream')
        .send(bytesOf(5))
        .expect(404);
      await sandbox.http.post('/_sandbox/media/123/inbound').send({ from: '6281234567890' }).expect(404);
      await sandbox.http.delete(`/_sandbox/media/${doc.body.id}`).expect(200);
      await sandbox.http.get(`/_sandbox/media/${doc.body.id}`).expect(404);
    });
  });

  describe('mark as read of a message the sandbox knows', () => {
    it('marks an inbound message of this number (known: true); refuses another number’s inbound message or a send (100)', async () => {
      const f = await sandbox.sendable();
      const other = await sandbox.sendable();
      const injected = async (target: Fixture) =>
        (
          await sandbox.http
            .post('/_sandbox/webhooks/inbound')
            .send({ phone_number_id: target.phone_number.id, messages: [{ from: '6281234567890', type: 'text', text: 'hi' }], wait: false })
            .expect(201)
        ).body.messages[0].wamid as string;
      const mine = await injected(f);
      const theirs = await injected(other);
      await sandbox.send(f, { status: 'read', message_id: mine, typing_indicator: { type: 'text' } }).expect(200, { success: true });
      expectGraphError(await sandbox.send(f, { status: 'read', message_id: theirs }), 100, 400);
      const sent = (await sandbox.send(f, { to: '6281234567890', text: { body: 'x' } }).expect(200)).body.messages[0].id as string;
      expectGraphError(await sandbox.send(f, { status: 'read', message_id: sent }), 100, 400);
      const marks = await sandbox.http.get('/_sandbox/read_marks').query({ phone_number_id: f.phone_number.id }).expect(200);
      expect(marks.body.data).toEqual([expect.objectContaining({ message_id: mine, known: true, typing_indicator: { type: 'text' } })]);
    });
  });
});
