import type { INestApplicationContext } from '@nestjs/common';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { IdentityHttpModule } from '@kirim/identity';
import { PlatformHttpModule, PlatformModule } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { signatureHeader } from '../domain/signing';
import { WebhooksHttpModule } from '../webhooks-http.module';
import { WebhooksJobsModule } from '../webhooks-jobs.module';

const SCRIPT = join(__dirname, '../../../../tools/stack/webhook-receiver.mjs');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** `npm start`'s local receiver (tools/stack/webhook-receiver.mjs) fed by the real relay and deliverer. */
describe('npm start: the demo webhook receiver prints what the worker delivers, signature checked', () => {
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    env = await createTestEnv({ WEBHOOK_POLL_MS: '20' });
    api = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WebhooksHttpModule,
        contextPorts(),
      ],
    });
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(env.config), WebhooksJobsModule, contextPorts()],
    }).compile();
    moduleRef.useLogger(false);
    worker = await moduleRef.init();
  }, 60_000);
  afterAll(async () => {
    child?.kill('SIGTERM');
    await worker?.close();
    await api?.close();
    await env?.close();
  });

  it('prints each event as one line marked ✓ signed, and refuses a forged one with 401', async () => {
    const s = await createOrgSession(api.app);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/webhooks`;
    const created = await api.http
      .post('/v1/webhook_subscriptions')
      .set(s.auth)
      .send({ url, events: ['*'] });
    expect(created.status).toBe(201);
    child = spawn(process.execPath, [SCRIPT], {
      env: { ...process.env, KIRIM_WEBHOOK_SECRET: created.body.data.secret as string, KIRIM_WEBHOOK_RECEIVER_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const until = Date.now() + 10_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > until) throw new Error('the receiver did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
    const customer = await api.http.post('/v1/customers').set(s.auth).send({ name: 'Printed' });
    const cus = customer.body.data.id as string;
    const line = new RegExp(`webhook {2}customer\\.created {2}evt_\\w+ {2}${cus} {2}✓ signed`);
    const deadline = Date.now() + 10_000;
    while (!line.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(output).toMatch(line);

    // A POST signed with another secret is refused and printed as such.
    const body = JSON.stringify({ id: 'evt_forged', type: 'customer.created', customer_id: 'cus_x', data: {} });
    const ts = Math.floor(Date.now() / 1000);
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'evt_forged',
        'webhook-timestamp': String(ts),
        'webhook-signature': signatureHeader([`whsec_${Buffer.alloc(24, 9).toString('base64')}`], 'evt_forged', ts, body),
      },
      body,
    });
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('customer.created  evt_forged  cus_x  ✗ bad signature');
  });
});
