/** Delays between delivery attempts (spec 06 § Delivery, `WEBHOOK_RETRY_SCHEDULE` in spec 09). */
export const DEFAULT_RETRY_SCHEDULE = '10s,30s,2m,10m,1h,6h,24h';

/** A `Retry-After` on a 429 is honoured up to this; a longer one is cut to it (spec 06). */
export const RETRY_AFTER_CAP_MS = 60 * 60 * 1000;

/** Each scheduled delay is moved by up to ±20 %, so endpoints that failed together do not retry together. */
export const RETRY_JITTER = 0.2;

/** A subscription is disabled after this many consecutive failed deliveries … */
export const AUTO_DISABLE_CONSECUTIVE_FAILURES = 24;
/** … once at least this long has passed since the first of them (spec 06 § Delivery). */
export const AUTO_DISABLE_FAILING_FOR_MS = 24 * 60 * 60 * 1000;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DELAY = /^(\d+)(ms|s|m|h|d)$/;

/**
 * `"10s,30s,2m,10m,1h,6h,24h"` → the delays in ms. Each entry is a positive integer and a unit (ms, s, m,
 * h, d); anything else throws, naming the entry, so a mistyped variable stops the app at start rather
 * than scheduling retries at odd times.
 */
export function parseRetrySchedule(value: string): number[] {
  if (value.trim() === '') throw new Error(`WEBHOOK_RETRY_SCHEDULE is empty; expected delays such as '${DEFAULT_RETRY_SCHEDULE}'.`);
  return value.split(',').map((raw) => {
    const entry = raw.trim();
    const m = DELAY.exec(entry);
    const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
    if (!(ms > 0) || !Number.isSafeInteger(ms)) {
      throw new Error(
        `WEBHOOK_RETRY_SCHEDULE entry '${entry}' is not a delay: use a positive whole number and a unit (ms, s, m, h, d), ` +
          `comma-separated, e.g. '${DEFAULT_RETRY_SCHEDULE}'.`,
      );
    }
    return ms;
  });
}

/** The first attempt plus one per scheduled delay: 8 with the default schedule. */
export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}

/** `ms` moved uniformly within ±20 %, rounded to a whole millisecond. `random` is injectable for tests. */
export function applyJitter(ms: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(ms * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random())));
}

// RFC 9110 § 10.2.3 / 5.6.7: delay-seconds, or an HTTP-date in one of its three forms.
const DELAY_SECONDS = /^\d+$/;
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850_DATE =
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * A response's `Retry-After` → how long to wait in ms (0 for a date already past), capped at 1 hour;
 * null when the header is absent or is neither delay-seconds nor an HTTP-date (the schedule applies then).
 */
export function parseRetryAfter(header: string | undefined, now: Date): number | null {
  if (header === undefined) return null;
  const value = header.trim();
  let ms: number;
  if (DELAY_SECONDS.test(value)) {
    ms = Number(value) * 1000;
  } else if (IMF_FIXDATE.test(value) || RFC850_DATE.test(value)) {
    ms = Date.parse(value) - now.getTime();
  } else if (ASCTIME_DATE.test(value)) {
    ms = Date.parse(`${value} GMT`) - now.getTime(); // asctime carries no zone; HTTP dates are always GMT
  } else {
    return null;
  }
  if (Number.isNaN(ms)) return null;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, Math.ceil(ms)));
}

/** What one delivery attempt ended with, as the sender saw it. */
export type AttemptResult =
  | { kind: 'response'; status: number; retryAfterMs: number | null }
  | { kind: 'error'; code: 'timeout' | 'connection_failed' | 'target_forbidden'; message: string };

/** What happens to the delivery after an attempt. */
export type Decision =
  | { outcome: 'succeeded' }
  | { outcome: 'retry'; delayMs: number }
  | { outcome: 'failed'; disableSubscription: boolean };

/**
 * spec 06 § Delivery: 2xx succeeds. 3xx (redirects are not followed), 408, 429, 5xx, a status outside
 * 100–599, timeouts, network errors and a forbidden target (DNS may change back) are retried while
 * attempts remain; other 4xx fail at once — the endpoint refused the event, retrying will not change
 * that — and 410 Gone also disables the subscription. The delay after attempt n is schedule[n-1] with
 * jitter, except a 429's `Retry-After` (already capped at 1 h by parseRetryAfter), taken as is.
 */
export function decideAfterAttempt(
  result: AttemptResult,
  attemptNumber: number,
  schedule: readonly number[],
  random: () => number = Math.random,
): Decision {
  if (!Number.isInteger(attemptNumber) || attemptNumber < 1) throw new Error(`attemptNumber must be 1 or more, got ${attemptNumber}.`);
  if (result.kind === 'response') {
    const status = normalizedStatus(result.status);
    if (status >= 200 && status < 300) return { outcome: 'succeeded' };
    if (status === 410) return { outcome: 'failed', disableSubscription: true };
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { outcome: 'failed', disableSubscription: false };
  }
  const scheduled = schedule[attemptNumber - 1];
  if (attemptNumber >= maxAttempts(schedule) || scheduled === undefined) return { outcome: 'failed', disableSubscription: false };
  if (result.kind === 'response' && result.status === 429 && result.retryAfterMs !== null) {
    return { outcome: 'retry', delayMs: Math.min(RETRY_AFTER_CAP_MS, Math.max(0, result.retryAfterMs)) };
  }
  return { outcome: 'retry', delayMs: applyJitter(scheduled, random) };
}

/** A status no HTTP server should send is read as a server error (retried). */
function normalizedStatus(status: number): number {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : 500;
}

/** The `error` recorded on an attempt (spec 06 § Deliveries): null for a 2xx. */
export function attemptError(result: AttemptResult): { code: string; message: string } | null {
  if (result.kind === 'error') return { code: result.code, message: result.message };
  if (result.status >= 200 && result.status < 300) return null;
  return { code: 'http_status', message: `The endpoint answered ${result.status}.` };
}

/**
 * spec 06: after 24 consecutive failed deliveries, and at least 24 hours since the first of them, the
 * subscription becomes `disabled` — both, so a burst of 24 failures in a short outage does not disable it.
 */
export function shouldAutoDisable(consecutiveFailures: number, failingSince: Date | null, now: Date): boolean {
  return (
    consecutiveFailures >= AUTO_DISABLE_CONSECUTIVE_FAILURES &&
    failingSince !== null &&
    now.getTime() - failingSince.getTime() >= AUTO_DISABLE_FAILING_FOR_MS
  );
}
