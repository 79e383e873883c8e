import type { ConversationStatus, LabelSummary } from '@kirim/contracts';
import { AppError, isId } from '@kirim/platform';
import { refuseProtoKeys } from './outbound/checks';

export type { ConversationStatus, LabelSummary };

export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ['open', 'pending', 'resolved'];

/** The assigned user of a conversation, as its resource shows it (identity's user). */
export interface Assignee {
  id: string;
  email: string;
  name: string | null;
}

/** A WhatsApp chat partner of one account (spec 05 § Contacts). */
export interface Contact {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  waId: string;
  profileName: string | null;
  name: string | null;
  email: string | null;
  metadata: Record<string, unknown> | null;
  lastInboundAt: Date | null;
  /** Its labels, ordered by name (case-insensitive), then id. */
  labels: LabelSummary[];
  createdAt: Date;
  updatedAt: Date;
}

/** One conversation per (account, contact) (spec 05 § Conversations). */
export interface Conversation {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  /** The assignee's public face when it is known (null: none, or not looked up yet). */
  assignee: Assignee | null;
  /** Its labels, ordered by name (case-insensitive), then id. */
  labels: LabelSummary[];
  unreadCount: number;
  lastMessageAt: Date | null;
  lastInboundAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CONTACT_NAME_MAX_LENGTH = 200;
export const CONTACT_EMAIL_MAX_LENGTH = 254;
/** 16 KiB of UTF-8 JSON, as a message's metadata. */
export const CONTACT_METADATA_MAX_BYTES = 16 * 1024;
export const CONTACT_QUERY_MAX_LENGTH = 200;

const PLAIN_PHONE = /^\d{8,15}$/;
const PHONE_SEPARATORS = /[ ()-]/g;
const E164 = /^\+?[1-9]\d{7,14}$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A phone number as the send path reads `to` (spec 05 § Send): E.164 digits with or without `+`, spaces,
 * dashes and brackets ignored, 8–15 digits, not starting with 0 — returned as the wa_id (digits only), else
 * 400 `invalid_phone_number` with `param`.
 */
export function parseWaId(value: string, param: string): string {
  if (PLAIN_PHONE.test(value) && value.charCodeAt(0) !== 0x30) return value;
  const compact = value.replace(PHONE_SEPARATORS, '');
  if (!E164.test(compact)) {
    throw new AppError(
      'invalid_phone_number',
      `'${param}' must be a phone number in E.164: 8-15 digits starting with the country code, '+' optional (spaces, dashes and brackets are ignored).`,
      { param },
    );
  }
  return compact.charCodeAt(0) === 0x2b ? compact.slice(1) : compact;
}

/** A contact's own name: trimmed, whitespace runs collapsed, 1–200 characters; null clears it. */
export function validateContactName(raw: string | null): string | null {
  if (raw === null) return null;
  const name = raw.replace(/\s+/gu, ' ').trim();
  const length = [...name].length;
  if (length < 1 || length > CONTACT_NAME_MAX_LENGTH || CONTROL.test(name)) {
    throw AppError.invalid('name', `'name' must be 1-${CONTACT_NAME_MAX_LENGTH} characters after trimming, or null.`);
  }
  return name;
}

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

/** A syntactically valid email (`local@domain.tld`, ASCII, ≤ 254 characters; not verified), trimmed; null clears it. */
export function validateContactEmail(raw: string | null): string | null {
  if (raw === null) return null;
  const email = raw.trim();
  const at = email.lastIndexOf('@');
  const valid =
    email.length <= CONTACT_EMAIL_MAX_LENGTH &&
    at > 0 &&
    at <= 64 &&
    LOCAL_PART.test(email.slice(0, at)) &&
    DOMAIN.test(email.slice(at + 1));
  if (!valid) throw AppError.invalid('email', "'email' must be a valid email address, or null.");
  return email;
}

/** The integrator's JSON object (≤ 16 KiB serialised, no `__proto__` key); null clears it. */
export function validateContactMetadata(raw: unknown): Record<string, unknown> | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw AppError.invalid('metadata', "'metadata' must be a JSON object or null.");
  refuseProtoKeys(raw, '', 'metadata');
  if (Buffer.byteLength(JSON.stringify(raw), 'utf8') > CONTACT_METADATA_MAX_BYTES) {
    throw AppError.invalid('metadata', `'metadata' must be at most ${CONTACT_METADATA_MAX_BYTES} bytes serialised (UTF-8 JSON).`);
  }
  return raw as Record<string, unknown>;
}

/** The list filters of `GET …/contacts`, validated. */
export interface ContactFilters {
  waId?: string | undefined;
  q?: string | undefined;
  labelId?: string | undefined;
}

export function parseContactFilters(raw: {
  phone_number?: string | undefined;
  q?: string | undefined;
  label_id?: string | undefined;
}): ContactFilters {
  const filters: ContactFilters = {};
  if (raw.phone_number !== undefined) filters.waId = parseWaId(raw.phone_number, 'phone_number');
  if (raw.q !== undefined) {
    const length = [...raw.q].length;
    if (length < 1 || length > CONTACT_QUERY_MAX_LENGTH || CONTROL.test(raw.q)) {
      throw AppError.invalid('q', `'q' must be 1-${CONTACT_QUERY_MAX_LENGTH} characters without control characters.`);
    }
    filters.q = raw.q;
  }
  if (raw.label_id !== undefined) filters.labelId = parseId('lbl', 'label_id', raw.label_id);
  return filters;
}

/** The list filters of `GET …/conversations`, validated. */
export interface ConversationFilters {
  status?: ConversationStatus | undefined;
  assigneeId?: string | undefined;
  labelId?: string | undefined;
  contactId?: string | undefined;
}

export function parseConversationFilters(raw: {
  status?: string | undefined;
  assignee_id?: string | undefined;
  label_id?: string | undefined;
  contact_id?: string | undefined;
}): ConversationFilters {
  const filters: ConversationFilters = {};
  if (raw.status !== undefined) filters.status = parseConversationStatus(raw.status);
  if (raw.assignee_id !== undefined) filters.assigneeId = parseId('usr', 'assignee_id', raw.assignee_id);
  if (raw.label_id !== undefined) filters.labelId = parseId('lbl', 'label_id', raw.label_id);
  if (raw.contact_id !== undefined) filters.contactId = parseId('ctc', 'contact_id', raw.contact_id);
  return filters;
}

export function parseConversationStatus(value: string): ConversationStatus {
  if (!(CONVERSATION_STATUSES as readonly string[]).includes(value)) {
    throw AppError.invalid('status', `'status' must be one of ${CONVERSATION_STATUSES.join(', ')}.`);
  }
  return value as ConversationStatus;
}

function parseId(prefix: 'lbl' | 'usr' | 'ctc', param: string, value: string): string {
  if (!isId(prefix, value)) throw AppError.invalid(param, `'${param}' must be a ${prefix}_ id.`);
  return value;
}

/** Two label lists are the same set (order aside). */
export function sameLabels(a: readonly LabelSummary[], b: readonly LabelSummary[]): boolean {
  if (a.length !== b.length) return false;
  const ids = new Set(a.map((l) => l.id));
  return b.every((l) => ids.has(l.id));
}
