import { APP_SECRET, type Fixture, Sandbox, V } from '../test/harness';
import { expectedSignature, WebhookReceiver } from '../test/webhook-receiver';

/** The account-health control API: the sandbox's state (what Graph answers) and Meta's signed webhook, per call. */
describe('control API: account health events (quality, limit, throughput, name, restriction, ban, partner removal)', () => {
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    sandbox = await Sandbox.start();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
    await sandbox?.close();
  });
  beforeEach(async () => {
    await sandbox.reset();
    receiver.clear();
    await sandbox.webhooksTo(receiver.url);
  });

  const control = (path: string, body: Record<string, unknown> = {}) => sandbox.http.post(`/_sandbox${path}`).send(body);
  /** The one webhook received since the last clear, checked for Meta's signature over the exact bytes. */
  const onlyWebhook = () => {
    expect(receiver.received).toHaveLength(1);
    const [hook] = receiver.received;
    if (!hook) throw new Error('no webhook');
    expect(hook.headers['x-hub-signature-256']).toBe(expectedSignature(hook.raw, APP_SECRET));
    expect(hook.body.object).toBe('whatsapp_business_account');
    expect(hook.body.entry).toHaveLength(1);
    const entry = hook.body.entry[0];
    expect(entry?.changes).toHaveLength(1);
    return { entryId: entry?.id, time: entry?.time, change: entry?.changes[0] };
  };
  const graphNumber = async (f: Fixture & { token: string }, fields: string) =>
    (await sandbox.http.get(`${V}/${f.phone_number.id}`).query({ fields }).auth(f.token, { type: 'bearer' }).expect(200)).body;
  const digitsOf = (f: Fixture) => f.phone_number.display_phone_number.replace(/\D/g, '');

  describe('POST /_sandbox/phone_numbers/{id}/quality', () => {
    it('RED + a smaller tier → FLAGGED with current_limit/old_limit; Graph answers the new rating and tier', async () => {
      const f = await sandbox.onboarded();
      const res = await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'RED', messaging_limit_tier: 'TIER_50' });
      expect(res.status).toBe(200);
      expect(res.body.phone_numbers[0]).toMatchObject({ quality_rating: 'RED', messaging_limit_tier: 'TIER_50' });
      expect(res.body.delivery).toMatchObject({ state: 'delivered' });
      const hook = onlyWebhook();
      expect(hook.entryId).toBe(f.waba.id);
      expect(hook.time).toEqual(expect.any(Number));
      expect(hook.change).toEqual({
        field: 'phone_number_quality_update',
        value: {
          display_phone_number: digitsOf(f),
          event: 'FLAGGED',
          current_limit: 'TIER_50',
          old_limit: 'TIER_250',
          max_daily_conversations_per_business: 'TIER_50',
        },
      });
      expect(await graphNumber(f, 'quality_rating,messaging_limit_tier,whatsapp_business_manager_messaging_limit')).toEqual({
        quality_rating: 'RED',
        messaging_limit_tier: 'TIER_50',
        whatsapp_business_manager_messaging_limit: 'TIER_50',
        id: f.phone_number.id,
      });
    });

    it('back to GREEN → UNFLAGGED; a larger tier alone → UPGRADE, a smaller → DOWNGRADE; no old_limit when the tier stays', async () => {
      const f = await sandbox.onboarded();
      await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'RED' }).expect(200);
      await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'GREEN' }).expect(200);
      await control(`/phone_numbers/${f.phone_number.id}/quality`, { messaging_limit_tier: 'TIER_10K' }).expect(200);
      await control(`/phone_numbers/${f.phone_number.id}/quality`, { messaging_limit_tier: 'TIER_2K' }).expect(200);
      const values = receiver.received.map((r) => r.body.entry[0]?.changes[0]?.value);
      expect(values.map((v) => v?.['event'])).toEqual(['FLAGGED', 'UNFLAGGED', 'UPGRADE', 'DOWNGRADE']);
      expect(values[1]).not.toHaveProperty('old_limit');
      expect(values[3]).toMatchObject({ current_limit: 'TIER_2K', old_limit: 'TIER_10K' });
    });

    it('include_quality_rating reports the rating; a change no Meta event expresses needs `event`; bad input → 400/404, nothing sent', async () => {
      const f = await sandbox.onboarded();
      expect((await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'YELLOW' })).status).toBe(400);
      expect((await control(`/phone_numbers/${f.phone_number.id}/quality`, {})).status).toBe(400);
      expect((await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'PURPLE' })).status).toBe(400);
      expect((await control(`/phone_numbers/${f.phone_number.id}/quality`, { quality_rating: 'RED', extra: 1 })).status).toBe(400);
      expect((await control('/phone_numbers/999999999/quality', { quality_rating: 'RED' })).status).toBe(404);
      expect(receiver.received).toHaveLength(0);
      expect(await graphNumber(f, 'quality_rating')).toMatchObject({ quality_rating: 'GREEN' });

      await control(`/phone_numbers/${f.phone_number.id}/quality`, {
        quality_rating: 'YELLOW',
        event: 'DOWNGRADE',
        include_quality_rating: true,
      }).expect(200);
      expect(onlyWebhook().change?.value).toMatchObject({ event: 'DOWNGRADE', quality_rating: 'YELLOW', current_limit: 'TIER_250' });
    });
  });

  describe('POST /_sandbox/phone_numbers/{id}/throughput_level', () => {
    it('HIGH → THROUGHPUT_UPGRADE and Graph throughput.level HIGH; STANDARD changes the state only (Meta sends nothing)', async () => {
      const f = await sandbox.onboarded();
      const res = await control(`/phone_numbers/${f.phone_number.id}/throughput_level`, { level: 'HIGH' }).expect(200);
      expect(res.body.phone_numbers[0]).toMatchObject({ throughput_level: 'HIGH' });
      expect(onlyWebhook().change).toEqual({
        field: 'phone_number_quality_update',
        value: {
          display_phone_number: digitsOf(f),
          event: 'THROUGHPUT_UPGRADE',
          current_limit: 'TIER_250',
          max_daily_conversations_per_business: 'TIER_250',
        },
      });
      expect(await graphNumber(f, 'throughput')).toEqual({ throughput: { level: 'HIGH' }, id: f.phone_number.id });

      receiver.clear();
      await control(`/phone_numbers/${f.phone_number.id}/throughput_level`, { level: 'HIGH' }).expect(200); // already HIGH
      const down = await control(`/phone_numbers/${f.phone_number.id}/throughput_level`, { level: 'STANDARD' }).expect(200);
      expect(down.body.delivery).toBeNull();
      expect(receiver.received).toHaveLength(0);
      expect(await graphNumber(f, 'throughput')).toEqual({ throughput: { level: 'STANDARD' }, id: f.phone_number.id });
      expect((await control(`/phone_numbers/${f.phone_number.id}/throughput_level`, { level: 'FAST' })).status).toBe(400);
    });
  });

  describe('POST /_sandbox/phone_numbers/{id}/name_decision', () => {
    it('APPROVED renames the number (verified_name, name_status) and posts phone_number_name_update', async () => {
      const f = await sandbox.onboarded();
      await control(`/phone_numbers/${f.phone_number.id}/name_decision`, {
        decision: 'APPROVED',
        requested_verified_name: 'Lucky Shrub',
      }).expect(200);
      expect(onlyWebhook().change).toEqual({
        field: 'phone_number_name_update',
        value: { display_phone_number: digitsOf(f), decision: 'APPROVED', requested_verified_name: 'Lucky Shrub', rejection_reason: null },
      });
      expect(await graphNumber(f, 'verified_name,name_status')).toEqual({
        verified_name: 'Lucky Shrub',
        name_status: 'APPROVED',
        id: f.phone_number.id,
      });
    });

    it('REJECTED keeps the name (name_status DECLINED) and carries the reason', async () => {
      const f = await sandbox.onboarded({ verified_name: 'Old Name' });
      await control(`/phone_numbers/${f.phone_number.id}/name_decision`, {
        decision: 'REJECTED',
        requested_verified_name: 'Bad Name',
        rejection_reason: 'NAME_FORMAT_INVALID',
      }).expect(200);
      expect(onlyWebhook().change?.value).toMatchObject({ decision: 'REJECTED', rejection_reason: 'NAME_FORMAT_INVALID' });
      expect(await graphNumber(f, 'verified_name,name_status')).toMatchObject({ verified_name: 'Old Name', name_status: 'DECLINED' });
      expect((await control(`/phone_numbers/${f.phone_number.id}/name_decision`, { decision: 'APPROVED' })).status).toBe(400);
    });
  });

  describe('account_update events of a WABA', () => {
    it('restriction → ACCOUNT_RESTRICTION with restriction_info, numbers RESTRICTED; lift → restriction_info [] and CONNECTED again', async () => {
      const f = await sandbox.sendable();
      const res = await control(`/wabas/${f.waba.id}/restriction`).expect(200);
      expect(res.body.phone_numbers[0]).toMatchObject({ id: f.phone_number.id, status: 'RESTRICTED' });
      const hook = onlyWebhook();
      expect(hook.entryId).toBe(f.waba.id);
      expect(hook.change).toEqual({
        field: 'account_update',
        value: {
          event: 'ACCOUNT_RESTRICTION',
          restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: expect.any(Number) }],
        },
      });
      expect(await graphNumber(f, 'status')).toMatchObject({ status: 'RESTRICTED' });

      receiver.clear();
      await control(`/wabas/${f.waba.id}/restriction`, { lift: true }).expect(200);
      expect(onlyWebhook().change?.value).toEqual({ event: 'ACCOUNT_RESTRICTION', restriction_info: [] });
      expect(await graphNumber(f, 'status')).toMatchObject({ status: 'CONNECTED' });
      expect((await control(`/wabas/${f.waba.id}/restriction`, { lift: true, restriction_info: [{ restriction_type: 'X' }] })).status).toBe(
        400,
      );
      expect((await control('/wabas/999999999/restriction')).status).toBe(404);
    });

    it('ban DISABLE → DISABLED_UPDATE ban_info, numbers BANNED; REINSTATE → CONNECTED; SCHEDULE_FOR_DISABLE changes nothing', async () => {
      const f = await sandbox.sendable();
      await control(`/wabas/${f.waba.id}/ban`, { waba_ban_state: 'DISABLE' }).expect(200);
      expect(onlyWebhook().change).toEqual({
        field: 'account_update',
        value: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'June 1, 2026' } },
      });
      expect(await graphNumber(f, 'status')).toMatchObject({ status: 'BANNED' });
      await control(`/wabas/${f.waba.id}/ban`, { waba_ban_state: 'REINSTATE' }).expect(200);
      expect(await graphNumber(f, 'status')).toMatchObject({ status: 'CONNECTED' });
      await control(`/wabas/${f.waba.id}/ban`, { waba_ban_state: 'SCHEDULE_FOR_DISABLE', waba_ban_date: 'July 1, 2026' }).expect(200);
      expect(await graphNumber(f, 'status')).toMatchObject({ status: 'CONNECTED' });
      expect(receiver.received.map((r) => r.body.entry[0]?.changes[0]?.value['ban_info'])).toEqual([
        { waba_ban_state: 'DISABLE', waba_ban_date: 'June 1, 2026' },
        { waba_ban_state: 'REINSTATE', waba_ban_date: 'June 1, 2026' },
        { waba_ban_state: 'SCHEDULE_FOR_DISABLE', waba_ban_date: 'July 1, 2026' },
      ]);
      expect((await control(`/wabas/${f.waba.id}/ban`, { waba_ban_state: 'MAYBE' })).status).toBe(400);
    });

    it('violation → ACCOUNT_VIOLATION violation_info', async () => {
      const f = await sandbox.onboarded();
      await control(`/wabas/${f.waba.id}/violation`, { violation_type: 'ADULT' }).expect(200);
      expect(onlyWebhook().change?.value).toEqual({ event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'ADULT' } });
    });

    it('partner removed → PARTNER_REMOVED with waba_info (entry.id as asked), then the app subscription to the WABA is gone', async () => {
      const f = await sandbox.onboarded();
      await sandbox.http.post(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }).expect(200);
      await control(`/wabas/${f.waba.id}/partner_removed`, { entry_id: '2949482758682047', reason: 'USER_REQUEST' }).expect(200);
      const hook = onlyWebhook();
      expect(hook.entryId).toBe('2949482758682047');
      expect(hook.change).toEqual({
        field: 'account_update',
        value: {
          event: 'PARTNER_REMOVED',
          waba_info: { waba_id: f.waba.id, owner_business_id: f.business.id },
          disconnection_info: { reason: 'USER_REQUEST', initiated_by: 'CLIENT' },
        },
      });
      const subscribed = await sandbox.http.get(`${V}/${f.waba.id}/subscribed_apps`).auth(f.token, { type: 'bearer' }).expect(200);
      expect((subscribed.body as { data: { whatsapp_business_api_data?: { id: string } }[] }).data).toEqual([]);
    });
  });
});
