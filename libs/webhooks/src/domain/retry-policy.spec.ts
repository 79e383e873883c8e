import {
  AUTO_DISABLE_CONSECUTIVE_FAILURES,
  AUTO_DISABLE_FAILING_FOR_MS,
  DEFAULT_RETRY_SCHEDULE,
  applyJitter,
  attemptError,
  decideAfterAttempt,
  maxAttempts,
  parseRetryAfter,
  parseRetrySchedule,
  shouldAutoDisable,
  type AttemptResult,
} from './retry-policy';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);
const middle = (): number => 0.5; // jitter factor exactly 1

function response(status: number, retryAfterMs: number | null = null): AttemptResult {
  return { kind: 'response', status, retryAfterMs };
}

describe('retry schedule', () => {
  it('the default is 10s, 30s, 2m, 10m, 1h, 6h, 24h: 8 attempts in all', () => {
    expect(schedule).toEqual([10 * S, 30 * S, 2 * M, 10 * M, H, 6 * H, 24 * H]);
    expect(maxAttempts(schedule)).toBe(8);
  });

  it('takes every unit and compressed test schedules', () => {
    expect(parseRetrySchedule('250ms,1s,2m,3h,1d')).toEqual([250, S, 2 * M, 3 * H, 24 * H]);
    expect(parseRetrySchedule(' 100ms , 200ms ')).toEqual([100, 200]);
    expect(maxAttempts(parseRetrySchedule('1s'))).toBe(2);
  });

  it.each(['', '   ', '10', '10x', 's', '0s', '0ms', '-5s', '1.5s', '10s,', '10s,,30s', '10 s', '10S', '1e3ms', '1w'])(
    'refuses %p with a message naming what is wrong',
    (value) => {
      expect(() => parseRetrySchedule(value)).toThrow(/WEBHOOK_RETRY_SCHEDULE/);
    },
  );
});

