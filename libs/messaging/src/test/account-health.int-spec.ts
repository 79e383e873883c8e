import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeysService } from '@kirim/identity';
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
import { freshWaId, seedAccount, templateBody } from './helpers';
import { bootWorker, inboundApiImports, inboundHttpOptions, META_WEBHOOK_PATH, postWebhook, waitFor } from './inbound-helpers';

const SECRET = 'account-health-secret';

type Json = Record<string, unknown>;

interface HealthAccount {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  /** The display number's digits, as Meta's webhooks name it. */
  digits: string;
  organizationId: string;
}

let wabaSeq = 0;
/** A WABA id no other test uses (so WABA-wide events touch only this test's accounts). */
const freshWabaId = () => `77${String(Date.now()).slice(-9)}${String(++wabaSeq).padStart(4, '0')}`;

/** Meta's envelope with one change per item (reference §5.4: `entry.id` is the WABA, `time` on these fields). */
function healthEnvelope(entryId: string, changes: { field: string; value: Json }[]): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: entryId, time: Math.floor(Date.now() / 1000), changes: changes.map(({ field, value }) => ({ value, field })) }],
  };
}
const quality = (acc: HealthAccount, value: Json) =>
  healthEnvelope(acc.wabaId, [{ field: 'phone_number_quality_update', value: { display_phone_number: acc.digits, ...value } }]);
const accountUpdate = (entryId: string, value: Json) => healthEnvelope(entryId, [{ field: 'account_update', value }]);

/**
 * Account health end to end: Meta's signed webhooks (posted directly, and through the sandbox's control
 * API as a real process) → the api's intake → the worker's processing → the account's fields
 * (`GET /v1/accounts/{id}`) and `account.updated` / `account.disconnected` in the event log.
 */
