import { AsyncLocalStorage } from 'node:async_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { IdentityHttpModule } from '@kirim/identity';
import { PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
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
import { DispatchService } from '../application/dispatch.service';
import { MessagingHttpModule } from '../messaging-http.module';
import { MessagingJobsModule } from '../messaging-jobs.module';
import { connectSandboxNumber, freshWaId, seedContact, textBody } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What one send and one dispatch cost in round trips (decisions 50 and 55): every statement the pg driver
 * sends, and every Redis command the dispatch's own code sends (BullMQ's job lifecycle is not counted).
 * A send through an existing contact and conversation is the idempotency transaction around ONE statement
 * of messaging; a dispatch is ONE read (message, wa_id, account) and ONE record.
 */
describe('round trips of a send and of a dispatch', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext | undefined;
  let s: OrgSession;
  let recording: string[] | undefined;
  const inDispatch = new AsyncLocalStorage<{ sql: string[]; redis: string[] }>();
  const clientQuery = Client.prototype.query;
  const sendCommand = Redis.prototype.sendCommand;

  beforeAll(async () => {
    // Every statement of the process while `recording` is set, and those of a dispatch wherever they run.
    Client.prototype.query = function (this: Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      const text = (typeof first === 'string' ? first : (first?.text ?? '')).replace(/\s+/g, ' ').trim();
      recording?.push(text);
      inDispatch.getStore()?.sql.push(text);
      return (clientQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof clientQuery;
    Redis.prototype.sendCommand = function (this: Redis, command: Parameters<Redis['sendCommand']>[0], stream?: unknown) {
      inDispatch.getStore()?.redis.push(command.name);
      return (sendCommand as (...a: unknown[]) => unknown).call(this, command, stream) as ReturnType<Redis['sendCommand']>;
    } as Redis['sendCommand'];

    sandbox = await startMetaSandbox();
    env = await createTestEnv({ META_GRAPH_URL: sandbox.url, META_APP_ID: sandbox.appId, META_APP_SECRET: sandbox.appSecret });
    api = await createTestApp({
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
    });
    s = await createOrgSession(api.app);
    await sandbox.control('PUT', '/status_behaviour', { statuses: [] });
  }, 60_000);
  afterAll(async () => {
    Client.prototype.query = clientQuery;
    Redis.prototype.sendCommand = sendCommand;
    await worker?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
  });

  const connectNumber = async () => ({
    ...(await connectSandboxNumber(api.app, s, sandbox, env.config.META_GRAPH_VERSION)),
    teamId: s.teamId,
  });
  const send = (phoneNumberId: string, body: unknown, key?: string) => {
    const req = api.http.post(`/v1/${phoneNumberId}/messages`).set(s.auth);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(body as object);
  };
  const recorded = async <T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> => {
    recording = [];
    try {
      const result = await fn();
      return { result, sql: recording };
    } finally {
      recording = undefined;
    }
  };

  it('a send to a known contact: ONE statement of messaging inside the idempotency transaction; without a key, one statement in all', async () => {
    const a = await connectNumber();
    const waId = freshWaId();
    await seedContact(api.app, a, waId, new Date());
    expect((await send(a.phoneNumberId, textBody(waId))).status).toBe(202); // the API key is cached from here on

    const idempotent = await recorded(() => send(a.phoneNumberId, textBody(waId), `k-${waId}`));
    expect(idempotent.result.status).toBe(202);
    // The platform's part (transaction, lock, record) is theirs to shrink; messaging's is ONE statement.
    const platform = /^(BEGIN|COMMIT)|pg_try_advisory_xact_lock|idempotency_records/;
    expect(idempotent.sql.length).toBeLessThanOrEqual(5);
    expect(idempotent.sql.filter((q) => !platform.test(q))).toEqual([
      expect.stringMatching(/^WITH ctx AS .*INSERT INTO messages .*INSERT INTO events/),
    ]);

    const plain = await recorded(() => send(a.phoneNumberId, textBody(waId)));
    expect(plain.result.status).toBe(202);
    expect(plain.sql).toHaveLength(1);

    // A refused send is the same one statement, and writes nothing (its guard holds the policy checks).
    const prisma = api.app.get(PrismaService);
    await prisma.whatsappAccount.update({ where: { id: a.id }, data: { status: 'restricted' } });
    const before = await prisma.message.count({ where: { accountId: a.id } });
    const refused = await recorded(() => send(a.phoneNumberId, textBody(waId)));
    expect(refused.result.status).toBe(422);
    expect(refused.sql).toHaveLength(1);
    expect(await prisma.message.count({ where: { accountId: a.id } })).toBe(before);
    await prisma.whatsappAccount.update({ where: { id: a.id }, data: { status: 'approved' } });
  });

  it('a dispatch: ONE read (message, wa_id, account), the slot and the gate in Redis, Meta, ONE record', async () => {
    const a = await connectNumber();
    const waId = freshWaId();
    await seedContact(api.app, a, waId, new Date());
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(env.config), MessagingJobsModule, contextPorts()],
    }).compile();
    moduleRef.useLogger(false);
    const app = await moduleRef.init();
    worker = app;
    const dispatcher = app.get(DispatchService);
    const dispatch = dispatcher.dispatch.bind(dispatcher);
    const runs: { sql: string[]; redis: string[]; outcome?: string }[] = [];
    dispatcher.dispatch = (payload, job) => {
      const run: { sql: string[]; redis: string[]; outcome?: string } = { sql: [], redis: [] };
      runs.push(run);
      return inDispatch.run(run, async () => {
        run.outcome = await dispatch(payload, job);
        return run.outcome as Awaited<ReturnType<typeof dispatch>>;
      });
    };
    const prisma = api.app.get(PrismaService);
    const sentOne = async () => {
      const id = (await send(a.phoneNumberId, textBody(waId))).body.data.id as string;
      const deadline = Date.now() + 20_000;
      while ((await prisma.message.findUniqueOrThrow({ where: { id } })).status === 'pending') {
        if (Date.now() > deadline) throw new Error('not dispatched');
        await sleep(20);
      }
      return runs.at(-1);
    };
    await sentOne(); // the first of a number also reads its throughput level (kept 10 s)
    await sleep(50); // the slots are 13.75 ms apart: the next one is free
    const run = await sentOne();
    expect(run?.outcome).toBe('sent');
    expect(run?.sql).toHaveLength(2);
    expect(run?.sql[0]).toMatch(/FROM messages m JOIN contacts ct .* LEFT JOIN whatsapp_accounts a/);
    expect(run?.sql[1]).toMatch(/^WITH m AS \( UPDATE messages SET status = 'sent'/);
    expect(run?.redis).toEqual(['evalsha']);
  }, 60_000);
});
