import { type QualityRating, phoneDigits, type ThroughputLevel, type WhatsappAccount, type WhatsappAccountStatus } from './account';

/**
 * Account health from Meta's webhooks (spec 04 § Health from Meta; reference §5.6): which fields Kirim
 * reads, what a change of each means for an account, and which accounts it is about. Pure: no I/O, never
 * throws on shape — a signed payload is Meta's, and what Kirim cannot read is a note, not an error.
 *
 * `phone_number_quality_update` `{display_phone_number, event, current_limit, old_limit?,
 * max_daily_conversations_per_business?}`:
 * * `messaging_limit_tier` ← `current_limit` (Meta's tier names verbatim: TIER_50 … TIER_UNLIMITED,
 *   TIER_NOT_SET), or `max_daily_conversations_per_business` when `current_limit` is gone (v24+);
 * * `quality_rating`: FLAGGED → RED, UNFLAGGED → GREEN; a `quality_rating` GREEN/YELLOW/RED in the value
 *   (when Meta reports one) wins over the event;
 * * THROUGHPUT_UPGRADE → `throughput_level` HIGH (reference §7: the upgrade fires this event);
 * * UPGRADE / DOWNGRADE / ONBOARDING: the tier only. The status is never changed by this field.
 *
 * `phone_number_name_update` `{display_phone_number, decision, requested_verified_name, rejection_reason}`:
 * APPROVED → `verified_name` = `requested_verified_name`; any other decision (REJECTED, DEFERRED, …) is noted.
 *
 * `account_update` `{event, …}` (the WABA's accounts, or one number when the value names it):
 * * ACCOUNT_RESTRICTION with restriction_info entries → `restricted`; with none → lifted (`restricted` → `approved`);
 * * ACCOUNT_VIOLATION → `restricted`;
 * * DISABLED_UPDATE `ban_info.waba_ban_state`: DISABLE → `disconnected`; REINSTATE → lifted;
 *   SCHEDULE_FOR_DISABLE → noted (the WABA still works until disabled);
 * * PARTNER_REMOVED, PARTNER_APP_UNINSTALLED, ACCOUNT_DELETED, ACCOUNT_OFFBOARDED, PHONE_NUMBER_REMOVED,
 *   PHONE_NUMBER_DELETED → `disconnected` (the PARTNER_* events name the customer WABA in `waba_info.waba_id`,
 *   `entry.id` may be the partner's business);
 * * anything else (PARTNER_APP_INSTALLED, PARTNER_ADDED, VERIFIED_ACCOUNT, …) → noted.
 *
 * Status rules ({@link nextStatus}): an `archived` account is never changed by a webhook (no attribute
 * either); a `disconnected` one keeps its status (only a reconnect brings it back) but its attributes stay
 * current; a lift turns only `restricted` back into `approved`.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : null);
const upper = (v: unknown): string | null => str(v)?.toUpperCase() ?? null;

/** The webhook fields whose changes this file reads. */
export const ACCOUNT_HEALTH_FIELDS = ['account_update', 'phone_number_quality_update', 'phone_number_name_update'] as const;

/** Meta's tier names: TIER_50, TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K, TIER_UNLIMITED, TIER_NOT_SET. */
const TIER = /^TIER_[0-9A-Z_]{1,20}$/;
const META_ID = /^\d{6,20}$/;
const VERIFIED_NAME_MAX = 512;

/** Which accounts a change is about. */
export type HealthTarget =
  | { by: 'phone_number_id'; phoneNumberId: string }
  /** A display number (digits), within the WABA of `entry.id` when Meta gave one. */
  | { by: 'number'; wabaId: string | null; digits: string }
  /** Every account of the WABA. */
  | { by: 'waba'; wabaId: string };

/** What a change asks of an account's status: `lifted` = a restriction ended. */
export type StatusIntent = 'restricted' | 'disconnected' | 'lifted';

export interface HealthUpdate {
  qualityRating?: QualityRating;
  messagingLimitTier?: string;
  throughputLevel?: ThroughputLevel;
  verifiedName?: string;
  status?: StatusIntent;
}

export interface HealthChange {
  target: HealthTarget;
  update: HealthUpdate;
  /** `field EVENT`, for notes and logs. */
  label: string;
}

export type HealthReading = { kind: 'change'; change: HealthChange } | { kind: 'ignored'; note: string };

