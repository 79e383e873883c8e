import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@kirim/platform';
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
import { metaSignature } from '../inbound/meta-signature';
import { freshWaId, seedAccount } from './helpers';
import {
  bootWorker,
  envelope,
  inbound,
  inboundApiImports,
  inboundHttpOptions,
  META_WEBHOOK_PATH,
  postWebhook,
  signed,
  status,
  waitFor,
  wamid,
} from './inbound-helpers';

const SECRET = 'inbound-test-app-secret';
const VERIFY = 'inbound-test-verify-token';

/** `GET|POST /webhooks/meta` over HTTP: the handshake, the signature before anything else, the intake, and the sandbox end to end. */
describe('Meta webhook intake (api) and the sandbox end to end', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let s: OrgSession;

  beforeAll(async () => {
    sandbox = await startMetaSandbox({ META_APP_SECRET: SECRET });
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: SECRET,
      META_VERIFY_TOKEN: VERIFY,
      MESSAGING_SWEEP_GRACE_MS: '60000',
    });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { listen: true, http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    s = await createOrgSession(api.app);
    await sandbox.control('PUT', '/webhooks/settings', { callback_url: `http://127.0.0.1:${api.port}${META_WEBHOOK_PATH}` });
    await sandbox.control('PUT', '/status_behaviour', { statuses: [] });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
  });

  const payloads = () => prisma.metaWebhookPayload.count();

  describe('GET /webhooks/meta (the verification handshake)', () => {
    it('the right verify token → 200 with hub.challenge as the plain-text body', async () => {
      const res = await api.http
        .get(META_WEBHOOK_PATH)
        .query({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY, 'hub.challenge': '1158201444' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('1158201444');
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
    });

    it.each([
      ['a wrong token', { 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }],
      ['no token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
      ['another mode', { 'hub.mode': 'unsubscribe', 'hub.verify_token': VERIFY, 'hub.challenge': '1' }],
    ])('%s → 403 in the error envelope', async (_what, query) => {
      const res = await api.http.get(META_WEBHOOK_PATH).query(query);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'invalid_verify_token' });
    });
  });

  describe('POST /webhooks/meta (the intake)', () => {
    const body = () => envelope([{ phoneNumberId: '999000111', value: { statuses: [status(wamid(), 'sent')] } }]);

    it('a wrong signature → 401 in the envelope, nothing stored', async () => {
      const before = await payloads();
      const { raw } = signed(body(), SECRET);
      const wrong = signed(body(), 'another-secret').signature;
      const res = await api.http
        .post(META_WEBHOOK_PATH)
        .set('content-type', 'application/json')
        .set('x-hub-signature-256', wrong)
        .send(raw);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_signature' });
      expect(await payloads()).toBe(before);
    });

    it('a missing or malformed signature → 401, nothing stored', async () => {
      const before = await payloads();
      const { raw, signature } = signed(body(), SECRET);
      const post = () => api.http.post(META_WEBHOOK_PATH).set('content-type', 'application/json');
      expect((await post().send(raw)).status).toBe(401);
      expect((await post().set('x-hub-signature-256', signature.slice('sha256='.length)).send(raw)).status).toBe(401);
      expect(
        (
          await post()
            .set('x-hub-signature-256', `sha1=${signature.slice(7, 47)}`)
            .send(raw)
        ).status,
      ).toBe(401);
      expect(await payloads()).toBe(before);
    });

    it('the signature is over the exact bytes: the same JSON re-serialised does not verify', async () => {
      const before = await payloads();
      const b = envelope([
        { phoneNumberId: '999000111', value: { messages: [inbound('6281100000001', 'text', { body: 'héllo' }).message] } },
      ]);
      const { signature } = signed(b, SECRET); // signed over Meta's \u00e9 escaping
      const res = await api.http
        .post(META_WEBHOOK_PATH)
        .set('content-type', 'application/json')
        .set('x-hub-signature-256', signature)
        .send(JSON.stringify(b)); // the raw é
      expect(res.status).toBe(401);
      expect(await payloads()).toBe(before);
    });

    it('a valid signature over bytes that are not JSON → 400 invalid_json, nothing stored', async () => {
      const before = await payloads();
      const raw = '{"object": "whatsapp_business_account", "entry": [';
      const res = await api.http
        .post(META_WEBHOOK_PATH)
        .set('content-type', 'application/json')
        .set('x-hub-signature-256', metaSignature(raw, SECRET))
        .send(raw);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_json');
      expect(await payloads()).toBe(before);
    });

    it('a valid payload → 200, its exact bytes stored in one row, then processed by the worker', async () => {
      const b = body();
      const { raw } = signed(b, SECRET);
      const res = await postWebhook(api, b, SECRET);
      expect(res.status).toBe(200);
      const row = await prisma.metaWebhookPayload.findFirstOrThrow({ orderBy: { receivedAt: 'desc' } });
      expect(Buffer.from(row.body).toString()).toBe(raw);
      const processed = await waitFor(
        'processed',
        async () => (await prisma.metaWebhookPayload.findUniqueOrThrow({ where: { id: row.id } })).processedAt,
      );
      expect(processed).toBeInstanceOf(Date);
    });

    it('is not metered per IP: 130 deliveries from one address in a minute all answer 200 (Meta delivers from few IPs)', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 130; i++) statuses.push((await postWebhook(api, body(), SECRET)).status);
      expect(statuses.filter((code) => code !== 200)).toEqual([]);
    }, 60_000);
  });

  describe('the sandbox end to end (sandbox → api webhook → worker → stored)', () => {
    it('an injected inbound text becomes a stored inbound message with its contact and conversation', async () => {
      const fixture = await sandbox.createSignupFixture({ code: false });
      const account = await seedAccount(api.app, s, { phoneNumberId: fixture.phone_number.id });
      const from = freshWaId();
      const res = await sandbox.control<{ messages: { wamid: string }[]; deliveries: { http_status: number }[] }>(
        'POST',
        '/webhooks/inbound',
        {
          phone_number_id: fixture.phone_number.id,
          messages: [{ from, type: 'text', text: { body: 'Halo, masih ada?' }, profile_name: 'Siti' }],
        },
      );
      expect(res.deliveries.map((d) => d.http_status)).toEqual([200]);
      const id = res.messages[0]?.wamid as string;
      const message = await waitFor('the inbound message', () => prisma.message.findFirst({ where: { accountId: account.id, wamid: id } }));
      expect(message).toMatchObject({
        direction: 'inbound',
        status: 'received',
        type: 'text',
        content: { text: { body: 'Halo, masih ada?' } },
      });
      const contact = await prisma.contact.findUniqueOrThrow({ where: { id: message.contactId } });
      expect(contact).toMatchObject({ waId: from, profileName: 'Siti', orgId: s.organizationId });
      const types = (await prisma.event.findMany({ where: { orgId: s.organizationId } })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['contact.created', 'conversation.created', 'message.received']));
    });

    it('a delivery the sandbox signs wrongly is refused with 401 and stores nothing', async () => {
      const fixture = await sandbox.createSignupFixture({ code: false });
      await seedAccount(api.app, s, { phoneNumberId: fixture.phone_number.id });
      const before = await payloads();
      const res = await sandbox.control<{ deliveries: { http_status: number }[] }>('POST', '/webhooks/inbound', {
        phone_number_id: fixture.phone_number.id,
        messages: [{ from: freshWaId(), type: 'text', text: { body: 'x' } }],
        signature: 'invalid',
      });
      expect(res.deliveries[0]?.http_status).toBe(401);
      expect(await payloads()).toBe(before);
    });
  });
});