describe('jitter', () => {
  it('stays within ±20 % and is a whole number', () => {
    expect(applyJitter(10_000, () => 0)).toBe(8_000);
    expect(applyJitter(10_000, () => 0.5)).toBe(10_000);
    expect(applyJitter(10_000, () => 0.999999)).toBe(12_000);
    expect(applyJitter(7, () => 0.3)).toBe(6);
    for (let i = 0; i < 1000; i++) {
      const ms = applyJitter(30_000);
      expect(Number.isInteger(ms)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(24_000);
      expect(ms).toBeLessThanOrEqual(36_000);
    }
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-06-04T10:00:00.000Z');

  it.each([
    ['120', 120 * S],
    [' 5 ', 5 * S],
    ['0', 0],
    ['3600', H],
    ['86400', H], // capped
    ['Thu, 04 Jun 2026 10:00:30 GMT', 30 * S],
    ['Thursday, 04-Jun-26 10:02:00 GMT', 2 * M],
    ['Thu Jun  4 10:00:10 2026', 10 * S],
    ['Thu, 04 Jun 2026 09:00:00 GMT', 0], // already past
    ['Fri, 05 Jun 2026 10:00:00 GMT', H], // capped
  ])('%p → %p ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([undefined, '', 'soon', '-1', '1.5', '2026-06-04T10:00:30Z', 'Thu, 04 Jun 2026 10:00:30', 'Thu, 32 Jun 2026 10:00:30 GMT'])(
    '%p → null',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeNull();
    },
  );
});

describe('decision after an attempt', () => {
  it.each([200, 201, 202, 204, 299])('%p → succeeded', (status) => {
    expect(decideAfterAttempt(response(status), 1, schedule, middle)).toEqual({ outcome: 'succeeded' });
  });

  it.each([300, 301, 302, 307, 308, 408, 429, 500, 502, 503, 504, 599, 0, 99, 600, 1000, 100, 200.5, 404.5, NaN])(
    '%p → retried',
    (status) => {
      expect(decideAfterAttempt(response(status), 1, schedule, middle)).toEqual({ outcome: 'retry', delayMs: 10 * S });
    },
  );

  it.each(['timeout', 'connection_failed', 'target_forbidden'] as const)('%s → retried', (code) => {
    expect(decideAfterAttempt({ kind: 'error', code, message: 'x' }, 3, schedule, middle)).toEqual({ outcome: 'retry', delayMs: 2 * M });
  });

  it.each([400, 401, 403, 404, 405, 409, 413, 422, 451, 499])('%p → failed at once, subscription kept', (status) => {
    expect(decideAfterAttempt(response(status), 1, schedule, middle)).toEqual({ outcome: 'failed', disableSubscription: false });
  });

  it('410 Gone → failed and the subscription disabled', () => {
    expect(decideAfterAttempt(response(410), 1, schedule, middle)).toEqual({ outcome: 'failed', disableSubscription: true });
  });

  it('the delay after attempt n is schedule[n-1], jittered', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => decideAfterAttempt(response(503), n, schedule, middle));
    expect(delays).toEqual(schedule.map((delayMs) => ({ outcome: 'retry', delayMs })));
    expect(decideAfterAttempt(response(503), 2, schedule, () => 0)).toEqual({ outcome: 'retry', delayMs: 24 * S });
    expect(decideAfterAttempt(response(503), 2, schedule, () => 0.999999)).toEqual({ outcome: 'retry', delayMs: 36 * S });
  });

  it('the 8th attempt is the last: a retryable failure then fails the delivery', () => {
    expect(decideAfterAttempt(response(500), 8, schedule, middle)).toEqual({ outcome: 'failed', disableSubscription: false });
    expect(decideAfterAttempt({ kind: 'error', code: 'timeout', message: 'x' }, 8, schedule, middle)).toEqual({
      outcome: 'failed',
      disableSubscription: false,
    });
    expect(decideAfterAttempt(response(200), 8, schedule, middle)).toEqual({ outcome: 'succeeded' });
    const short = parseRetrySchedule('1s');
    expect(decideAfterAttempt(response(500), 1, short, middle)).toEqual({ outcome: 'retry', delayMs: S });
    expect(decideAfterAttempt(response(500), 2, short, middle)).toEqual({ outcome: 'failed', disableSubscription: false });
  });

  it('429 with Retry-After waits that long (capped at 1 h, no jitter); without one, the schedule', () => {
    expect(decideAfterAttempt(response(429, 45 * S), 1, schedule, () => 0)).toEqual({ outcome: 'retry', delayMs: 45 * S });
    expect(decideAfterAttempt(response(429, 5 * H), 1, schedule, () => 0)).toEqual({ outcome: 'retry', delayMs: H });
    expect(decideAfterAttempt(response(429, 0), 1, schedule, () => 0)).toEqual({ outcome: 'retry', delayMs: 0 });
    expect(decideAfterAttempt(response(429), 1, schedule, () => 0)).toEqual({ outcome: 'retry', delayMs: 8 * S });
    expect(decideAfterAttempt(response(503, 45 * S), 1, schedule, middle)).toEqual({ outcome: 'retry', delayMs: 10 * S });
    expect(decideAfterAttempt(response(429, 45 * S), 8, schedule, middle)).toEqual({ outcome: 'failed', disableSubscription: false });
  });

  it('refuses an attempt number below 1', () => {
    expect(() => decideAfterAttempt(response(500), 0, schedule)).toThrow(/attemptNumber/);
  });
});

describe('attempt error', () => {
  it('null for 2xx; http_status naming the status for any other answer; the code/message of a transport error', () => {
    expect(attemptError(response(204))).toBeNull();
    expect(attemptError(response(500))).toEqual({ code: 'http_status', message: 'The endpoint answered 500.' });
    expect(attemptError(response(302))).toEqual({ code: 'http_status', message: 'The endpoint answered 302.' });
    expect(attemptError({ kind: 'error', code: 'timeout', message: 'No answer within 10 s.' })).toEqual({
      code: 'timeout',
      message: 'No answer within 10 s.',
    });
  });
});

describe('auto-disable', () => {
  const now = new Date('2026-06-04T10:00:00.000Z');
  const ago = (ms: number): Date => new Date(now.getTime() - ms);

  it('needs 24 consecutive failures and 24 h since the first', () => {
    expect(AUTO_DISABLE_CONSECUTIVE_FAILURES).toBe(24);
    expect(AUTO_DISABLE_FAILING_FOR_MS).toBe(24 * H);
    expect(shouldAutoDisable(24, ago(24 * H), now)).toBe(true);
    expect(shouldAutoDisable(100, ago(48 * H), now)).toBe(true);
    expect(shouldAutoDisable(23, ago(48 * H), now)).toBe(false);
    expect(shouldAutoDisable(24, ago(24 * H - 1), now)).toBe(false);
    expect(shouldAutoDisable(24, null, now)).toBe(false);
    expect(shouldAutoDisable(0, null, now)).toBe(false);
  });
});