/** A webhook change as the payload carries it: the field, `entry.id` and the value. */
export interface MetaHealthChange {
  field: string;
  wabaId: string | null;
  value: Json;
}

/** What one change of {@link ACCOUNT_HEALTH_FIELDS} means for accounts, or a note when it means nothing Kirim keeps. */
export function readHealthChange(change: MetaHealthChange): HealthReading {
  switch (change.field) {
    case 'phone_number_quality_update':
      return readQualityUpdate(change.wabaId, change.value);
    case 'phone_number_name_update':
      return readNameUpdate(change.wabaId, change.value);
    case 'account_update':
      return readAccountUpdate(change.wabaId, change.value);
    default:
      return { kind: 'ignored', note: `field ${change.field}` };
  }
}

/** The number a value names: `phone_number_id`, else `display_phone_number` / `phone_number` (digits). */
function numberTarget(wabaId: string | null, value: Json): HealthTarget | null {
  const id = str(value['phone_number_id']);
  if (id !== null && META_ID.test(id)) return { by: 'phone_number_id', phoneNumberId: id };
  for (const key of ['display_phone_number', 'phone_number']) {
    const raw = str(value[key]);
    if (raw === null) continue;
    const digits = phoneDigits(raw);
    if (digits.length >= 8 && digits.length <= 15)
      return { by: 'number', wabaId: wabaId !== null && META_ID.test(wabaId) ? wabaId : null, digits };
  }
  return null;
}

function readQualityUpdate(wabaId: string | null, value: Json): HealthReading {
  const event = upper(value['event']) ?? '(no event)';
  const label = `phone_number_quality_update ${event}`;
  const target = numberTarget(wabaId, value);
  if (!target) return { kind: 'ignored', note: `${label} without display_phone_number` };
  const update: HealthUpdate = {};
  const tier = upper(value['current_limit']) ?? upper(value['max_daily_conversations_per_business']);
  if (tier !== null && TIER.test(tier)) update.messagingLimitTier = tier;
  if (event === 'FLAGGED') update.qualityRating = 'RED';
  if (event === 'UNFLAGGED') update.qualityRating = 'GREEN';
  const reported = upper(value['quality_rating']);
  if (reported === 'GREEN' || reported === 'YELLOW' || reported === 'RED') update.qualityRating = reported;
  if (event === 'THROUGHPUT_UPGRADE') update.throughputLevel = 'HIGH';
  if (Object.keys(update).length === 0) return { kind: 'ignored', note: `${label}: nothing Kirim keeps` };
  return { kind: 'change', change: { target, update, label } };
}

function readNameUpdate(wabaId: string | null, value: Json): HealthReading {
  const decision = upper(value['decision']) ?? '(no decision)';
  const label = `phone_number_name_update ${decision}`;
  const target = numberTarget(wabaId, value);
  if (!target) return { kind: 'ignored', note: `${label} without display_phone_number` };
  if (decision !== 'APPROVED') return { kind: 'ignored', note: label };
  const name = str(value['requested_verified_name']);
  if (name === null || name.length > VERIFIED_NAME_MAX) return { kind: 'ignored', note: `${label} without a requested_verified_name` };
  return { kind: 'change', change: { target, update: { verifiedName: name }, label } };
}

const DISCONNECTING_EVENTS: ReadonlySet<string> = new Set([
  'PARTNER_REMOVED',
  'PARTNER_APP_UNINSTALLED',
  'ACCOUNT_DELETED',
  'ACCOUNT_OFFBOARDED',
  'PHONE_NUMBER_REMOVED',
  'PHONE_NUMBER_DELETED',
]);

