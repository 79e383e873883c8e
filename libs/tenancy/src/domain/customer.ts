import { AppError } from '@kirim/platform';
import type { CustomerStatus } from '@kirim/contracts';

export type { CustomerStatus };

export const CUSTOMER_STATUSES: readonly CustomerStatus[] = ['pending', 'active', 'suspended', 'archived'];

/** A customer of a platform organization (spec 03 § Customer), as the tenancy context holds it. */
export interface Customer {
  id: string;
  organizationId: string;
  teamId: string;
  name: string;
  email: string | null;
  status: CustomerStatus;
  metadata: CustomerMetadata | null;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type CustomerMetadata = Record<string, unknown>;

export const NAME_MAX_LENGTH = 200;
export const METADATA_MAX_KEYS = 64;
/** 16 KB: bytes of the UTF-8 JSON serialisation. */
export const METADATA_MAX_BYTES = 16 * 1024;
export const EMAIL_MAX_LENGTH = 254;

// C0 and C1 control characters (Unicode category Cc).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const WHITESPACE_CONTROL = /\s/;

/**
 * Trims, collapses every run of whitespace (newlines and tabs included) to one space and removes the
 * other control characters.
 */
export function sanitizeName(raw: string): string {
  return raw
    .replace(CONTROL, (c) => (WHITESPACE_CONTROL.test(c) ? ' ' : ''))
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The sanitised name, or 400 `invalid_field_value` (param `name`) outside 1–200 characters. */
export function validateName(raw: string): string {
  const name = sanitizeName(raw);
  const length = [...name].length;
  if (length < 1 || length > NAME_MAX_LENGTH) {
    throw AppError.invalid('name', `name must be 1-${NAME_MAX_LENGTH} characters after trimming and collapsing whitespace`);
  }
  return name;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** True for a syntactically valid address (`local@domain.tld`, ASCII, ≤ 254 characters). Not verified. */
export function isEmail(value: string): boolean {
  if (value.length > EMAIL_MAX_LENGTH) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  return local.length <= 64 && LOCAL_PART.test(local) && DOMAIN.test(domain);
}

/** The trimmed email or null, else 400 `invalid_field_value` with `param` (`email` by default). */
export function validateEmail(raw: string | null, param = 'email'): string | null {
  if (raw === null) return null;
  const email = raw.trim();
  if (!isEmail(email)) throw AppError.invalid(param, `${param} must be a valid email address`);
  return email;
}

/** Null, or a JSON object of at most 64 keys and 16 KB serialised (UTF-8); else 400 param `metadata`. */
export function validateMetadata(raw: unknown): CustomerMetadata | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw AppError.invalid('metadata', 'metadata must be a JSON object or null');
  const keys = Object.keys(raw);
  if (keys.length > METADATA_MAX_KEYS) {
    throw AppError.invalid('metadata', `metadata may have at most ${METADATA_MAX_KEYS} keys`);
  }
  const serialised = JSON.stringify(raw);
  if (Buffer.byteLength(serialised, 'utf8') > METADATA_MAX_BYTES) {
    throw AppError.invalid('metadata', `metadata may be at most ${METADATA_MAX_BYTES} bytes serialised`);
  }
  // PostgreSQL's jsonb cannot hold U+0000 (in keys or strings): refuse it here rather than fail later.
  if (containsNul(raw)) throw AppError.invalid('metadata', 'metadata must not contain the NUL character (U+0000)');
  return raw as CustomerMetadata;
}

function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, v]) => key.includes('\u0000') || containsNul(v));
  }
  return false;
}

/** A free-text filter (`q`, `email`): 1–max characters without control characters, else 400 with `param`. */
export function validateTextFilter(param: string, value: string, max = NAME_MAX_LENGTH): string {
  const length = [...value].length;
  if (length < 1 || length > max || HAS_CONTROL.test(value)) {
    throw AppError.invalid(param, `${param} must be 1-${max} characters without control characters`);
  }
  return value;
}

/**
 * What PATCH `status` does (spec 03 § Status lifecycle): `suspended` from pending or active; from
 * suspended, `active` or `pending` resume the customer (the caller then picks `active` when it has an
 * onboarded account, else `pending`); the current status is a no-op; anything else is 400.
 */
export function requestStatusChange(current: CustomerStatus, requested: CustomerStatus): CustomerStatus | 'resume' {
  if (current === 'archived') throw customerArchived();
  if (requested === current) return current;
  if (requested === 'suspended' && (current === 'pending' || current === 'active')) return 'suspended';
  if (current === 'suspended' && (requested === 'active' || requested === 'pending')) return 'resume';
  throw AppError.invalid(
    'status',
    requested === 'archived'
      ? 'status cannot be set to archived: archive the customer with DELETE'
      : `status cannot change from ${current} to ${requested}; only suspending (from pending or active) and resuming a suspended customer are allowed`,
  );
}

/** The status a suspended customer resumes to. */
export function resumedStatus(hasOnboardedAccount: boolean): CustomerStatus {
  return hasOnboardedAccount ? 'active' : 'pending';
}

/** 409 `customer_archived` unless the customer can still change. */
export function assertNotArchived(customer: Pick<Customer, 'id' | 'status'>): void {
  if (customer.status === 'archived') throw customerArchived(customer.id);
}

function customerArchived(id?: string): AppError {
  return new AppError(
    'customer_archived',
    id ? `Customer '${id}' is archived and accepts no further changes.` : 'The customer is archived.',
  );
}
