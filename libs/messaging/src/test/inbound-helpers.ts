import type { DynamicModule, INestApplication, INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ApiAdmission, ApiKeysService, IdentityHttpModule, IdentityModule } from '@kirim/identity';
import {
  type AppConfig,
  type HttpAppOptions,
  newId,
  PlatformHttpModule,
  PlatformModule,
  PrismaService,
  RateLimiter,
} from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import type TestAgent from 'supertest/lib/agent';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { metaSignature } from '../inbound/meta-signature';
import { MessagingHttpModule } from '../messaging-http.module';
import { MessagingJobsModule } from '../messaging-jobs.module';

export const META_WEBHOOK_PATH = '/webhooks/meta';

/** The api's modules (without the ports binding, which the test file adds from @kirim/testing). */
export function inboundApiImports(config: AppConfig) {
  return [
    PlatformModule.forRoot(config),
    PlatformHttpModule,
    IdentityHttpModule,
    IdentityModule,
    TenancyHttpModule,
    WhatsappAccountsHttpModule,
    MessagingHttpModule,
  ];
}

/** The http options apps/api gives this route: raw bytes kept (3 MiB), the admission with the webhook unmetered. */
export const inboundHttpOptions: HttpAppOptions = {
  rawBodyRoutes: [{ path: META_WEBHOOK_PATH, limit: 3 * 1024 * 1024, parseJson: false }],
  beforeBody: (app: INestApplication) => [
    new ApiAdmission(app.get(ApiKeysService), app.get(RateLimiter), { unmeteredPaths: [META_WEBHOOK_PATH] }).hook,
  ],
};

/** A worker in-process: messaging's jobs (dispatch and inbound, with their schedules). */
export async function bootWorker(config: AppConfig, ports: DynamicModule): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(config), MessagingJobsModule, ports] }).compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

let seq = 0;
/** A fresh wamid, shaped like Meta's. */
export function wamid(): string {
  seq++;
  return `wamid.HBgL${Date.now().toString(36)}${process.pid.toString(36)}${seq.toString(36).padStart(4, '0')}AA==`;
}

type Json = Record<string, unknown>;

export interface ValueParts {
  contacts?: Json[];
  messages?: Json[];
  statuses?: Json[];
}

/** Meta's envelope with one `messages` change per item of `changes` (reference §5.4). */
export function envelope(changes: { phoneNumberId: string; value: ValueParts }[], wabaId = '1000000000001'): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        changes: changes.map(({ phoneNumberId, value }) => ({
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: `62811${phoneNumberId.slice(-7)}`, phone_number_id: phoneNumberId },
            ...value,
          },
        })),
      },
    ],
  };
}

export const unix = (d: Date = new Date()) => String(Math.floor(d.getTime() / 1000));

/** An inbound message object (`messages[]`), with its `contacts[]` entry. */
export function inbound(from: string, type: string, payload: unknown, o: { id?: string; name?: string; at?: Date; extra?: Json } = {}) {
  const message: Json = {
    from,
    id: o.id ?? wamid(),
    timestamp: unix(o.at),
    type,
    ...(payload !== undefined && { [type]: payload }),
    ...o.extra,
  };
  return { message, contact: { profile: { name: o.name ?? 'Budi' }, wa_id: from } };
}

/** A status object (`statuses[]`). */
export function status(id: string, value: string, o: { at?: Date; recipient?: string; extra?: Json } = {}): Json {
  return { id, status: value, timestamp: unix(o.at), recipient_id: o.recipient ?? '6281100000000', ...o.extra };
}

/** Serialises like Meta (non-ASCII as \uXXXX) and signs. */
export function signed(body: unknown, secret: string): { raw: string; signature: string } {
  const raw = JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return { raw, signature: metaSignature(raw, secret) };
}

export function postWebhook(t: { http: TestAgent }, body: unknown, secret: string) {
  const { raw, signature } = signed(body, secret);
  return t.http.post(META_WEBHOOK_PATH).set('content-type', 'application/json').set('x-hub-signature-256', signature).send(raw);
}

/** Stores a payload as the api does, without enqueueing (what a Redis loss after the 200 leaves). */
export async function storePayloadOnly(prisma: PrismaService, body: unknown, secret: string, receivedAt = new Date(Date.now() - 60_000)) {
  const id = newId('evt').slice(4);
  await prisma.metaWebhookPayload.create({ data: { id, body: Buffer.from(signed(body, secret).raw), receivedAt } });
  return id;
}