function readAccountUpdate(entryId: string | null, value: Json): HealthReading {
  const event = upper(value['event']) ?? '(no event)';
  let label = `account_update ${event}`;
  let status: StatusIntent | null = null;
  if (event === 'ACCOUNT_RESTRICTION') {
    const restrictions = Array.isArray(value['restriction_info']) ? value['restriction_info'] : [];
    status = restrictions.length > 0 ? 'restricted' : 'lifted';
  } else if (event === 'ACCOUNT_VIOLATION') {
    status = 'restricted';
  } else if (event === 'DISABLED_UPDATE') {
    const state = isObject(value['ban_info']) ? upper(value['ban_info']['waba_ban_state']) : null;
    label = `${label} ${state ?? '(no ban state)'}`;
    if (state === 'DISABLE') status = 'disconnected';
    else if (state === 'REINSTATE') status = 'lifted';
  } else if (DISCONNECTING_EVENTS.has(event)) {
    status = 'disconnected';
  }
  if (status === null) return { kind: 'ignored', note: label };
  const infoWaba = isObject(value['waba_info']) ? str(value['waba_info']['waba_id']) : null;
  const wabaId = infoWaba !== null && META_ID.test(infoWaba) ? infoWaba : entryId;
  const target = numberTarget(wabaId, value) ?? (wabaId !== null && META_ID.test(wabaId) ? { by: 'waba' as const, wabaId } : null);
  if (!target) return { kind: 'ignored', note: `${label} without a WABA id` };
  return { kind: 'change', change: { target, update: { status }, label } };
}

/** Whether the account is one the target names. */
export function matchesTarget(
  account: Pick<WhatsappAccount, 'phoneNumberId' | 'wabaId' | 'displayPhoneNumber'>,
  target: HealthTarget,
): boolean {
  switch (target.by) {
    case 'phone_number_id':
      return account.phoneNumberId === target.phoneNumberId;
    case 'number':
      return (target.wabaId === null || account.wabaId === target.wabaId) && phoneDigits(account.displayPhoneNumber) === target.digits;
    case 'waba':
      return account.wabaId === target.wabaId;
  }
}

/** `phone_number_id 123`, `+15550100001 in WABA 456`, `WABA 456`: what a note names. */
export function describeTarget(target: HealthTarget): string {
  switch (target.by) {
    case 'phone_number_id':
      return `phone_number_id ${target.phoneNumberId}`;
    case 'number':
      return target.wabaId === null ? `number ${target.digits}` : `number ${target.digits} of WABA ${target.wabaId}`;
    case 'waba':
      return `WABA ${target.wabaId}`;
  }
}

/** The status an account moves to (see the file comment). */
export function nextStatus(current: WhatsappAccountStatus, intent: StatusIntent): WhatsappAccountStatus {
  if (current === 'archived' || current === 'disconnected') return current;
  if (intent === 'disconnected') return 'disconnected';
  if (intent === 'restricted') return 'restricted';
  return current === 'restricted' ? 'approved' : current;
}

export type HealthState = Pick<WhatsappAccount, 'status' | 'qualityRating' | 'messagingLimitTier' | 'throughputLevel' | 'verifiedName'>;

export interface HealthPlan {
  /** The new values of the changed attributes only. */
  patch: Partial<HealthState>;
  /** `previous_attributes` of `account.updated`: the old values of the changed fields, by resource name. */
  previous: Record<string, unknown>;
  /** The status becomes `disconnected` (→ `account.disconnected` too). */
  disconnects: boolean;
}

/** What an update changes on an account; null when nothing changes (an archived account, Meta's duplicates). */
export function planHealthChange(account: HealthState, update: HealthUpdate): HealthPlan | null {
  if (account.status === 'archived') return null;
  const patch: Partial<HealthState> = {};
  const previous: Record<string, unknown> = {};
  if (update.status !== undefined) {
    const status = nextStatus(account.status, update.status);
    if (status !== account.status) {
      patch.status = status;
      previous['status'] = account.status;
    }
  }
  if (update.qualityRating !== undefined && update.qualityRating !== account.qualityRating) {
    patch.qualityRating = update.qualityRating;
    previous['quality_rating'] = account.qualityRating;
  }
  if (update.messagingLimitTier !== undefined && update.messagingLimitTier !== account.messagingLimitTier) {
    patch.messagingLimitTier = update.messagingLimitTier;
    previous['messaging_limit_tier'] = account.messagingLimitTier;
  }
  if (update.throughputLevel !== undefined && update.throughputLevel !== account.throughputLevel) {
    patch.throughputLevel = update.throughputLevel;
    previous['throughput_level'] = account.throughputLevel;
  }
  if (update.verifiedName !== undefined && update.verifiedName !== account.verifiedName) {
    patch.verifiedName = update.verifiedName;
    previous['verified_name'] = account.verifiedName;
  }
  if (Object.keys(patch).length === 0) return null;
  return { patch, previous, disconnects: patch.status === 'disconnected' };
}
