import type { MessageError } from '@kirim/contracts';

/** Meta's "slow down" codes (reference §6.2): app, WABA, throughput and pair rate limits. */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);
/** Meta's transient codes: unknown server trouble, maintenance, temporary downtime. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, 131000, 131016, 131057, 133004]);
/** The token is expired or revoked (190), or the number is no longer registered (133010): the account needs a reconnect. */
export const ACCOUNT_CODES: ReadonlySet<number> = new Set([190, 133010]);

/** Meta's permanent codes → Kirim's `error.code` (spec 05 § Message resource); anything else is `meta_error`. */
const PERMANENT_CODES: Readonly<Record<number, string>> = {
  131047: 'outside_customer_service_window',
  131026: 'recipient_not_on_whatsapp',
  132015: 'template_paused',
  132016: 'template_disabled',
  132000: 'template_parameter_mismatch',
  132001: 'template_parameter_format_mismatch',
  132012: 'template_parameter_format_mismatch',
  131053: 'media_download_failed',
  131048: 'spam_rate_limited',
  131049: 'recipient_blocked',
  131050: 'recipient_blocked',
  130403: 'recipient_blocked',
  190: 'account_not_connected',
  133010: 'account_not_connected',
};

/** What a failed send call tells the dispatcher, classified once from Meta's answer. */
export type SendFailure =
  /** Throttled by Meta: slow the number down and retry; `rate_limited` once retries run out. */
  | { kind: 'throttled'; error: MessageError }
  /** Meta or the network had trouble (5xx, timeout, transient code): retry with backoff; `meta_error` once retries run out. */
  | { kind: 'transient'; error: MessageError }
  /** The account's token or number is gone: the message fails and the account is disconnected. */
  | { kind: 'account'; error: MessageError }
  /** Meta refused this message for good. */
  | { kind: 'permanent'; error: MessageError };

export interface MetaFailureFacts {
  /** graph = Meta answered with its envelope; timeout/network/invalid_response = no usable answer. */
  kind: 'graph' | 'timeout' | 'network' | 'invalid_response';
  code: number | null;
  httpStatus: number | null;
  /** Meta's `error.message`, e.g. `(#130429) Rate limit hit`. */
  message: string;
  /** Meta's `error.error_data.details`. */
  details: string | null;
}

/** `(#131047) Re-engagement message` → `Re-engagement message`. */
export function metaTitle(message: string): string {
  return message.replace(/^\(#\d+\)\s*/, '');
}

export function classifySendFailure(f: MetaFailureFacts): SendFailure {
  const title = f.kind === 'graph' ? metaTitle(f.message) : null;
  const human = f.details ?? title ?? f.message;
  const error = (code: string): MessageError => ({ code, message: human, meta_code: f.code, meta_title: title });
  if (f.kind === 'timeout' || f.kind === 'network') return { kind: 'transient', error: error('meta_error') };
  if (f.code !== null && THROTTLING_CODES.has(f.code)) return { kind: 'throttled', error: error('rate_limited') };
  if (f.code !== null && ACCOUNT_CODES.has(f.code)) return { kind: 'account', error: error('account_not_connected') };
  if (f.code !== null && TRANSIENT_CODES.has(f.code)) return { kind: 'transient', error: error('meta_error') };
  if (f.code !== null && PERMANENT_CODES[f.code] !== undefined)
    return { kind: 'permanent', error: error(PERMANENT_CODES[f.code] as string) };
  if (f.httpStatus !== null && f.httpStatus >= 500) return { kind: 'transient', error: error('meta_error') };
  if (f.kind === 'invalid_response' && (f.httpStatus === null || f.httpStatus === 429))
    return { kind: 'transient', error: error('meta_error') };
  if (f.httpStatus === 429) return { kind: 'throttled', error: error('rate_limited') };
  return { kind: 'permanent', error: error('meta_error') };
}

/** Backoff before retry `attempt` (1-based) of a transient failure: base·2^(n-1), capped, with ±20 % jitter. */
export function retryDelayMs(attempt: number, baseMs: number, capMs = 60_000): number {
  const raw = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}
