import type { INestApplication } from '@nestjs/common';
import { CryptoService, newId, PrismaService } from '@kirim/platform';
/** The part of a test session (`createOrgSession`) the seeds need. */
type OrgSession = { organizationId: string; teamId: string };

let seq = 0;

/** A fresh Meta-style phone number id (digits, unique across the test run). */
export function freshPhoneNumberId(): string {
  seq++;
  return `${Date.now()}${String(process.pid % 1000).padStart(3, '0')}${String(seq).padStart(4, '0')}`.slice(-18);
}

/** A fresh wa_id (12 digits, country code 62). */
export function freshWaId(): string {
  seq++;
  return `62${String(Date.now() % 1e6).padStart(6, '0')}${String(seq % 10000).padStart(4, '0')}`;
}

export interface SeededAccount {
  id: string;
  phoneNumberId: string;
  organizationId: string;
  customerId: string | null;
}

/** An account row as a completed signup leaves it (signup itself is whatsapp-accounts' test). */
export async function seedAccount(
  app: INestApplication,
  session: OrgSession,
  o: {
    customerId?: string | null;
    status?: 'approved' | 'restricted' | 'disconnected' | 'archived';
    phoneNumberId?: string;
    wabaId?: string;
    token?: string;
    throughputLevel?: 'STANDARD' | 'HIGH';
  } = {},
): Promise<SeededAccount> {
  const prisma = app.get(PrismaService);
  const crypto = app.get(CryptoService);
  const phoneNumberId = o.phoneNumberId ?? freshPhoneNumberId();
  const row = await prisma.whatsappAccount.create({
    data: {
      id: newId('wba'),
      orgId: session.organizationId,
      teamId: session.teamId,
      customerId: o.customerId ?? null,
      phoneNumberId,
      wabaId: o.wabaId ?? '1000000000001',
      displayPhoneNumber: `+62 811 ${phoneNumberId.slice(-8)}`,
      verifiedName: 'Client Co',
      qualityRating: 'GREEN',
      throughputLevel: o.throughputLevel ?? 'STANDARD',
      messagingLimitTier: 'TIER_250',
      status: o.status ?? 'approved',
      businessTokenCiphertext: crypto.seal(o.token ?? 'test-business-token'),
      registrationPinCiphertext: crypto.seal('123456'),
      onboardedAt: new Date(),
    },
  });
  return { id: row.id, phoneNumberId, organizationId: row.orgId, customerId: row.customerId };
}

/** What {@link connectSandboxNumber} uses of @kirim/testing's MetaSandbox (only spec files may import that library). */
interface SandboxForSignup {
  url: string;
  appId: string;
  appSecret: string;
  createSignupFixture(): Promise<{ code?: string; waba: { id: string }; phone_number: { id: string } }>;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
}

/** A number connected at the sandbox as a completed signup leaves it: a real token (code → token), registered. */
export async function connectSandboxNumber(
  app: INestApplication,
  session: OrgSession,
  sandbox: SandboxForSignup,
  graphVersion: string,
  o: { customerId?: string | null; throughputLevel?: 'STANDARD' | 'HIGH' } = {},
): Promise<SeededAccount> {
  const fixture = await sandbox.createSignupFixture();
  const query = new URLSearchParams({ client_id: sandbox.appId, client_secret: sandbox.appSecret, code: fixture.code ?? '' });
  const exchanged = (await (await fetch(`${sandbox.url}/${graphVersion}/oauth/access_token?${query}`)).json()) as { access_token: string };
  await sandbox.control('POST', `/phone_numbers/${fixture.phone_number.id}/register`);
  return seedAccount(app, session, {
    ...o,
    phoneNumberId: fixture.phone_number.id,
    wabaId: fixture.waba.id,
    token: exchanged.access_token,
  });
}

/** A contact (and its conversation) of the account, with `last_inbound_at` as given: the 24 h window's start. */
export async function seedContact(
  app: INestApplication,
  account: SeededAccount & { teamId: string },
  waId: string,
  lastInboundAt: Date | null,
): Promise<{ contactId: string; conversationId: string }> {
  const prisma = app.get(PrismaService);
  const contact = await prisma.contact.create({
    data: {
      id: newId('ctc'),
      orgId: account.organizationId,
      teamId: account.teamId,
      customerId: account.customerId,
      accountId: account.id,
      waId,
      lastInboundAt,
    },
  });
  const conversation = await prisma.conversation.create({
    data: {
      id: newId('cnv'),
      orgId: account.organizationId,
      teamId: account.teamId,
      customerId: account.customerId,
      accountId: account.id,
      contactId: contact.id,
      lastInboundAt,
    },
  });
  return { contactId: contact.id, conversationId: conversation.id };
}

/** An inbound message with a wamid in the account (what `context.message_id` and reactions refer to). */
export async function seedInbound(
  app: INestApplication,
  account: SeededAccount & { teamId: string },
  parties: { contactId: string; conversationId: string },
  wamid: string,
): Promise<string> {
  const prisma = app.get(PrismaService);
  const id = newId('msg');
  await prisma.message.create({
    data: {
      id,
      orgId: account.organizationId,
      teamId: account.teamId,
      customerId: account.customerId,
      accountId: account.id,
      conversationId: parties.conversationId,
      contactId: parties.contactId,
      direction: 'inbound',
      type: 'text',
      content: { text: { body: 'hello' } },
      status: 'received',
      wamid,
    },
  });
  return id;
}

export const HOUR = 60 * 60 * 1000;
export const MINUTE = 60 * 1000;

/** A template send body (exempt from the 24 h window). */
export function templateBody(to: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to, type: 'template', template: { name: 'order_update', language: { code: 'en_US' } } };
}

export function textBody(to: string, body = 'Hello from Kirim'): Record<string, unknown> {
  return { messaging_product: 'whatsapp', to, type: 'text', text: { body } };
}

/** One valid body per outbound type of the spec, addressed to `to`; reaction and context need a wamid. */
export function bodiesOfEveryType(to: string, wamid: string): Record<string, Record<string, unknown>> {
  return {
    text: { to, type: 'text', text: { body: 'Hi', preview_url: false } },
    image: { to, type: 'image', image: { link: 'https://example.com/a.jpg', caption: 'An image' } },
    video: { to, type: 'video', video: { id: '1234567890' } },
    audio: { to, type: 'audio', audio: { link: 'https://example.com/a.ogg' } },
    document: { to, type: 'document', document: { link: 'https://example.com/a.pdf', filename: 'a.pdf', caption: 'Doc' } },
    sticker: { to, type: 'sticker', sticker: { id: '998877665544' } },
    location: { to, type: 'location', location: { latitude: -6.2, longitude: 106.8, name: 'Monas', address: 'Jakarta' } },
    contacts: {
      to,
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Budi Santoso', first_name: 'Budi' }, phones: [{ phone: '+62811000111' }] }],
    },
    interactive: {
      to,
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Pick one' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'yes', title: 'Yes' } },
            { type: 'reply', reply: { id: 'no', title: 'No' } },
          ],
        },
      },
    },
    template: { to, type: 'template', template: { name: 'order_update', language: { code: 'en_US' } } },
    reaction: { to, type: 'reaction', reaction: { message_id: wamid, emoji: '👍' } },
  };
}
