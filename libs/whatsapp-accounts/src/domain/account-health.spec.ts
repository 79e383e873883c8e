import {
  describeTarget,
  type HealthState,
  matchesTarget,
  type MetaHealthChange,
  nextStatus,
  planHealthChange,
  readHealthChange,
} from './account-health';

const WABA = '102290129340398';
const quality = (value: Record<string, unknown>, wabaId: string | null = WABA): MetaHealthChange => ({
  field: 'phone_number_quality_update',
  wabaId,
  value,
});
const name = (value: Record<string, unknown>): MetaHealthChange => ({ field: 'phone_number_name_update', wabaId: WABA, value });
const accountUpdate = (value: Record<string, unknown>, wabaId: string | null = WABA): MetaHealthChange => ({
  field: 'account_update',
  wabaId,
  value,
});
const changeOf = (c: MetaHealthChange) => {
  const reading = readHealthChange(c);
  if (reading.kind !== 'change') throw new Error(`expected a change, got the note ${reading.note}`);
  return reading.change;
};
const noteOf = (c: MetaHealthChange) => {
  const reading = readHealthChange(c);
  if (reading.kind !== 'ignored') throw new Error(`expected a note, got ${JSON.stringify(reading.change)}`);
  return reading.note;
};

describe('account health from Meta webhooks (pure mapping)', () => {
  describe('phone_number_quality_update', () => {
    it('FLAGGED → RED, the tier from current_limit, routed by display number within the WABA', () => {
      expect(
        changeOf(quality({ display_phone_number: '15550783881', event: 'FLAGGED', current_limit: 'TIER_1K', old_limit: 'TIER_2K' })),
      ).toEqual({
        target: { by: 'number', wabaId: WABA, digits: '15550783881' },
        update: { qualityRating: 'RED', messagingLimitTier: 'TIER_1K' },
        label: 'phone_number_quality_update FLAGGED',
      });
    });

    it('UNFLAGGED → GREEN; a reported quality_rating wins over the event', () => {
      expect(changeOf(quality({ display_phone_number: '15550783881', event: 'UNFLAGGED', current_limit: 'TIER_2K' })).update).toEqual({
        qualityRating: 'GREEN',
        messagingLimitTier: 'TIER_2K',
      });
      expect(changeOf(quality({ display_phone_number: '15550783881', event: 'UNFLAGGED', quality_rating: 'YELLOW' })).update).toEqual({
        qualityRating: 'YELLOW',
      });
      expect(changeOf(quality({ display_phone_number: '15550783881', event: 'DOWNGRADE', quality_rating: 'red' })).update).toEqual({
        qualityRating: 'RED',
      });
      // NA / UNKNOWN never overwrite what Kirim knows
      expect(noteOf(quality({ display_phone_number: '15550783881', event: 'DOWNGRADE', quality_rating: 'NA' }))).toBe(
        'phone_number_quality_update DOWNGRADE: nothing Kirim keeps',
      );
    });

    it('UPGRADE / DOWNGRADE / ONBOARDING move the tier only, every Meta tier name verbatim', () => {
      for (const tier of ['TIER_50', 'TIER_250', 'TIER_1K', 'TIER_2K', 'TIER_10K', 'TIER_100K', 'TIER_UNLIMITED', 'TIER_NOT_SET']) {
        expect(changeOf(quality({ display_phone_number: '15550783881', event: 'UPGRADE', current_limit: tier })).update).toEqual({
          messagingLimitTier: tier,
        });
      }
      // v24+: the portfolio limit when current_limit is gone
      expect(
        changeOf(quality({ display_phone_number: '15550783881', event: 'ONBOARDING', max_daily_conversations_per_business: 'TIER_10K' }))
          .update,
      ).toEqual({ messagingLimitTier: 'TIER_10K' });
      expect(noteOf(quality({ display_phone_number: '15550783881', event: 'UPGRADE', current_limit: '1000' }))).toMatch(
        /nothing Kirim keeps/,
      );
    });

    it('THROUGHPUT_UPGRADE → HIGH (with the tier Meta reports)', () => {
      expect(
        changeOf(quality({ display_phone_number: '15550783881', event: 'THROUGHPUT_UPGRADE', current_limit: 'TIER_UNLIMITED' })).update,
      ).toEqual({
        throughputLevel: 'HIGH',
        messagingLimitTier: 'TIER_UNLIMITED',
      });
    });

    it('routes by phone_number_id when the value has one; without a number it is a note', () => {
      expect(changeOf(quality({ phone_number_id: '106540352242922', event: 'FLAGGED' })).target).toEqual({
        by: 'phone_number_id',
        phoneNumberId: '106540352242922',
      });
      expect(changeOf(quality({ display_phone_number: '+1 555-078-3881', event: 'FLAGGED' }, null)).target).toEqual({
        by: 'number',
        wabaId: null,
        digits: '15550783881',
      });
      expect(noteOf(quality({ event: 'FLAGGED' }))).toBe('phone_number_quality_update FLAGGED without display_phone_number');
      expect(noteOf(quality({ display_phone_number: '12', event: 'FLAGGED' }))).toMatch(/without display_phone_number/);
    });
  });

  describe('phone_number_name_update', () => {
    it('APPROVED → verified_name = requested_verified_name', () => {
      expect(
        changeOf(
          name({
            display_phone_number: '16505551111',
            decision: 'APPROVED',
            requested_verified_name: 'Lucky Shrub',
            rejection_reason: null,
          }),
        ),
      ).toEqual({
        target: { by: 'number', wabaId: WABA, digits: '16505551111' },
        update: { verifiedName: 'Lucky Shrub' },
        label: 'phone_number_name_update APPROVED',
      });
    });

    it('another decision, or no name, is a note', () => {
      expect(noteOf(name({ display_phone_number: '16505551111', decision: 'REJECTED', requested_verified_name: 'X' }))).toBe(
        'phone_number_name_update REJECTED',
      );
      expect(noteOf(name({ display_phone_number: '16505551111', decision: 'APPROVED', requested_verified_name: '  ' }))).toMatch(
        /without a requested_verified_name/,
      );
    });
  });

  describe('account_update', () => {
    it.each([
      [
        'ACCOUNT_RESTRICTION with restrictions',
        { event: 'ACCOUNT_RESTRICTION', restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1 }] },
        'restricted',
      ],
      ['ACCOUNT_RESTRICTION without restrictions', { event: 'ACCOUNT_RESTRICTION', restriction_info: [] }, 'lifted'],
      ['ACCOUNT_VIOLATION', { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'ADULT' } }, 'restricted'],
      [
        'DISABLED_UPDATE DISABLE',
        { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'April 17, 2025' } },
        'disconnected',
      ],
      ['DISABLED_UPDATE REINSTATE', { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'REINSTATE' } }, 'lifted'],
      ['PARTNER_REMOVED', { event: 'PARTNER_REMOVED' }, 'disconnected'],
      ['PARTNER_APP_UNINSTALLED', { event: 'PARTNER_APP_UNINSTALLED' }, 'disconnected'],
      ['ACCOUNT_DELETED', { event: 'ACCOUNT_DELETED' }, 'disconnected'],
      ['ACCOUNT_OFFBOARDED', { event: 'ACCOUNT_OFFBOARDED' }, 'disconnected'],
    ])('%s (value %j) → the status intent %s for the WABA of entry.id', (_what, value, status) => {
      expect(changeOf(accountUpdate(value))).toMatchObject({ target: { by: 'waba', wabaId: WABA }, update: { status } });
    });

    it('PARTNER_* events name the customer WABA in waba_info (entry.id may be the partner business)', () => {
      const change = changeOf(
        accountUpdate(
          { event: 'PARTNER_REMOVED', waba_info: { waba_id: '184943124712545', owner_business_id: '1284923862322270' } },
          '2949482758682047',
        ),
      );
      expect(change.target).toEqual({ by: 'waba', wabaId: '184943124712545' });
    });

    it('a number named in the value is the only account concerned (PHONE_NUMBER_REMOVED)', () => {
      expect(changeOf(accountUpdate({ event: 'PHONE_NUMBER_REMOVED', display_phone_number: '15550100001' })).target).toEqual({
        by: 'number',
        wabaId: WABA,
        digits: '15550100001',
      });
    });

    it('other events are notes', () => {
      expect(noteOf(accountUpdate({ event: 'PARTNER_APP_INSTALLED', waba_info: { waba_id: WABA } }))).toBe(
        'account_update PARTNER_APP_INSTALLED',
      );
      expect(noteOf(accountUpdate({ event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'SCHEDULE_FOR_DISABLE' } }))).toBe(
        'account_update DISABLED_UPDATE SCHEDULE_FOR_DISABLE',
      );
      expect(noteOf(accountUpdate({}))).toBe('account_update (no event)');
      expect(noteOf(accountUpdate({ event: 'ACCOUNT_DELETED' }, null))).toBe('account_update ACCOUNT_DELETED without a WABA id');
    });
  });

  it('another field is a note', () => {
    expect(noteOf({ field: 'security', wabaId: WABA, value: {} })).toBe('field security');
  });

  it('targets match by phone_number_id, by digits within the WABA, by WABA', () => {
    const account = { phoneNumberId: '106540352242922', wabaId: WABA, displayPhoneNumber: '+1 555-078-3881' };
    expect(matchesTarget(account, { by: 'phone_number_id', phoneNumberId: '106540352242922' })).toBe(true);
    expect(matchesTarget(account, { by: 'phone_number_id', phoneNumberId: '106540352242923' })).toBe(false);
    expect(matchesTarget(account, { by: 'number', wabaId: WABA, digits: '15550783881' })).toBe(true);
    expect(matchesTarget(account, { by: 'number', wabaId: null, digits: '15550783881' })).toBe(true);
    expect(matchesTarget(account, { by: 'number', wabaId: '999999999', digits: '15550783881' })).toBe(false);
    expect(matchesTarget(account, { by: 'number', wabaId: WABA, digits: '15550783882' })).toBe(false);
    expect(matchesTarget(account, { by: 'waba', wabaId: WABA })).toBe(true);
    expect(matchesTarget(account, { by: 'waba', wabaId: '999999999' })).toBe(false);
    expect(describeTarget({ by: 'number', wabaId: WABA, digits: '1555' })).toBe(`number 1555 of WABA ${WABA}`);
  });

  it('status: archived and disconnected stay; a lift turns only restricted into approved', () => {
    expect(nextStatus('approved', 'restricted')).toBe('restricted');
    expect(nextStatus('approved', 'disconnected')).toBe('disconnected');
    expect(nextStatus('restricted', 'disconnected')).toBe('disconnected');
    expect(nextStatus('restricted', 'lifted')).toBe('approved');
    expect(nextStatus('approved', 'lifted')).toBe('approved');
    for (const intent of ['restricted', 'disconnected', 'lifted'] as const) {
      expect(nextStatus('disconnected', intent)).toBe('disconnected');
      expect(nextStatus('archived', intent)).toBe('archived');
    }
  });

  describe('planHealthChange', () => {
    const state: HealthState = {
      status: 'approved',
      qualityRating: 'GREEN',
      messagingLimitTier: 'TIER_2K',
      throughputLevel: 'STANDARD',
      verifiedName: 'Client Co',
    };

    it('only the changed fields, previous_attributes by resource name', () => {
      expect(planHealthChange(state, { qualityRating: 'RED', messagingLimitTier: 'TIER_2K' })).toEqual({
        patch: { qualityRating: 'RED' },
        previous: { quality_rating: 'GREEN' },
        disconnects: false,
      });
      expect(
        planHealthChange(state, { throughputLevel: 'HIGH', verifiedName: 'New Co', messagingLimitTier: 'TIER_10K', status: 'restricted' }),
      ).toEqual({
        patch: { throughputLevel: 'HIGH', verifiedName: 'New Co', messagingLimitTier: 'TIER_10K', status: 'restricted' },
        previous: { throughput_level: 'STANDARD', verified_name: 'Client Co', messaging_limit_tier: 'TIER_2K', status: 'approved' },
        disconnects: false,
      });
      expect(planHealthChange({ ...state, messagingLimitTier: null }, { messagingLimitTier: 'TIER_250' })?.previous).toEqual({
        messaging_limit_tier: null,
      });
    });

    it('nothing changed (a duplicate) → null; archived → null; disconnecting → disconnects', () => {
      expect(planHealthChange(state, { qualityRating: 'GREEN', status: 'lifted' })).toBeNull();
      expect(planHealthChange({ ...state, status: 'archived' }, { qualityRating: 'RED', status: 'disconnected' })).toBeNull();
      expect(planHealthChange(state, { status: 'disconnected' })).toEqual({
        patch: { status: 'disconnected' },
        previous: { status: 'approved' },
        disconnects: true,
      });
      // a disconnected account keeps its status but its attributes stay current
      expect(planHealthChange({ ...state, status: 'disconnected' }, { status: 'lifted', qualityRating: 'YELLOW' })).toEqual({
        patch: { qualityRating: 'YELLOW' },
        previous: { quality_rating: 'GREEN' },
        disconnects: false,
      });
    });
  });
});
