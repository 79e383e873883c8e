import type { WhatsappAccountResource, WhatsappAccountStatus } from '@kirim/contracts';

export type { WhatsappAccountStatus };
export type QualityRating = WhatsappAccountResource['quality_rating'];
export type ThroughputLevel = WhatsappAccountResource['throughput_level'];

export const ACCOUNT_STATUSES: readonly WhatsappAccountStatus[] = ['approved', 'restricted', 'disconnected', 'archived'];

/** A connected WhatsApp number (spec 04). The sealed secrets never leave the infrastructure layer. */
export interface WhatsappAccount {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: QualityRating;
  throughputLevel: ThroughputLevel;
  messagingLimitTier: string | null;
  status: WhatsappAccountStatus;
  onboardedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** Meta's quality ratings (`NA`, unknown values) → the resource's enum. */
export function toQualityRating(value: string | null | undefined): QualityRating {
  return value === 'GREEN' || value === 'YELLOW' || value === 'RED' ? value : 'UNKNOWN';
}

/** Meta's `throughput.level` (`NOT_APPLICABLE`, absent) → the resource's enum; anything not HIGH is STANDARD. */
export function toThroughputLevel(value: string | null | undefined): ThroughputLevel {
  return value === 'HIGH' ? 'HIGH' : 'STANDARD';
}

/** Meta's `phone_number_id` / `waba_id`: numeric strings. The lookup endpoint accepts 6–20 digits. */
export const META_ID_PATTERN = /^\d{6,20}$/;

export function isMetaId(value: unknown): value is string {
  return typeof value === 'string' && META_ID_PATTERN.test(value);
}

/** Digits of a display number (`+62 811-1222 333` → `628111222333`), to compare numbers however Meta formats them. */
export function phoneDigits(display: string): string {
  return display.replace(/\D/g, '');
}

/**
 * What a signup for `candidate` means given an existing account holding the same number (same
 * `phone_number_id`, or the same display number): a reconnect when it is the same organization, the same
 * customer, the same WABA and the same display number; anything else is a number Kirim knows under another
 * owner (→ `waba_access_denied`).
 */
export function classifyKnownNumber(
  existing: Pick<WhatsappAccount, 'organizationId' | 'customerId' | 'wabaId' | 'displayPhoneNumber'>,
  candidate: { organizationId: string; customerId: string; wabaId: string; displayPhoneNumber: string },
): 'reconnect' | 'taken' {
  const same =
    existing.organizationId === candidate.organizationId &&
    existing.customerId === candidate.customerId &&
    existing.wabaId === candidate.wabaId &&
    phoneDigits(existing.displayPhoneNumber) === phoneDigits(candidate.displayPhoneNumber);
  return same ? 'reconnect' : 'taken';
}

/** A random 6-digit two-step-verification PIN (Meta: exactly 6 digits). */
export function isPin(value: string): boolean {
  return /^\d{6}$/.test(value);
}
