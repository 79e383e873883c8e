import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
import { connectSandboxNumber, type SeededAccount } from './helpers';
import { bootWorker, inboundApiImports, inboundHttpOptions, META_WEBHOOK_PATH } from './inbound-helpers';

const run = promisify(execFile);
const DEMO = join(__dirname, '..', '..', '..', '..', 'tools', 'stack', 'demo.mjs');
const SECRET = 'demo-test-app-secret';

/**
 * `npm run demo` (issue 10 item 6), the script `npm start` points at, run as a person would against a stack
 * of its own: the api listening, a worker, the sandbox posting its signed webhooks to the api, and the demo
 * customer's number connected at the sandbox. The one printed curl sends; `send` follows a message to `read`;
 * `reply` makes the recipient answer, which arrives as an inbound message; `inbox` lists both directions.
 */
describe('npm run demo against a running stack', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let s: OrgSession;
  let account: SeededAccount;
  let dir: string;
  let demoEnv: NodeJS.ProcessEnv;

  const demo = async (...args: string[]) => (await run(process.execPath, [DEMO, ...args], { env: demoEnv, timeout: 45_000 })).stdout;

  beforeAll(async () => {
    sandbox = await startMetaSandbox({ META_APP_SECRET: SECRET });
    env = await createTestEnv({ META_GRAPH_URL: sandbox.url, META_APP_ID: sandbox.appId, META_APP_SECRET: SECRET });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { listen: true, http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    s = await createOrgSession(api.app);
    await sandbox.control('PUT', '/webhooks/settings', { callback_url: `http://127.0.0.1:${api.port}${META_WEBHOOK_PATH}` });
    await sandbox.control('PUT', '/status_behaviour', {
      statuses: ['sent', 'delivered', 'read'],
      delays_ms: { sent: 50, delivered: 300, read: 600 },
    });

    // The demo customer, connected as Finish on the onboarding page leaves it (signup itself is tested elsewhere).
    const customer = await api.http.post('/v1/customers').set(s.auth).send({ name: 'Demo Customer' }).expect(201);
    account = await connectSandboxNumber(api.app, s, sandbox, env.config.META_GRAPH_VERSION, { customerId: customer.body.data.id });

    dir = mkdtempSync(join(tmpdir(), 'kirim-demo-'));
    const stackFile = join(dir, 'stack.json');
    writeFileSync(
      stackFile,
      JSON.stringify({
        api_url: `http://localhost:${api.port}`,
        api_key: s.apiKey,
        meta_sandbox_url: sandbox.url,
        demo_customer_id: customer.body.data.id,
        demo_setup_url: 'http://localhost:3001/onboard/csl_x',
      }),
    );
    demoEnv = { ...process.env, KIRIM_STACK_FILE: stackFile };
  }, 90_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the connected number and one curl that sends from it (202, then Meta has it)', async () => {
    const out = await demo();
    expect(out).toContain(`phone_number_id ${account.phoneNumberId}`);
    const curl = out.slice(out.indexOf('curl '), out.indexOf('\n\nor:'));
    expect(curl).toContain(`/v1/${account.phoneNumberId}/messages`);
    const { stdout } = await run('bash', ['-c', curl], { timeout: 20_000 });
    const sent = JSON.parse(stdout) as { data: { id: string; status: string } };
    expect(sent.data.status).toBe('pending');
    const received = async () =>
      (await sandbox.control<{ data: unknown[] }>('GET', `/messages?direction=outbound&phone_number_id=${account.phoneNumberId}`)).data
        .length;
    for (let i = 0; i < 100 && (await received()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await received()).toBeGreaterThan(0);
  }, 60_000);

  it('send follows a message through sent and delivered to read, with the stored times', async () => {
    const out = await demo('send');
    expect(out).toMatch(/Sent msg_\w+ to \+15551234567/);
    expect(out).toMatch(/as stored: created [\d:.]+ → sent [\d:.]+ → delivered [\d:.]+ → read [\d:.]+ \(wamid wamid\./);
    const id = /Sent (msg_\w+)/.exec(out)?.[1] as string;
    const stored = await prisma.message.findUniqueOrThrow({ where: { id } });
    expect(stored.status).toBe('read');
  }, 60_000);

  it('reply makes the recipient answer through the sandbox; it is stored as inbound in the same conversation, and inbox lists both', async () => {
    const out = await demo('reply', 'Hi there from the recipient');
    const id = /inbound (msg_\w+)/.exec(out)?.[1] as string;
    expect(out).toContain('{"text":{"body":"Hi there from the recipient"}}');
    const inbound = await prisma.message.findUniqueOrThrow({ where: { id } });
    expect(inbound).toMatchObject({ direction: 'inbound', status: 'received', accountId: account.id });
    const outbound = await prisma.message.findFirstOrThrow({ where: { accountId: account.id, direction: 'outbound' } });
    expect(inbound.conversationId).toBe(outbound.conversationId);

    // The reply opened the 24 h window: free-form text now goes out.
    expect(await demo('send', '15551234567', 'Thanks, got it')).toContain('→ read');
    const inbox = await demo('inbox');
    expect(inbox).toMatch(/inbound\s+received\s+text\s+\{"text":\{"body":"Hi there from the recipient"\}\}/);
    expect(inbox).toMatch(/outbound\s+read\s+text\s+\{"text":\{"body":"Thanks, got it"\}\}/);
  }, 90_000);
});
