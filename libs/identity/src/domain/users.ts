import { AppError, randomToken } from '@kirim/platform';

export const USER_ROLES = ['owner', 'agent'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export function isUserRole(value: unknown): value is UserRole {
  return typeof value === 'string' && (USER_ROLES as readonly string[]).includes(value);
}

/** Emails are stored trimmed and lower-cased, so uniqueness per organization ignores case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Normalises and checks an email address; throws `invalid_field_value` (param `email`). */
export function requireEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 254 || !EMAIL_PATTERN.test(normalized)) {
    throw AppError.invalid('email', `'${email}' is not a valid email address.`);
  }
  return normalized;
}

/** A one-time password for a new user: 24 base64url characters (144 random bits). */
export function generatePassword(): string {
  return randomToken(18);
}
