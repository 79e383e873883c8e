import { AppError } from '@kirim/platform';
import type { SetupLinkStatus } from '@kirim/contracts';

export type { SetupLinkStatus };

export const SETUP_LINK_STATUSES: readonly SetupLinkStatus[] = ['active', 'consumed', 'expired', 'revoked'];

/** A setup link (spec 03 § Setup link). `status` is as stored: an `active` link past `expiresAt` reads as expired. */
export interface SetupLink {
  id: string;
  organizationId: string;
  customerId: string;
  tokenLast4: string;
  status: SetupLinkStatus;
  expiresAt: Date;
  consumedAt: Date | null;
  revokedAt: Date | null;
  successRedirectUrl: string | null;
  failureRedirectUrl: string | null;
  accountId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const EXPIRES_IN_HOURS_DEFAULT = 168;
export const EXPIRES_IN_HOURS_MIN = 1;
/** The hard ceiling: 30 days. */
export const EXPIRES_IN_HOURS_MAX = 720;
/** The nonce the onboarding page spends on complete/fail lives this long. */
export const NONCE_TTL_MS = 30 * 60 * 1000;

/** `expires_in_hours` (1–720, default 168) → the expiry instant; else 400 `invalid_field_value`. */
export function linkExpiry(now: Date, expiresInHours: number | undefined): Date {
  const hours = expiresInHours ?? EXPIRES_IN_HOURS_DEFAULT;
  if (!Number.isInteger(hours) || hours < EXPIRES_IN_HOURS_MIN || hours > EXPIRES_IN_HOURS_MAX) {
    throw AppError.invalid(
      'expires_in_hours',
      `expires_in_hours must be an integer from ${EXPIRES_IN_HOURS_MIN} to ${EXPIRES_IN_HOURS_MAX}`,
    );
  }
  return new Date(now.getTime() + hours * 3_600_000);
}

/** What a read shows: `expired` as soon as `expires_at` has passed, even before the sweep persisted it. */
export function effectiveStatus(link: Pick<SetupLink, 'status' | 'expiresAt'>, now: Date): SetupLinkStatus {
  return link.status === 'active' && link.expiresAt.getTime() <= now.getTime() ? 'expired' : link.status;
}

/**
 * The lifecycle: born `active`, a link leaves it for exactly one terminal state (consumed, expired,
 * revoked) and never leaves that. So any change (PATCH, DELETE, consumption) needs an active link: else
 * 409 `setup_link_not_active`. (The repository's conditional updates enforce the same under races.)
 */
export function assertActive(link: Pick<SetupLink, 'id' | 'status' | 'expiresAt'>, now: Date): void {
  const status = effectiveStatus(link, now);
  if (status !== 'active') {
    throw new AppError('setup_link_not_active', `Setup link '${link.id}' is ${status}; only an active link can change.`);
  }
}

/** Why the onboarding page cannot use a link (spec 03 § Redirect URLs, `error_code`). */
export type UnusableLinkReason = 'link_invalid' | 'link_expired' | 'link_consumed' | 'link_revoked';

export function unusableReason(status: SetupLinkStatus): Exclude<UnusableLinkReason, 'link_invalid'> | null {
  switch (status) {
    case 'active':
      return null;
    case 'expired':
      return 'link_expired';
    case 'consumed':
      return 'link_consumed';
    case 'revoked':
      return 'link_revoked';
  }
}

// ---- Tokens: `csl_` + 24 base64url characters (18 random bytes). Not the link's id (`csl_` + 26 Crockford).

export const TOKEN_PREFIX = 'csl_';
export const TOKEN_RANDOM_BYTES = 18;
/** Characters after `csl_` stored in clear to find the hash (48 of the 144 bits). */
export const TOKEN_LOOKUP_LENGTH = 8;
const TOKEN_PATTERN = /^csl_[A-Za-z0-9_-]{24}$/;

export function isSetupLinkToken(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** The indexed look-up prefix of a token. */
export function tokenLookupPrefix(token: string): string {
  return token.slice(TOKEN_PREFIX.length, TOKEN_PREFIX.length + TOKEN_LOOKUP_LENGTH);
}

export function tokenLast4(token: string): string {
  return token.slice(-4);
}
