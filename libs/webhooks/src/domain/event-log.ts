import { EVENT_TYPES, type EventType } from '@kirim/contracts';
import { AppError, isId } from '@kirim/platform';

/** Events are kept 30 days (spec 06 § Events); the worker's `maintenance.purge_events` deletes older ones. */
export const EVENT_RETENTION_DAYS = 30;
export const EVENT_RETENTION_MS = EVENT_RETENTION_DAYS * 24 * 60 * 60 * 1000;

/** Validated filters of `GET /v1/events`. */
export interface EventFilters {
  /** The registered types the `type` filter selects (one for an exact type, several for `prefix.*`). */
  types?: EventType[];
  customerId?: string;
  /** Exclusive bounds on `created_at`. */
  createdAfter?: Date;
  createdBefore?: Date;
}

/** The filters as the API receives them (query strings), before validation. */
export interface RawEventFilters {
  type?: string | undefined;
  customer_id?: string | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
}

/**
 * `type`: a registered event type (`customer.created`) or a `prefix.*` pattern that covers at least one
 * registered type (`customer.*`, `customer.setup_link.*`). Anything else is 400 `invalid_field_value`.
 */
export function resolveTypeFilter(value: string): EventType[] {
  if (value.endsWith('.*')) {
    const prefix = value.slice(0, -1); // keeps the dot: 'customer.*' → 'customer.'
    const matches = prefix.length > 1 && !prefix.slice(0, -1).includes('*') ? EVENT_TYPES.filter((t) => t.startsWith(prefix)) : [];
    if (matches.length > 0) return matches;
  } else if ((EVENT_TYPES as readonly string[]).includes(value)) {
    return [value as EventType];
  }
  throw AppError.invalid('type', `'type' must be a registered event type (e.g. customer.created) or a prefix pattern such as customer.*.`);
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An ISO 8601 date (`2026-06-04`, midnight UTC) or date-time with a zone (`2026-06-04T10:00:00.000Z`,
 * `…+07:00`); a date-time without a zone is refused (it would be read in the server's zone).
 */
export function parseTimestamp(param: string, value: string): Date {
  const m = ISO_TIMESTAMP.exec(value);
  const time = m ? Date.parse(value) : NaN;
  if (m && Number.isFinite(time)) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    const hour = Number(m[4] ?? 0);
    const minute = Number(m[5] ?? 0);
    const second = Number(m[6] ?? 0);
    if (calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day && hour < 24 && minute < 60 && second < 60) {
      return new Date(time);
    }
  }
  throw AppError.invalid(param, `'${param}' must be an ISO 8601 timestamp such as 2026-06-04T10:00:00.000Z.`);
}

/** Validates the raw filters: 400 `invalid_field_value` naming the first bad one. */
export function parseEventFilters(raw: RawEventFilters): EventFilters {
  const filters: EventFilters = {};
  if (raw.type !== undefined) filters.types = resolveTypeFilter(raw.type);
  if (raw.customer_id !== undefined) {
    if (!isId('cus', raw.customer_id)) throw AppError.invalid('customer_id', "'customer_id' must be a cus_ id.");
    filters.customerId = raw.customer_id;
  }
  if (raw.created_after !== undefined) filters.createdAfter = parseTimestamp('created_after', raw.created_after);
  if (raw.created_before !== undefined) filters.createdBefore = parseTimestamp('created_before', raw.created_before);
  return filters;
}

/** What a cursor is bound to: the filters in canonical form (a cursor only works with the same ones). */
export function cursorFilters(raw: RawEventFilters, filters: EventFilters): Record<string, unknown> {
  return {
    type: raw.type,
    customer_id: filters.customerId,
    created_after: filters.createdAfter?.toISOString(),
    created_before: filters.createdBefore?.toISOString(),
  };
}
