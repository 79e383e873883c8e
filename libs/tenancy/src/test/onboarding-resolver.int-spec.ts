import type { WhatsappAccountResource } from '@kirim/contracts';
import { AppError, newId, PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { CustomersService } from '../application/customers.service';
import { SetupLinksService } from '../application/setup-links.service';
import { TenancyModule } from '../tenancy.module';

/** The onboarding side of setup links: token resolution, nonces, consumption and the expiry sweep. */
describe('setup-link resolver (onboarding)', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let links: SetupLinksService;
  let customers: CustomersService;
  let s: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), TenancyModule, contextPorts()] });
    prisma = t.app.get(PrismaService);
    links = t.app.get(SetupLinksService);
    customers = t.app.get(CustomersService);
    s = await createOrgSession(t.app, { name: 'Platform Inc' });
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const scope = () => ({ organizationId: s.organizationId, customerId: null });
  const newLink = async (customerId?: string, input: Parameters<SetupLinksService['create']>[2] = {}) => {
    const cus = customerId ?? (await customers.create(scope(), { name: 'Client Co' })).id;
    const created = await links.create(scope(), cus, input);
    return { customerId: cus, link: created, token: created.setup_url.split('/onboard/')[1] ?? '' };
  };
  const accountFor = (customerId: string): WhatsappAccountResource => ({
    id: newId('wba'),
    object: 'whatsapp_account',
    phone_number_id: '1000000001',
    waba_id: '2000000001',
    display_phone_number: '+62 811 0000 0001',
    verified_name: 'Client Co',
    quality_rating: 'GREEN',
    throughput_level: 'STANDARD',
    messaging_limit_tier: null,
    status: 'approved',
    customer: { id: customerId, name: 'Client Co' },
    customer_id: customerId,
    team_id: s.teamId,
    onboarded_at: new Date().toISOString(),
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  });
  const expire = (linkId: string) =>
    prisma.customerSetupLink.update({ where: { id: linkId }, data: { expiresAt: new Date(Date.now() - 1) } });

  describe('resolveToken', () => {
    it('resolves an active token to its link, customer and organization (never the token)', async () => {
      const { customerId, link, token } = await newLink(undefined, { failureRedirectUrl: 'https://platform.example/ko' });
      const resolved = await links.resolveToken(token);
      const { setup_url: _url, ...resource } = link;
      expect(resolved).toEqual({
        link: resource,
        customer: expect.objectContaining({ id: customerId, object: 'customer', name: 'Client Co', status: 'pending' }),
        organization: { id: s.organizationId, name: 'Platform Inc' },
      });
      expect(JSON.stringify(resolved)).not.toContain(token.slice(4));
    });

    it.each([
      ['empty', ''],
      ['not a token', 'hello'],
      ['a link id', 'csl_01J00000000000000000000000'],
      ['too long', `csl_${'A'.repeat(25)}`],
      ['bad characters', `csl_${'A'.repeat(23)}+`],
      ['unknown', `csl_${'Z'.repeat(24)}`],
    ])('%s → link_invalid, with no link', async (_label, token) => {
      expect(await links.resolveToken(token)).toEqual({ unusable: 'link_invalid' });
    });

    it('a token sharing the stored prefix but not the rest → link_invalid', async () => {
      const { token } = await newLink();
      const last = token.at(-1) === 'A' ? 'B' : 'A';
      expect(await links.resolveToken(token.slice(0, -1) + last)).toEqual({ unusable: 'link_invalid' });
      expect(await links.resolveToken(token.slice(0, 12) + 'x'.repeat(16))).toEqual({ unusable: 'link_invalid' });
    });

    it('expired (by time, before and after the sweep) → link_expired with link and customer', async () => {
      const { customerId, link, token } = await newLink(undefined, { failureRedirectUrl: 'https://platform.example/ko' });
      await expire(link.id);
      const before = await links.resolveToken(token);
      expect(before).toMatchObject({
        unusable: 'link_expired',
        link: { id: link.id, status: 'expired', failure_redirect_url: 'https://platform.example/ko' },
        customer: { id: customerId },
      });
      expect(await links.expireDue()).toBeGreaterThanOrEqual(1);
      expect(await links.resolveToken(token)).toMatchObject({ unusable: 'link_expired', link: { id: link.id, status: 'expired' } });
    });

    it('revoked (DELETE, a newer link, or the customer archived) → link_revoked', async () => {
      const a = await newLink();
      await links.revoke(scope(), a.customerId, a.link.id);
      expect(await links.resolveToken(a.token)).toMatchObject({ unusable: 'link_revoked', link: { id: a.link.id } });

      const b = await newLink();
      const newer = await newLink(b.customerId);
      expect(await links.resolveToken(b.token)).toMatchObject({ unusable: 'link_revoked' });
      expect((await links.resolveToken(newer.token)).unusable).toBeUndefined();

      await customers.archive(scope(), b.customerId);
      expect(await links.resolveToken(newer.token)).toMatchObject({ unusable: 'link_revoked', customer: { status: 'archived' } });
    });

    it('consumed → link_consumed', async () => {
      const { customerId, link, token } = await newLink();
      await links.consume(s.organizationId, link.id, accountFor(customerId));
      expect(await links.resolveToken(token)).toMatchObject({ unusable: 'link_consumed', link: { id: link.id, status: 'consumed' } });
    });
  });

  describe('consume (signup completion)', () => {
    it('marks the link consumed with its account, activates a pending customer, and writes the two customer events', async () => {
      const { customerId, link } = await newLink();
      const account = accountFor(customerId);
      const result = await links.consume(s.organizationId, link.id, account);
      expect(result.link).toMatchObject({
        id: link.id,
        status: 'consumed',
        consumed_at: expect.any(String),
        account_id: account.id,
        revoked_at: null,
      });
      expect(result.customer).toMatchObject({ id: customerId, status: 'active' });
      const events = await prisma.event.findMany({ where: { customerId }, orderBy: { id: 'asc' } });
      expect(events.map((e) => e.type)).toEqual([
        'customer.created',
        'customer.setup_link.created',
        'customer.setup_link.consumed',
        'customer.onboarded',
      ]);
      expect(events[2]?.data).toEqual({ setup_link: result.link, account });
      expect(events[3]?.data).toEqual({ customer: result.customer, account, setup_link: result.link });
    });

    it('refuses a link that is no longer active (409 setup_link_not_active): consumed, revoked or expired', async () => {
      const consumed = await newLink();
      await links.consume(s.organizationId, consumed.link.id, accountFor(consumed.customerId));
      const revoked = await newLink();
      await links.revoke(scope(), revoked.customerId, revoked.link.id);
      const expired = await newLink();
      await expire(expired.link.id);
      for (const l of [consumed, revoked, expired]) {
        await expect(links.consume(s.organizationId, l.link.id, accountFor(l.customerId))).rejects.toMatchObject({
          code: 'setup_link_not_active',
        });
      }
      await expect(
        links.consume('org_01J00000000000000000000000', consumed.link.id, accountFor(consumed.customerId)),
      ).rejects.toBeInstanceOf(AppError);
    });

    it('two racing completions: exactly one wins', async () => {
      const { customerId, link } = await newLink();
      const results = await Promise.allSettled([
        links.consume(s.organizationId, link.id, accountFor(customerId)),
        links.consume(s.organizationId, link.id, accountFor(customerId)),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'setup_link_not_active' } });
      expect(await prisma.event.count({ where: { customerId, type: 'customer.onboarded' } })).toBe(1);
    });

    it('a suspended customer stays suspended', async () => {
      const { customerId, link } = await newLink();
      await customers.update(scope(), customerId, { status: 'suspended' });
      expect((await links.consume(s.organizationId, link.id, accountFor(customerId))).customer.status).toBe('suspended');
    });
  });

  describe('nonces', () => {
    it('are single-use, bound to their link, stored hashed, and expire after 30 minutes', async () => {
      const a = await newLink();
      const b = await newLink();
      const issued = await links.issueNonce(a.link.id);
      expect(issued.nonce.length).toBeGreaterThanOrEqual(32);
      expect(Math.abs(issued.expiresAt.getTime() - Date.now() - 30 * 60_000)).toBeLessThan(5000);
      const stored = await prisma.setupLinkNonce.findMany({ where: { linkId: a.link.id } });
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain(issued.nonce);

      expect(await links.consumeNonce(b.link.id, issued.nonce)).toBe(false); // another link's
      expect(await links.consumeNonce(a.link.id, issued.nonce)).toBe(true);
      expect(await links.consumeNonce(a.link.id, issued.nonce)).toBe(false); // used

      const late = await links.issueNonce(a.link.id);
      await prisma.setupLinkNonce.updateMany({ where: { linkId: a.link.id, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1) } });
      expect(await links.consumeNonce(a.link.id, late.nonce)).toBe(false); // expired

      expect(await links.consumeNonce(a.link.id, '')).toBe(false);
      expect(await links.consumeNonce(a.link.id, 'x'.repeat(10_000))).toBe(false);
      expect(await links.consumeNonce(a.link.id, 'never-issued')).toBe(false);
    });

    it('two racing spends of one nonce: exactly one succeeds', async () => {
      const { link } = await newLink();
      const { nonce } = await links.issueNonce(link.id);
      const spent = await Promise.all([
        links.consumeNonce(link.id, nonce),
        links.consumeNonce(link.id, nonce),
        links.consumeNonce(link.id, nonce),
      ]);
      expect(spent.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('expireDue', () => {
    it('persists expired for active links past expires_at (all organizations) and counts them', async () => {
      await links.expireDue();
      const other = await createOrgSession(t.app);
      const mine = await newLink();
      const fresh = await newLink();
      const otherCus = await customers.create({ organizationId: other.organizationId, customerId: null }, { name: 'O' });
      const theirs = await links.create({ organizationId: other.organizationId, customerId: null }, otherCus.id, {});
      const revoked = await newLink();
      await links.revoke(scope(), revoked.customerId, revoked.link.id);
      for (const id of [mine.link.id, theirs.id, revoked.link.id]) await expire(id);

      expect(await links.expireDue()).toBe(2);
      const status = async (id: string) => (await prisma.customerSetupLink.findUniqueOrThrow({ where: { id } })).status;
      expect(await status(mine.link.id)).toBe('expired');
      expect(await status(theirs.id)).toBe('expired');
      expect(await status(revoked.link.id)).toBe('revoked');
      expect(await status(fresh.link.id)).toBe('active');
      expect(await links.expireDue()).toBe(0);
    });
  });
});
