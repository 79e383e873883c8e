import type { MessageDirection, MessageError, MessageStatus } from '@kirim/contracts';
import { AppError, isId } from '@kirim/platform';

export type { MessageDirection, MessageError, MessageStatus };

export const MESSAGE_DIRECTIONS: readonly MessageDirection[] = ['inbound', 'outbound'];
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'sent', 'delivered', 'read', 'failed', 'received'];

/** The customer-service window (spec 05 § Send): free-form messages only this long after the contact's last inbound one. */
export const SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Is a free-form message allowed now? Never for a contact who has not written yet. */
export function insideServiceWindow(lastInboundAt: Date | null, now: Date): boolean {
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < SERVICE_WINDOW_MS;
}

/** A message as stored, in our terms (repositories return it; never a Prisma type). */
export interface Message {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  phoneNumberId: string;
  conversationId: string;
  contactId: string;
  direction: MessageDirection;
  type: string;
  content: Record<string, unknown>;
  status: MessageStatus;
  wamid: string | null;
  error: MessageError | null;
  context: { message_id: string } | null;
  metadata: Record<string, unknown> | null;
  pricing: Record<string, unknown> | null;
  bizOpaqueCallbackData: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
}

/** The list filters of `GET …/messages` (spec 05 § Other message endpoints), validated. */
export interface MessageFilters {
  conversationId?: string | undefined;
  contactId?: string | undefined;
  direction?: MessageDirection | undefined;
  status?: MessageStatus | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

export interface RawMessageFilters {
  conversation_id?: string | undefined;
  contact_id?: string | undefined;
  direction?: string | undefined;
  status?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}

export function parseMessageFilters(raw: RawMessageFilters): MessageFilters {
  const filters: MessageFilters = {};
  if (raw.conversation_id !== undefined) {
    if (!isId('cnv', raw.conversation_id)) throw AppError.invalid('conversation_id', "'conversation_id' must be a cnv_ id.");
    filters.conversationId = raw.conversation_id;
  }
  if (raw.contact_id !== undefined) {
    if (!isId('ctc', raw.contact_id)) throw AppError.invalid('contact_id', "'contact_id' must be a ctc_ id.");
    filters.contactId = raw.contact_id;
  }
  if (raw.direction !== undefined) {
    if (!(MESSAGE_DIRECTIONS as readonly string[]).includes(raw.direction)) {
      throw AppError.invalid('direction', "'direction' must be inbound or outbound.");
    }
    filters.direction = raw.direction as MessageDirection;
  }
  if (raw.status !== undefined) {
    if (!(MESSAGE_STATUSES as readonly string[]).includes(raw.status)) {
      throw AppError.invalid('status', `'status' must be one of ${MESSAGE_STATUSES.join(', ')}.`);
    }
    filters.status = raw.status as MessageStatus;
  }
  if (raw.created_after !== undefined) filters.createdAfter = parseTimestamp('created_after', raw.created_after);
  if (raw.created_before !== undefined) filters.createdBefore = parseTimestamp('created_before', raw.created_before);
  return filters;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 timestamp with a zone (`2026-06-04T10:00:00.000Z`), else 400 `invalid_field_value`. */
export function parseTimestamp(param: string, value: string): Date {
  const m = ISO.exec(value);
  const time = m ? Date.parse(value) : NaN;
  if (m && !Number.isNaN(time)) {
    const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day && hour < 24 && minute < 60 && second < 60) {
      return new Date(time);
    }
  }
  throw AppError.invalid(param, `'${param}' must be an ISO 8601 timestamp such as 2026-06-04T10:00:00.000Z.`);
}