describe('account health from Meta webhooks (end to end)', () => {
  let sandbox: MetaSandbox;
  let env: TestEnv;
  let api: TestApp;
  let worker: INestApplicationContext;
  let prisma: PrismaService;
  let a: OrgSession;
  let b: OrgSession;

  beforeAll(async () => {
    sandbox = await startMetaSandbox({ META_APP_SECRET: SECRET });
    env = await createTestEnv({
      META_GRAPH_URL: sandbox.url,
      META_APP_ID: sandbox.appId,
      META_APP_SECRET: SECRET,
      MESSAGING_SWEEP_GRACE_MS: '60000',
      RATE_LIMIT_READ_PER_MIN: '100000',
      RATE_LIMIT_WRITE_PER_MIN: '100000',
    });
    api = await createTestApp(
      { module: class Root {}, imports: [...inboundApiImports(env.config), contextPorts()] },
      { listen: true, http: inboundHttpOptions },
    );
    worker = await bootWorker(env.config, contextPorts());
    prisma = api.app.get(PrismaService);
    a = await createOrgSession(api.app);
    b = await createOrgSession(api.app);
    await sandbox.control('PUT', '/webhooks/settings', { callback_url: `http://127.0.0.1:${api.port}${META_WEBHOOK_PATH}` });
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await env?.close();
    await sandbox?.stop();
  });

  /** An account as a signup leaves it (GREEN, STANDARD, TIER_250, `Client Co`), in its own WABA unless given. */
  const account = async (
    o: {
      session?: OrgSession;
      wabaId?: string;
      status?: 'approved' | 'restricted' | 'disconnected' | 'archived';
      customerId?: string;
    } = {},
  ): Promise<HealthAccount> => {
    const session = o.session ?? a;
    const seeded = await seedAccount(api.app, session, {
      ...(o.status !== undefined && { status: o.status }),
      ...(o.customerId !== undefined && { customerId: o.customerId }),
    });
    const wabaId = o.wabaId ?? freshWabaId();
    const row = await prisma.whatsappAccount.update({ where: { id: seeded.id }, data: { wabaId } });
    return {
      id: row.id,
      phoneNumberId: row.phoneNumberId,
      wabaId,
      digits: row.displayPhoneNumber.replace(/\D/g, ''),
      organizationId: row.orgId,
    };
  };
  const allProcessed = () =>
    waitFor('every stored payload processed', async () => (await prisma.metaWebhookPayload.count({ where: { processedAt: null } })) === 0);
  /** Posts signed like Meta, expects the 200, waits until the worker processed it; returns the stored payload. */
  const deliver = async (body: unknown) => {
    const before = new Date(Date.now() - 1);
    const res = await postWebhook(api, body, SECRET);
    expect(res.status).toBe(200);
    await allProcessed();
    return prisma.metaWebhookPayload.findFirstOrThrow({ where: { receivedAt: { gte: before } }, orderBy: { receivedAt: 'desc' } });
  };
  const getAccount = async (acc: HealthAccount, session: OrgSession = a) => {
    const res = await api.http.get(`/v1/accounts/${acc.id}`).set(session.auth);
    expect(res.status).toBe(200);
    return res.body.data as Json;
  };
  /** The account's events, oldest first. */
  const eventsOf = async (acc: HealthAccount, type?: string) =>
    (
      await prisma.event.findMany({
        where: { orgId: acc.organizationId, type: type ?? { startsWith: 'account.' } },
        orderBy: { id: 'asc' },
      })
    ).filter((e) => (e.data as { account?: { id: string } }).account?.id === acc.id);

  it('FLAGGED with a smaller tier → RED + TIER_50, one account.updated with previous_attributes; UNFLAGGED → GREEN', async () => {
    const acc = await account();
    const before = await getAccount(acc);
    await deliver(quality(acc, { event: 'FLAGGED', current_limit: 'TIER_50', old_limit: 'TIER_250' }));
    const flagged = await getAccount(acc);
    expect(flagged).toMatchObject({ quality_rating: 'RED', messaging_limit_tier: 'TIER_50', status: 'approved' });
    expect(Date.parse(flagged['updated_at'] as string)).toBeGreaterThan(Date.parse(before['updated_at'] as string));
    const [updated, ...others] = await eventsOf(acc);
    expect(others).toHaveLength(0);
    expect(updated).toMatchObject({
      type: 'account.updated',
      teamId: a.teamId,
      customerId: null,
      previousAttributes: { quality_rating: 'GREEN', messaging_limit_tier: 'TIER_250' },
    });
    expect((updated?.data as { account: Json }).account).toEqual(flagged);

    await deliver(quality(acc, { event: 'UNFLAGGED', current_limit: 'TIER_50' }));
    expect(await getAccount(acc)).toMatchObject({ quality_rating: 'GREEN', messaging_limit_tier: 'TIER_50' });
    const events = await eventsOf(acc, 'account.updated');
    expect(events.map((e) => e.previousAttributes)).toEqual([
      { quality_rating: 'GREEN', messaging_limit_tier: 'TIER_250' },
      { quality_rating: 'RED' },
    ]);
  });

  it('a reported quality_rating, the v24 max_daily_conversations_per_business, routing by phone_number_id', async () => {
    const acc = await account();
    await deliver(
      healthEnvelope(acc.wabaId, [
        {
          field: 'phone_number_quality_update',
          value: {
            phone_number_id: acc.phoneNumberId,
            event: 'DOWNGRADE',
            quality_rating: 'YELLOW',
            max_daily_conversations_per_business: 'TIER_2K',
          },
        },
      ]),
    );
    expect(await getAccount(acc)).toMatchObject({ quality_rating: 'YELLOW', messaging_limit_tier: 'TIER_2K' });
  });

  it('name APPROVED → verified_name; REJECTED → noted, unchanged', async () => {
    const acc = await account();
    const name = (decision: string, requested: string) =>
      healthEnvelope(acc.wabaId, [
        {
          field: 'phone_number_name_update',
          value: { display_phone_number: acc.digits, decision, requested_verified_name: requested, rejection_reason: null },
        },
      ]);
    await deliver(name('APPROVED', 'Toko Maju Jaya'));
    expect(await getAccount(acc)).toMatchObject({ verified_name: 'Toko Maju Jaya' });
    const rejected = await deliver(name('REJECTED', 'Something Else'));
    expect(rejected.note).toContain('phone_number_name_update REJECTED');
    expect(await getAccount(acc)).toMatchObject({ verified_name: 'Toko Maju Jaya' });
    expect((await eventsOf(acc)).map((e) => [e.type, e.previousAttributes])).toEqual([['account.updated', { verified_name: 'Client Co' }]]);
  });

  it('THROUGHPUT_UPGRADE → throughput_level HIGH (and the tier Meta reports)', async () => {
    const acc = await account();
    await deliver(quality(acc, { event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' }));
    expect(await getAccount(acc)).toMatchObject({ throughput_level: 'HIGH', messaging_limit_tier: 'TIER_UNLIMITED' });
    expect((await eventsOf(acc))[0]?.previousAttributes).toEqual({ throughput_level: 'STANDARD', messaging_limit_tier: 'TIER_250' });
  });

  it('a restriction → restricted (sends → 422 account_not_connected); lifted → approved again', async () => {
    const acc = await account();
    await deliver(
      accountUpdate(acc.wabaId, {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: Math.floor(Date.now() / 1000) + 86_400 }],
      }),
    );
    expect(await getAccount(acc)).toMatchObject({ status: 'restricted' });
    const send = await api.http.post(`/v1/${acc.phoneNumberId}/messages`).set(a.auth).send(templateBody(freshWaId()));
    expect({ status: send.status, code: send.body.error?.code }).toEqual({ status: 422, code: 'account_not_connected' });

    await deliver(accountUpdate(acc.wabaId, { event: 'ACCOUNT_RESTRICTION', restriction_info: [] }));
    expect(await getAccount(acc)).toMatchObject({ status: 'approved' });
    expect((await eventsOf(acc)).map((e) => [e.type, e.previousAttributes])).toEqual([
      ['account.updated', { status: 'approved' }],
      ['account.updated', { status: 'restricted' }],
    ]);
  });

  it('a ban (DISABLED_UPDATE DISABLE) → disconnected + account.disconnected, sends → 422; REINSTATE does not reconnect it', async () => {
    const acc = await account();
    await deliver(
      accountUpdate(acc.wabaId, { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'April 17, 2026' } }),
    );
    const disconnected = await getAccount(acc);
    expect(disconnected).toMatchObject({ status: 'disconnected' });
    const events = await eventsOf(acc);
    expect(events.map((e) => [e.type, e.previousAttributes])).toEqual([
      ['account.updated', { status: 'approved' }],
      ['account.disconnected', null],
    ]);
    expect((events[1]?.data as { account: Json }).account).toEqual(disconnected);
    const send = await api.http.post(`/v1/${acc.phoneNumberId}/messages`).set(a.auth).send(templateBody(freshWaId()));
    expect({ status: send.status, code: send.body.error?.code }).toEqual({ status: 422, code: 'account_not_connected' });

    await deliver(accountUpdate(acc.wabaId, { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE' } }));
    expect(await getAccount(acc)).toMatchObject({ status: 'disconnected' });
    expect(await eventsOf(acc)).toHaveLength(2);
  });

  it('PARTNER_REMOVED (customer WABA in waba_info, entry.id the partner) disconnects every account of that WABA only', async () => {
    const wabaId = freshWabaId();
    const first = await account({ wabaId });
    const second = await account({ wabaId });
    const bystander = await account();
    await deliver(
      accountUpdate('2949482758682047', {
        event: 'PARTNER_REMOVED',
        waba_info: { waba_id: wabaId, owner_business_id: '1284923862322270' },
      }),
    );
    for (const acc of [first, second]) {
      expect(await getAccount(acc)).toMatchObject({ status: 'disconnected' });
      expect((await eventsOf(acc)).map((e) => e.type)).toEqual(['account.updated', 'account.disconnected']);
    }
    expect(await getAccount(bystander)).toMatchObject({ status: 'approved' });
    expect(await eventsOf(bystander)).toHaveLength(0);
  });

  it("Meta's duplicate (the same webhook twice) → one event; several changes in one payload apply in order", async () => {
    const acc = await account();
    const body = quality(acc, { event: 'FLAGGED', current_limit: 'TIER_250' });
    await deliver(body);
    await deliver(body);
    expect(await eventsOf(acc)).toHaveLength(1);

    await deliver(
      healthEnvelope(acc.wabaId, [
        { field: 'phone_number_quality_update', value: { display_phone_number: acc.digits, event: 'UNFLAGGED', current_limit: 'TIER_1K' } },
        { field: 'phone_number_quality_update', value: { display_phone_number: acc.digits, event: 'FLAGGED', current_limit: 'TIER_1K' } },
      ]),
    );
    expect(await getAccount(acc)).toMatchObject({ quality_rating: 'RED', messaging_limit_tier: 'TIER_1K' });
    expect((await eventsOf(acc)).map((e) => e.previousAttributes)).toEqual([
      { quality_rating: 'GREEN' },
      { quality_rating: 'RED', messaging_limit_tier: 'TIER_250' },
      { quality_rating: 'GREEN' },
    ]);
  });

  it('an unknown WABA or number → noted, the payload processed, nothing changed', async () => {
    const acc = await account();
    const eventsBefore = await prisma.event.count();
    const unknownWaba = await deliver(accountUpdate(freshWabaId(), { event: 'ACCOUNT_DELETED' }));
    expect(unknownWaba.processedAt).not.toBeNull();
    expect(unknownWaba.note).toMatch(/^account_update ACCOUNT_DELETED: WABA \d+ unknown$/);
    // the account's number in another WABA is not the account's
    const elsewhere = await deliver(
      healthEnvelope(freshWabaId(), [
        { field: 'phone_number_quality_update', value: { display_phone_number: acc.digits, event: 'FLAGGED' } },
      ]),
    );
    expect(elsewhere.note).toMatch(/phone_number_quality_update FLAGGED: number \d+ of WABA \d+ unknown/);
    const unmapped = await deliver(accountUpdate(acc.wabaId, { event: 'PARTNER_APP_INSTALLED', waba_info: { waba_id: acc.wabaId } }));
    expect(unmapped.note).toBe('account_update PARTNER_APP_INSTALLED');
    expect(await prisma.event.count()).toBe(eventsBefore);
    expect(await getAccount(acc)).toMatchObject({ status: 'approved', quality_rating: 'GREEN' });
  });

  it('an archived account is never changed by a webhook (noted)', async () => {
    const wabaId = freshWabaId();
    const archived = await account({ wabaId, status: 'archived' });
    const payload = await deliver(
      healthEnvelope(wabaId, [
        {
          field: 'phone_number_quality_update',
          value: { display_phone_number: archived.digits, event: 'FLAGGED', current_limit: 'TIER_50' },
        },
        { field: 'account_update', value: { event: 'PARTNER_REMOVED' } },
      ]),
    );
    expect(payload.note).toContain(`account ${archived.id} archived, not changed`);
    const row = await prisma.whatsappAccount.findUniqueOrThrow({ where: { id: archived.id } });
    expect(row).toMatchObject({ status: 'archived', qualityRating: 'GREEN', messagingLimitTier: 'TIER_250' });
    expect(await eventsOf(archived)).toHaveLength(0);
  });

  it("a customer's account: the event carries the customer; its restricted key sees the change, another customer's key and another organization get 404", async () => {
    const customer = await api.http.post('/v1/customers').set(a.auth).send({ name: 'Toko Health' });
    const other = await api.http.post('/v1/customers').set(a.auth).send({ name: 'Toko Other' });
    expect([customer.status, other.status]).toEqual([201, 201]);
    const customerId = customer.body.data.id as string;
    const acc = await account({ customerId });
    await deliver(quality(acc, { event: 'FLAGGED' }));
    const [event] = await eventsOf(acc);
    expect(event).toMatchObject({ customerId, previousAttributes: { quality_rating: 'GREEN' } });
    expect((event?.data as { account: Json }).account).toMatchObject({
      customer: { id: customerId, name: 'Toko Health' },
      quality_rating: 'RED',
    });

    const keys = api.app.get(ApiKeysService);
    const own = await keys.create(a.organizationId, { customerId, label: 'own' });
    const foreign = await keys.create(a.organizationId, { customerId: other.body.data.id as string, label: 'foreign' });
    const asKey = (secret: string) => api.http.get(`/v1/accounts/${acc.id}`).set({ Authorization: `Bearer ${secret}` });
    expect((await asKey(own.secret)).body.data).toMatchObject({ quality_rating: 'RED' });
    expect((await asKey(foreign.secret)).status).toBe(404);
    const crossOrg = await api.http.get(`/v1/accounts/${acc.id}`).set(b.auth);
    expect({ status: crossOrg.status, code: crossOrg.body.error?.code }).toEqual({ status: 404, code: 'resource_not_found' });
    expect(await prisma.event.count({ where: { orgId: b.organizationId, type: { startsWith: 'account.' } } })).toBe(0);
  });

  describe('through the sandbox (a real process posting signed webhooks)', () => {
    /** A sandbox number and the Kirim account holding it (same phone_number_id, WABA and display number). */
    const sandboxAccount = async (): Promise<HealthAccount> => {
      const fixture = await sandbox.createSignupFixture({ code: false });
      const seeded = await seedAccount(api.app, a, { phoneNumberId: fixture.phone_number.id });
      await prisma.whatsappAccount.update({
        where: { id: seeded.id },
        data: { wabaId: fixture.waba.id, displayPhoneNumber: fixture.phone_number.display_phone_number },
      });
      return {
        id: seeded.id,
        phoneNumberId: fixture.phone_number.id,
        wabaId: fixture.waba.id,
        digits: fixture.phone_number.display_phone_number.replace(/\D/g, ''),
        organizationId: a.organizationId,
      };
    };

    it('quality RED + tier, a name decision and a throughput upgrade at the sandbox → the account follows, one event each', async () => {
      const acc = await sandboxAccount();
      await sandbox.control('POST', `/phone_numbers/${acc.phoneNumberId}/quality`, {
        quality_rating: 'RED',
        messaging_limit_tier: 'TIER_1K',
      });
      await sandbox.control('POST', `/phone_numbers/${acc.phoneNumberId}/name_decision`, {
        decision: 'APPROVED',
        requested_verified_name: 'Sandbox Renamed',
      });
      await sandbox.control('POST', `/phone_numbers/${acc.phoneNumberId}/throughput_level`, { level: 'HIGH' });
      await waitFor('three account.updated events', async () => (await eventsOf(acc)).length === 3);
      await allProcessed();
      expect(await getAccount(acc)).toMatchObject({
        quality_rating: 'RED',
        messaging_limit_tier: 'TIER_1K',
        verified_name: 'Sandbox Renamed',
        throughput_level: 'HIGH',
        status: 'approved',
      });
      expect((await eventsOf(acc)).map((e) => e.previousAttributes)).toEqual([
        { quality_rating: 'GREEN', messaging_limit_tier: 'TIER_250' },
        { verified_name: 'Client Co' },
        { throughput_level: 'STANDARD' },
      ]);
    });

    it('a restriction, then a partner removal at the sandbox → restricted, then disconnected with account.disconnected', async () => {
      const acc = await sandboxAccount();
      await sandbox.control('POST', `/wabas/${acc.wabaId}/restriction`, {});
      await waitFor('restricted', async () => (await getAccount(acc))['status'] === 'restricted');
      await sandbox.control('POST', `/wabas/${acc.wabaId}/partner_removed`, {});
      await waitFor('disconnected', async () => (await getAccount(acc))['status'] === 'disconnected');
      await allProcessed();
      expect((await eventsOf(acc)).map((e) => [e.type, e.previousAttributes])).toEqual([
        ['account.updated', { status: 'approved' }],
        ['account.updated', { status: 'restricted' }],
        ['account.disconnected', null],
      ]);
    });
  });
});
