import type { INestApplication } from '@nestjs/common';
import { newId, PrismaService } from '@kirim/platform';
import { type SeededAccount, seedAccount } from './helpers';

type OrgSession = { organizationId: string; teamId: string };

/** What these helpers use of @kirim/testing's MetaSandbox (only spec files may import that library). */
interface SandboxLike {
  url: string;
  appId: string;
  appSecret: string;
  createSignupFixture(): Promise<{ code?: string; waba: { id: string }; phone_number: { id: string } }>;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
}

export interface WabaAccount extends SeededAccount {
  wabaId: string;
  teamId: string;
}

/** A number connected at the sandbox (real token, registered) whose row names the sandbox's WABA. */
export async function connectWabaAccount(
  app: INestApplication,
  session: OrgSession,
  sandbox: SandboxLike,
  graphVersion: string,
  o: { customerId?: string | null; status?: 'approved' | 'disconnected' } = {},
): Promise<WabaAccount> {
  const fixture = await sandbox.createSignupFixture();
  const query = new URLSearchParams({ client_id: sandbox.appId, client_secret: sandbox.appSecret, code: fixture.code ?? '' });
  const exchanged = (await (await fetch(`${sandbox.url}/${graphVersion}/oauth/access_token?${query}`)).json()) as { access_token: string };
  await sandbox.control('POST', `/phone_numbers/${fixture.phone_number.id}/register`);
  const seeded = await seedAccount(app, session, {
    ...o,
    phoneNumberId: fixture.phone_number.id,
    token: exchanged.access_token,
  });
  await app.get(PrismaService).whatsappAccount.update({ where: { id: seeded.id }, data: { wabaId: fixture.waba.id } });
  return { ...seeded, wabaId: fixture.waba.id, teamId: session.teamId };
}

/** A template row as a sync leaves it (default: `order_update`, en_US, approved, a body without placeholders). */
export async function seedTemplate(
  app: INestApplication,
  account: SeededAccount & { teamId: string },
  o: { name?: string; language?: string; status?: string; components?: Record<string, unknown>[]; parameterFormat?: string } = {},
): Promise<string> {
  const id = newId('tmpl');
  const row = await app.get(PrismaService).whatsappAccount.findUniqueOrThrow({ where: { id: account.id } });
  await app.get(PrismaService).template.create({
    data: {
      id,
      orgId: account.organizationId,
      teamId: account.teamId,
      customerId: account.customerId,
      accountId: account.id,
      wabaId: row.wabaId,
      metaTemplateId: String(Date.now()) + String(Math.floor(Math.random() * 1000)),
      name: o.name ?? 'order_update',
      language: o.language ?? 'en_US',
      category: 'UTILITY',
      status: o.status ?? 'approved',
      parameterFormat: o.parameterFormat ?? 'POSITIONAL',
      components: JSON.parse(JSON.stringify(o.components ?? [{ type: 'BODY', text: 'Your order is on its way.' }])),
    },
  });
  return id;
}
