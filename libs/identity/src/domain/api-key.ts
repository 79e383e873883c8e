import { randomToken } from '@kirim/platform';

/**
 * API-key plaintext: `kir_live_` + 24 base64url characters (18 random bytes), spec 01 § Authentication.
 * Only the keyed hash and `last4` are stored; the plaintext is shown once.
 */
export const API_KEY_PREFIX = 'kir_live_';
const API_KEY_PATTERN = /^kir_live_[A-Za-z0-9_-]{24}$/;
const BEARER_PATTERN = /^Bearer +(\S+) *$/i;

export function generateApiKey(): string {
  return API_KEY_PREFIX + randomToken(18);
}

export function isApiKeyFormat(value: unknown): value is string {
  return typeof value === 'string' && API_KEY_PATTERN.test(value);
}

/** The last four characters, shown to tell keys apart. */
export function apiKeyLast4(plaintext: string): string {
  return plaintext.slice(-4);
}

/** The credentials of `Authorization: Bearer <token>`; null for a missing header or another scheme. */
export function bearerToken(header: string | undefined): string | null {
  return BEARER_PATTERN.exec(header ?? '')?.[1] ?? null;
}

/** A key is expired from its `expires_at` on (inclusive); a key without one never expires. */
export function isExpired(expiresAt: Date | null, now: Date): boolean {
  return expiresAt !== null && expiresAt.getTime() <= now.getTime();
}

export function daysFrom(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
}
