import type { MessagingLimitTier, PhoneNumber, QualityRating } from '../state/model';

/**
 * `value`s of Meta's account-health webhooks (reference §5.6, §7): `phone_number_quality_update`,
 * `phone_number_name_update` and the `account_update` events of restrictions, bans and partner removal.
 * Numbers are named by `display_phone_number` in digits, as in every webhook; the envelope's `entry.id` is
 * the WABA (webhook-payloads.ts).
 */

type Json = Record<string, unknown>;

/** Tiers from the smallest to the largest (TIER_NOT_SET first: not used to send yet). */
const TIER_ORDER: readonly MessagingLimitTier[] = [
  'TIER_NOT_SET',
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
];

/**
 * The `event` Meta would send for a quality/limit change, or null when none expresses it (e.g. a move to
 * YELLOW with the same tier): RED → FLAGGED; RED/YELLOW → GREEN → UNFLAGGED; else a larger tier → UPGRADE,
 * a smaller one → DOWNGRADE.
 */
export function qualityEvent(
  before: { quality_rating: QualityRating; messaging_limit_tier: MessagingLimitTier },
  after: { quality_rating: QualityRating; messaging_limit_tier: MessagingLimitTier },
): string | null {
  if (after.quality_rating !== before.quality_rating) {
    if (after.quality_rating === 'RED') return 'FLAGGED';
    if (after.quality_rating === 'GREEN' && (before.quality_rating === 'RED' || before.quality_rating === 'YELLOW')) return 'UNFLAGGED';
  }
  const from = TIER_ORDER.indexOf(before.messaging_limit_tier);
  const to = TIER_ORDER.indexOf(after.messaging_limit_tier);
  if (to > from) return 'UPGRADE';
  if (to < from) return 'DOWNGRADE';
  return null;
}

/**
 * `phone_number_quality_update`: `{display_phone_number, event, current_limit, old_limit?,
 * max_daily_conversations_per_business}` (+ `quality_rating` when asked: Meta's docs do not show it, some
 * integrators report it).
 */
export function qualityUpdateValue(
  phone: Pick<PhoneNumber, 'digits' | 'messaging_limit_tier' | 'quality_rating'>,
  event: string,
  o: { old_limit?: MessagingLimitTier; include_quality_rating?: boolean } = {},
): Json {
  return {
    display_phone_number: phone.digits,
    event,
    current_limit: phone.messaging_limit_tier,
    ...(o.old_limit !== undefined && { old_limit: o.old_limit }),
    max_daily_conversations_per_business: phone.messaging_limit_tier,
    ...(o.include_quality_rating === true && { quality_rating: phone.quality_rating }),
  };
}

/** `phone_number_name_update`: `{display_phone_number, decision, requested_verified_name, rejection_reason}`. */
export function nameUpdateValue(
  phone: Pick<PhoneNumber, 'digits'>,
  decision: string,
  requestedVerifiedName: string,
  rejectionReason: string | null,
): Json {
  return {
    display_phone_number: phone.digits,
    decision,
    requested_verified_name: requestedVerifiedName,
    rejection_reason: rejectionReason,
  };
}

export interface Restriction {
  restriction_type: string;
  /** Unix seconds. */
  expiration: number;
}

/** `account_update` ACCOUNT_RESTRICTION: `restriction_info` lists the restrictions in force (none = lifted). */
export function restrictionValue(restrictions: readonly Restriction[]): Json {
  return { event: 'ACCOUNT_RESTRICTION', restriction_info: restrictions };
}

/** `account_update` DISABLED_UPDATE: `ban_info{waba_ban_state: DISABLE|REINSTATE|SCHEDULE_FOR_DISABLE, waba_ban_date}`. */
export function banValue(state: string, banDate: string): Json {
  return { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: state, waba_ban_date: banDate } };
}

/** `account_update` ACCOUNT_VIOLATION: `violation_info{violation_type}`. */
export function violationValue(violationType: string): Json {
  return { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: violationType } };
}

/** `account_update` PARTNER_REMOVED: the customer's WABA in `waba_info` (+ `disconnection_info` when given). */
export function partnerRemovedValue(
  waba: { id: string; business_id: string },
  disconnection?: { reason: string; initiated_by: string },
): Json {
  return {
    event: 'PARTNER_REMOVED',
    waba_info: { waba_id: waba.id, owner_business_id: waba.business_id },
    ...(disconnection !== undefined && { disconnection_info: disconnection }),
  };
}

/** Meta's `waba_ban_date` reads like `April 17, 2025`. */
export function banDate(ms: number): string {
  return new Date(ms).toLocaleDateString('en-US', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}
