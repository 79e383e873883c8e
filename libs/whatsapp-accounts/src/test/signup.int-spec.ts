import { CryptoService, PlatformModule, PrismaService } from '@kirim/platform';
import { CustomersService, SetupLinksService, TenancyModule } from '@kirim/tenancy';
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
import { type CompleteSignupInput, SignupService } from '../application/signup.service';
import type { SignupOutcome } from '../domain/signup';
import { WhatsappAccountsModule } from '../whatsapp-accounts.module';

const OK_URL = 'https://platform.example/onboarded?ref=42';
const KO_URL = 'https://platform.example/failed';

/** SignupService against real PostgreSQL, Redis and the spawned Meta sandbox (spec 03 § onboarding, steps 7–8). */
describe('SignupService (Embedded Signup completion)', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let signup: SignupService;
  let links: SetupLinksService;
  let customers: CustomersService;
  let crypto: CryptoService;
  let s: OrgSession;
  let displaySeq = 0;

  beforeAll(async () => {
    sandbox = await startMetaSandbox();
    env = await createTestEnv({ META_GRAPH_URL: sandbox.url, META_APP_ID: sandbox.appId, META_APP_SECRET: sandbox.appSecret });
    t = await createTestApp({
      module: class Root {},
      imports: [PlatformModule.forRoot(env.config), TenancyModule, WhatsappAccountsModule, contextPorts()],
    });
    prisma = t.app.get(PrismaService);
    signup = t.app.get(SignupService);
    links = t.app.get(SetupLinksService);
    customers = t.app.get(CustomersService);
    crypto = t.app.get(CryptoService);
    s = await createOrgSession(t.app, { name: 'Platform Inc' });
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
    await sandbox?.stop();
  });
  afterEach(async () => {
    await sandbox.clearFaults();
  });

  const scopeOf = (session: OrgSession) => ({ organizationId: session.organizationId, customerId: null });
  /** A display number unique in this file (the sandbox refuses duplicates). */
  const nextDisplay = () => `+62 811 ${String(4000 + (process.pid % 1000)).padStart(4, '0')} ${String(++displaySeq).padStart(4, '0')}`;

  const newCustomer = (session: OrgSession = s, name = 'Client Co') => customers.create(scopeOf(session), { name });
  const newLink = async (customerId: string, session: OrgSession = s, urls = true) => {
    const created = await links.create(
      scopeOf(session),
      customerId,
      urls ? { successRedirectUrl: OK_URL, failureRedirectUrl: KO_URL } : {},
    );
    return { link: created, token: created.setup_url.split('/onboard/')[1] ?? '' };
  };
  const nonceFor = async (linkId: string) => (await links.issueNonce(linkId)).nonce;
  /** A customer, an active link, a nonce, and a sandbox signup (business, WABA, number, code). */
  const prepare = async (opts: { session?: OrgSession; customerId?: string } = {}) => {
    const session = opts.session ?? s;
    const customerId = opts.customerId ?? (await newCustomer(session)).id;
    const { link, token } = await newLink(customerId, session);
    const fixture = await sandbox.createSignupFixture({ display_phone_number: nextDisplay(), verified_name: 'Client Co' });
    const input: CompleteSignupInput = {
      token,
      nonce: await nonceFor(link.id),
      code: fixture.code ?? '',
      waba_id: fixture.waba.id,
      phone_number_id: fixture.phone_number.id,
      business_id: fixture.business.id,
    };
    return { session, customerId, link, token, fixture, input };
  };
  const eventTypes = async (customerId: string) =>
    (await prisma.event.findMany({ where: { customerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })).map((e) => e.type);
  const linkStatus = async (linkId: string) => (await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: linkId } })).status;
  const params = (url: string | null) => Object.fromEntries(new URL(url ?? 'http://none/').searchParams);
  const expectFailure = (outcome: SignupOutcome, error_code: string) => {
    expect(outcome).toMatchObject({ status: 'failure', error_code });
    return outcome as Extract<SignupOutcome, { status: 'failure' }>;
  };
  /** Nothing stored: link active, no account, only the two creation events. */
  const expectNothingStored = async (customerId: string, linkId: string) => {
    expect(await linkStatus(linkId)).toBe('active');
    expect(await prisma.whatsappAccount.count({ where: { customerId } })).toBe(0);
    expect(await eventTypes(customerId)).toEqual(['customer.created', 'customer.setup_link.created']);
    expect((await customers.get(scopeOf(s), customerId)).status).toBe('pending');
  };

  describe('complete', () => {
    it('connects the account: approved, link consumed, customer active, three events, secrets sealed, Meta called in order', async () => {
      const { customerId, link, input, fixture } = await prepare();
      const since = new Date().toISOString();
      const outcome = await signup.complete(input);

      expect(outcome).toEqual({
        status: 'success',
        redirect_url: expect.any(String),
        customer_id: customerId,
        account_id: expect.stringMatching(/^wba_/),
        phone_number_id: fixture.phone_number.id,
        setup_link_id: link.id,
      });
      if (outcome.status !== 'success') throw new Error('unreachable');
      expect(outcome.redirect_url?.startsWith('https://platform.example/onboarded?')).toBe(true);
      expect(params(outcome.redirect_url)).toEqual({
        ref: '42',
        status: 'success',
        customer_id: customerId,
        account_id: outcome.account_id,
        phone_number_id: fixture.phone_number.id,
        setup_link_id: link.id,
      });

      const row = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: outcome.account_id } });
      expect(row).toMatchObject({
        orgId: s.organizationId,
        teamId: s.teamId,
        customerId,
        phoneNumberId: fixture.phone_number.id,
        wabaId: fixture.waba.id,
        displayPhoneNumber: fixture.phone_number.display_phone_number,
        verifiedName: 'Client Co',
        status: 'approved',
      });
      expect(['GREEN', 'YELLOW', 'RED', 'UNKNOWN']).toContain(row.qualityRating);
      expect(row.throughputLevel).toBe('STANDARD');

      const requests = await sandbox.requests({ since });
      expect(requests.map((r) => r.endpoint)).toEqual(['oauth/access_token', 'debug_token', 'phone_number', 'subscribed_apps', 'register']);
      // The PIN Meta received and the token Kirim used are stored only sealed.
      const register = requests[4];
      const pin = (register?.body as { pin: string }).pin;
      expect(pin).toMatch(/^\d{6}$/);
      expect(crypto.open(row.registrationPinCiphertext)).toBe(pin);
      const token = crypto.open(row.businessTokenCiphertext);
      expect(String(register?.headers['authorization'])).toContain(token.slice(-4));
      const stored = JSON.stringify(row);
      expect(stored).not.toContain(token);
      expect(row.registrationPinCiphertext).not.toContain(pin);

      expect(await linkStatus(link.id)).toBe('consumed');
      const customer = await customers.get(scopeOf(s), customerId);
      expect(customer.status).toBe('active');
      expect(customer.whatsapp_accounts).toEqual([
        expect.objectContaining({ id: outcome.account_id, phone_number_id: fixture.phone_number.id, status: 'approved' }),
      ]);
      const events = await prisma.event.findMany({ where: { customerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      expect(events.map((e) => e.type)).toEqual([
        'customer.created',
        'customer.setup_link.created',
        'account.connected',
        'customer.setup_link.consumed',
        'customer.onboarded',
      ]);
      expect(events[2]?.data).toMatchObject({
        account: {
          id: outcome.account_id,
          object: 'whatsapp_account',
          customer: { id: customerId, name: 'Client Co' },
          status: 'approved',
        },
      });
      expect(JSON.stringify(events.map((e) => e.data))).not.toContain(token);
      // The sandbox agrees: subscribed and registered.
      const state = await sandbox.control<{
        phone_numbers: { id: string; registered: boolean }[];
        wabas: { id: string; subscribed_apps: unknown[] }[];
      }>('GET', '/state');
      expect(state.phone_numbers.find((p) => p.id === fixture.phone_number.id)?.registered).toBe(true);
      expect(state.wabas.find((w) => w.id === fixture.waba.id)?.subscribed_apps).toHaveLength(1);
    });

    it('without redirect URLs the outcome has redirect_url null (the page shows its own screen)', async () => {
      const customerId = (await newCustomer()).id;
      const { link, token } = await newLink(customerId, s, false);
      const fixture = await sandbox.createSignupFixture({ display_phone_number: nextDisplay() });
      const outcome = await signup.complete({
        token,
        nonce: await nonceFor(link.id),
        code: fixture.code ?? '',
        waba_id: fixture.waba.id,
        phone_number_id: fixture.phone_number.id,
      });
      expect(outcome).toMatchObject({ status: 'success', redirect_url: null });
    });

    it.each([
      ['oauth/access_token', 'token_exchange_failed'],
      ['debug_token', 'token_exchange_failed'],
      ['phone_number', 'signup_error'],
      ['subscribed_apps', 'webhook_subscription_failed'],
      ['register', 'phone_registration_failed'],
    ])(
      'Meta failing at %s → %s: link stays active, nothing stored; a retry with a fresh nonce and code succeeds',
      async (endpoint, code) => {
        const { customerId, link, input, fixture } = await prepare();
        await sandbox.setFault({ endpoint, error_code: 2, times: 1 });
        const outcome = expectFailure(await signup.complete(input), code);
        expect(outcome).toMatchObject({ customer_id: customerId, setup_link_id: link.id, message: expect.any(String) });
        expect(params(outcome.redirect_url)).toEqual({
          status: 'failure',
          error_code: code,
          customer_id: customerId,
          setup_link_id: link.id,
        });
        await expectNothingStored(customerId, link.id);

        const retry = await signup.complete({
          ...input,
          nonce: await nonceFor(link.id),
          code: await sandbox.mintCode({ waba_id: fixture.waba.id, phone_number_id: fixture.phone_number.id }),
        });
        expect(retry).toMatchObject({ status: 'success', customer_id: customerId });
      },
    );

    it('a WABA the token may not manage → waba_access_denied, before any subscription or registration', async () => {
      const { customerId, link, input } = await prepare();
      const other = await sandbox.createSignupFixture({ display_phone_number: nextDisplay(), code: false });
      const since = new Date().toISOString();
      expectFailure(
        await signup.complete({ ...input, waba_id: other.waba.id, phone_number_id: other.phone_number.id }),
        'waba_access_denied',
      );
      expect((await sandbox.requests({ since })).map((r) => r.endpoint)).toEqual(['oauth/access_token', 'debug_token']);
      await expectNothingStored(customerId, link.id);
    });

    it('a reused, unknown or foreign nonce → answered exactly like an unknown token (the nonce is spent even by a failure)', async () => {
      const { customerId, link, input } = await prepare();
      await sandbox.setFault({ endpoint: 'oauth/access_token', error_code: 100, times: 1 });
      expectFailure(await signup.complete(input), 'token_exchange_failed');
      const unknownToken = await signup.complete({ ...input, token: `csl_${'Q'.repeat(24)}` });
      const other = await prepare();
      for (const nonce of [input.nonce, 'x'.repeat(43), await nonceFor(other.link.id)]) {
        const outcome = await signup.complete({ ...input, nonce });
        expect(outcome).toEqual(unknownToken);
        expect(outcome).toMatchObject({ error_code: 'link_invalid', customer_id: null, setup_link_id: null, redirect_url: null });
        expect(await signup.fail({ token: input.token, nonce, reason: 'error' })).toEqual(unknownToken);
      }
      await expectNothingStored(customerId, link.id);
    });

    it.each([
      ['distinct nonces', false],
      ['one shared nonce', true],
    ])('20 concurrent completions of one link (%s): one set of Meta calls, one account, 19 link_consumed', async (_name, shared) => {
      const first = await prepare();
      const nonces = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => (shared || i === 0 ? first.input.nonce : nonceFor(first.link.id))),
      );
      await sandbox.clearRequests();
      const outcomes = await Promise.all(nonces.map((nonce) => signup.complete({ ...first.input, nonce })));
      expect(outcomes.filter((o) => o.status === 'success')).toHaveLength(1);
      const failures = outcomes.filter((o) => o.status === 'failure');
      expect(failures).toHaveLength(19);
      for (const failure of failures) expect(failure).toMatchObject({ error_code: 'link_consumed', setup_link_id: first.link.id });
      const endpoints = (await sandbox.requests()).map((r) => r.endpoint);
      for (const endpoint of ['oauth/access_token', 'debug_token', 'subscribed_apps', 'register']) {
        expect(endpoints.filter((e) => e === endpoint)).toHaveLength(1);
      }
      expect(await prisma.whatsappAccount.count({ where: { customerId: first.customerId } })).toBe(1);
      expect(await linkStatus(first.link.id)).toBe('consumed');
    });

    it('a completion failing at Meta gives the link back at once; a crashed one holds it only until its lease runs out', async () => {
      const { link, input, fixture } = await prepare();
      await sandbox.setFault({ endpoint: 'register', error_code: 2, times: 1 });
      expectFailure(await signup.complete(input), 'phone_registration_failed');
      expect(await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } })).toMatchObject({
        claimId: null,
        claimedUntil: null,
      });

      // A completion that claimed the link and died: the link is held (link_consumed) …
      const crashed = await links.claimForCompletion(link.id, await nonceFor(link.id));
      expect(crashed.claimed).toBe(true);
      const code = () => sandbox.mintCode({ waba_id: fixture.waba.id, phone_number_id: fixture.phone_number.id });
      expectFailure(await signup.complete({ ...input, nonce: await nonceFor(link.id), code: await code() }), 'link_consumed');
      expect(await linkStatus(link.id)).toBe('active');
      // … until the lease runs out.
      await prisma.customerSetupLink.update({ where: { id: link.id }, data: { claimedUntil: new Date(Date.now() - 1000) } });
      expect(await signup.complete({ ...input, nonce: await nonceFor(link.id), code: await code() })).toMatchObject({ status: 'success' });
    });

    it('unknown token → link_invalid with no link, customer or redirect', async () => {
      expect(
        await signup.complete({ token: `csl_${'Q'.repeat(24)}`, nonce: 'n', code: 'c', waba_id: '123456', phone_number_id: '123456' }),
      ).toEqual({
        status: 'failure',
        error_code: 'link_invalid',
        redirect_url: null,
        customer_id: null,
        setup_link_id: null,
        message: expect.any(String),
      });
    });

    it('expired, revoked and consumed links → link_expired, link_revoked, link_consumed (failure redirect with the link)', async () => {
      const expired = await prepare();
      await prisma.customerSetupLink.update({ where: { id: expired.link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
      const e = expectFailure(await signup.complete(expired.input), 'link_expired');
      expect(params(e.redirect_url)).toEqual({
        status: 'failure',
        error_code: 'link_expired',
        customer_id: expired.customerId,
        setup_link_id: expired.link.id,
      });

      const revoked = await prepare();
      await links.revoke(scopeOf(s), revoked.customerId, revoked.link.id);
      expectFailure(await signup.complete(revoked.input), 'link_revoked');

      const consumed = await prepare();
      expect((await signup.complete(consumed.input)).status).toBe('success');
      const again = await sandbox.mintCode({ waba_id: consumed.fixture.waba.id, phone_number_id: consumed.fixture.phone_number.id });
      expectFailure(await signup.complete({ ...consumed.input, code: again }), 'link_consumed');
      expect(await prisma.whatsappAccount.count({ where: { customerId: consumed.customerId } })).toBe(1);
    });

    it('two completions racing on one token (two nonces): exactly one succeeds, the other gets link_consumed', async () => {
      const first = await prepare();
      const fixture2 = await sandbox.createSignupFixture({ display_phone_number: nextDisplay() });
      const second: CompleteSignupInput = {
        token: first.token,
        nonce: await nonceFor(first.link.id),
        code: fixture2.code ?? '',
        waba_id: fixture2.waba.id,
        phone_number_id: fixture2.phone_number.id,
      };
      const outcomes = await Promise.all([signup.complete(first.input), signup.complete(second)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['failure', 'success']);
      expect(outcomes.find((o) => o.status === 'failure')).toMatchObject({ error_code: 'link_consumed' });
      expect(await prisma.whatsappAccount.count({ where: { customerId: first.customerId } })).toBe(1);
      const types = await eventTypes(first.customerId);
      expect(types.filter((type) => type === 'account.connected')).toHaveLength(1);
      expect(types.filter((type) => type === 'customer.onboarded')).toHaveLength(1);
    });

    it('reconnect of the same number (same customer, WABA and display number): same wba_ id, new phone_number_id, approved again', async () => {
      const first = await prepare();
      const connected = await signup.complete(first.input);
      if (connected.status !== 'success') throw new Error(`expected success, got ${JSON.stringify(connected)}`);
      const before = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: connected.account_id } });
      await prisma.whatsappAccount.update({ where: { id: connected.account_id }, data: { status: 'disconnected' } });

      // Kirim knew the number under an older Meta id (the sandbox cannot hold two numbers with the same
      // digits, so the old id is written into Kirim's row); the new signup reports the current one.
      const oldId = `9${Date.now()}`.slice(0, 16);
      await prisma.whatsappAccount.update({ where: { id: connected.account_id }, data: { phoneNumberId: oldId } });
      const renewed = { id: first.fixture.phone_number.id };
      const { link, token } = await newLink(first.customerId);
      const since = new Date().toISOString();
      const outcome = await signup.complete({
        token,
        nonce: await nonceFor(link.id),
        code: await sandbox.mintCode({ waba_id: first.fixture.waba.id, phone_number_id: renewed.id }),
        waba_id: first.fixture.waba.id,
        phone_number_id: renewed.id,
      });
      expect(outcome).toMatchObject({ status: 'success', account_id: connected.account_id, phone_number_id: renewed.id });
      const after = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: connected.account_id } });
      expect(after).toMatchObject({
        phoneNumberId: renewed.id,
        status: 'approved',
        onboardedAt: before.onboardedAt,
        createdAt: before.createdAt,
      });
      expect(oldId).not.toBe(renewed.id);
      expect(after.businessTokenCiphertext).not.toBe(before.businessTokenCiphertext);
      // Re-registered with the account's own PIN (Meta refuses another PIN for a registered number).
      const register = (await sandbox.requests({ since, endpoint: 'register' }))[0];
      expect((register?.body as { pin: string }).pin).toBe(crypto.open(before.registrationPinCiphertext));
      expect(await prisma.whatsappAccount.count({ where: { customerId: first.customerId } })).toBe(1);
      expect((await eventTypes(first.customerId)).filter((type) => type === 'account.connected')).toHaveLength(2);
      expect(await linkStatus(link.id)).toBe('consumed');
    });

    it('the same number under another customer or another organization → waba_access_denied, nothing subscribed or registered', async () => {
      const owner = await prepare();
      expect((await signup.complete(owner.input)).status).toBe('success');
      const number = { waba_id: owner.fixture.waba.id, phone_number_id: owner.fixture.phone_number.id };

      const otherOrg = await createOrgSession(t.app);
      for (const session of [s, otherOrg]) {
        const customerId = (await newCustomer(session, 'Someone Else')).id;
        const { link, token } = await newLink(customerId, session);
        const since = new Date().toISOString();
        const outcome = await signup.complete({ token, nonce: await nonceFor(link.id), code: await sandbox.mintCode(number), ...number });
        expectFailure(outcome, 'waba_access_denied');
        expect((await sandbox.requests({ since })).map((r) => r.endpoint)).toEqual(['oauth/access_token', 'debug_token', 'phone_number']);
        expect(await linkStatus(link.id)).toBe('active');
        expect(await prisma.whatsappAccount.count({ where: { customerId } })).toBe(0);
      }
      expect(await prisma.whatsappAccount.findUniqueOrThrow({ where: { phoneNumberId: number.phone_number_id } })).toMatchObject({
        customerId: owner.customerId,
      });
    });
  });

  describe('fail', () => {
    it.each([
      ['cancelled', 'signup_cancelled'],
      ['error', 'signup_error'],
    ] as const)('reason %s → %s; the link stays active and the nonce is spent', async (reason, code) => {
      const { customerId, link, input } = await prepare();
      const outcome = expectFailure(
        await signup.fail({
          token: input.token,
          nonce: input.nonce,
          reason,
          current_step: 'PHONE_NUMBER_SETUP',
          error_code: '524126',
          error_message: 'oops',
        }),
        code,
      );
      expect(params(outcome.redirect_url)).toEqual({
        status: 'failure',
        error_code: code,
        customer_id: customerId,
        setup_link_id: link.id,
      });
      expectFailure(await signup.fail({ token: input.token, nonce: input.nonce, reason }), 'link_invalid');
      await expectNothingStored(customerId, link.id);
      // The client may retry.
      expect((await signup.complete({ ...input, nonce: await nonceFor(link.id) })).status).toBe('success');
    });

    it('an unusable link → its code, even for fail', async () => {
      const { link, input } = await prepare();
      await links.revoke(scopeOf(s), (await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } })).customerId, link.id);
      expectFailure(await signup.fail({ token: input.token, nonce: input.nonce, reason: 'cancelled' }), 'link_revoked');
    });
  });
});
