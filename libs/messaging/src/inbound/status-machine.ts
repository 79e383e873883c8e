import type { MessageError, MessageStatus } from '../domain/message';
import { classifySendFailure } from '../domain/send-failure';
import type { WebhookStatus } from './meta-payload';

/** What a status webhook may change on an outbound message. */
export interface StatusState {
  status: MessageStatus;
  error: MessageError | null;
  pricing: Record<string, unknown> | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
}

export interface StatusUpdate {
  status: WebhookStatus;
  /** When it happened at Meta (the webhook's timestamp), else when Kirim read it. */
  at: Date;
  pricing: Record<string, unknown> | null;
  /** For `failed`: Kirim's error from Meta's `errors[0]`. */
  error: MessageError | null;
}

export interface StatusOutcome {
  state: StatusState;
  /** The transition this update made (one event each), or null when the status did not move. */
  transition: WebhookStatus | null;
  /** Whether anything (status, a timestamp, pricing) changed: nothing is written otherwise. */
  changed: boolean;
}

const RANK: Partial<Record<MessageStatus, number>> = { pending: 0, sent: 1, delivered: 2, read: 3 };
const TIMESTAMP = { sent: 'sentAt', delivered: 'deliveredAt', read: 'readAt', failed: 'failedAt' } as const;

/**
 * The outbound status state machine under Meta's duplicated, late and reordered webhooks (spec 05 § Message
 * resource): a status never moves backwards (`read` after `delivered` stays `read`), `delivered` may be
 * skipped, `failed` is accepted from `pending` or `sent` (Meta reports some failures late) and is final (nothing
 * changes a failed message). A
 * status that does not move the message only fills its own timestamp when it is missing (a late `sent`
 * after `read` fills `sent_at`), and pricing is kept from whichever status carries it. Statuses of inbound
 * messages (`received`) change nothing.
 */
export function applyStatus(state: StatusState, update: StatusUpdate): StatusOutcome {
  if (state.status === 'received' || state.status === 'failed') return { state, transition: null, changed: false };
  const next: StatusState = { ...state };
  let transition: WebhookStatus | null = null;
  if (update.status === 'failed') {
    if (state.status === 'pending' || state.status === 'sent') {
      next.status = 'failed';
      next.error = update.error;
      next.failedAt = update.at;
      transition = 'failed';
    }
  } else if ((RANK[update.status] ?? 0) > (RANK[state.status] ?? 0)) {
    next.status = update.status;
    next[TIMESTAMP[update.status]] = update.at;
    transition = update.status;
  } else if (next[TIMESTAMP[update.status]] === null) {
    next[TIMESTAMP[update.status]] = update.at;
  }
  if (update.pricing !== null && JSON.stringify(update.pricing) !== JSON.stringify(state.pricing)) next.pricing = update.pricing;
  const changed =
    transition !== null ||
    next.pricing !== state.pricing ||
    (Object.values(TIMESTAMP) as (keyof StatusState)[]).some((k) => next[k] !== state[k]);
  return { state: next, transition, changed };
}

/** Kirim's `error` of a failed status from Meta's `errors[0]` (the dispatcher's mapping, spec 05 § error). */
export function statusError(raw: Record<string, unknown>): MessageError {
  const errors = Array.isArray(raw['errors']) ? (raw['errors'] as unknown[]) : [];
  const first = (errors[0] ?? {}) as Record<string, unknown>;
  const code = typeof first['code'] === 'number' && Number.isInteger(first['code']) ? first['code'] : null;
  const title = typeof first['title'] === 'string' ? first['title'] : typeof first['message'] === 'string' ? first['message'] : null;
  const data = (first['error_data'] ?? {}) as Record<string, unknown>;
  const details = typeof data['details'] === 'string' ? data['details'] : null;
  const classified = classifySendFailure({
    kind: 'graph',
    code,
    httpStatus: null,
    message: title ?? 'Meta reported the message failed',
    details,
  });
  return { ...classified.error, meta_title: title };
}

/** The update a status webhook asks for. */
export function statusUpdate(status: WebhookStatus, raw: Record<string, unknown>, at: Date | null, now: Date): StatusUpdate {
  const pricing = raw['pricing'] !== null && typeof raw['pricing'] === 'object' && !Array.isArray(raw['pricing']) ? raw['pricing'] : null;
  return {
    status,
    at: at ?? now,
    pricing: pricing as Record<string, unknown> | null,
    error: status === 'failed' ? statusError(raw) : null,
  };
}
