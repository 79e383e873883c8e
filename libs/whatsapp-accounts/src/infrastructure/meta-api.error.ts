/** Meta codes that mean "slow down" (reference §6.2): app, WABA, throughput and pair rate limits. */
export const THROTTLING_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);
/** Codes worth retrying later besides the throttling ones: transient/unknown server trouble. */
export const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2, 131000, 131016, 131057, 133004]);
/** Access token expired, invalid or revoked. */
export const TOKEN_INVALID_CODE = 190;

export type MetaFailureKind = 'graph' | 'timeout' | 'network' | 'invalid_response';

/**
 * A failed Graph call, typed from Meta's error envelope `{error: {message, type, code, error_subcode,
 * error_data, fbtrace_id}}` (reference §6.1), or a timeout / network failure / unreadable answer. Carries
 * nothing secret: no token, app secret, code or PIN.
 */
export class MetaApiError extends Error {
  readonly endpoint: string;
  readonly kind: MetaFailureKind;
  readonly code: number | null;
  readonly subcode: number | null;
  readonly httpStatus: number | null;
  readonly fbtraceId: string | null;
  readonly type: string | null;
  readonly details: string | null;

  constructor(fields: {
    endpoint: string;
    kind: MetaFailureKind;
    message: string;
    code?: number | null;
    subcode?: number | null;
    httpStatus?: number | null;
    fbtraceId?: string | null;
    type?: string | null;
    details?: string | null;
    cause?: unknown;
  }) {
    super(fields.message, { cause: fields.cause });
    this.name = 'MetaApiError';
    this.endpoint = fields.endpoint;
    this.kind = fields.kind;
    this.code = fields.code ?? null;
    this.subcode = fields.subcode ?? null;
    this.httpStatus = fields.httpStatus ?? null;
    this.fbtraceId = fields.fbtraceId ?? null;
    this.type = fields.type ?? null;
    this.details = fields.details ?? null;
  }

  /** Rate limited by Meta (4, 80007, 130429, 131056): back off, do not fail the work. */
  get throttled(): boolean {
    return this.code !== null && THROTTLING_CODES.has(this.code);
  }

  /** The business token is expired, invalid or revoked (190): the account needs a reconnect. */
  get tokenInvalid(): boolean {
    return this.code === TOKEN_INVALID_CODE;
  }

  /** Worth trying again later: throttling, transient codes, HTTP 5xx, timeouts and network failures. */
  get retryable(): boolean {
    if (this.kind === 'timeout' || this.kind === 'network') return true;
    if (this.tokenInvalid) return false;
    if (this.throttled) return true;
    if (this.code !== null && TRANSIENT_CODES.has(this.code)) return true;
    return this.httpStatus !== null && this.httpStatus >= 500;
  }

  /** What may be logged: endpoint, code, subcode, HTTP status, fbtrace_id. */
  toLog(): Record<string, unknown> {
    return {
      endpoint: this.endpoint,
      kind: this.kind,
      code: this.code,
      subcode: this.subcode,
      http_status: this.httpStatus,
      fbtrace_id: this.fbtraceId,
    };
  }
}

/** Reads Meta's error envelope; null when the body is not one. */
export function parseErrorEnvelope(body: unknown): {
  message: string;
  type: string | null;
  code: number | null;
  subcode: number | null;
  fbtraceId: string | null;
  details: string | null;
} | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as Record<string, unknown>;
  const errorData = typeof e['error_data'] === 'object' && e['error_data'] !== null ? (e['error_data'] as Record<string, unknown>) : {};
  return {
    message: typeof e['message'] === 'string' ? e['message'] : 'Graph API error',
    type: typeof e['type'] === 'string' ? e['type'] : null,
    code: typeof e['code'] === 'number' ? e['code'] : null,
    subcode: typeof e['error_subcode'] === 'number' ? e['error_subcode'] : null,
    fbtraceId: typeof e['fbtrace_id'] === 'string' ? e['fbtrace_id'] : null,
    // Meta puts the words for a person in `error_user_msg` when `error_data.details` is absent (template reviews).
    details:
      typeof errorData['details'] === 'string'
        ? errorData['details']
        : typeof e['error_user_msg'] === 'string'
          ? e['error_user_msg']
          : null,
  };
}

/** Meta's answer text as JSON; null when it is empty or not JSON. */
export function parseGraphJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A Graph call that got no answer: timed out (`TimeoutError`/`AbortError`) or could not reach Meta. */
export function graphTransportError(endpoint: string, cause: unknown, timeoutMs: number): MetaApiError {
  const name = (cause as { name?: unknown } | null)?.name;
  const timedOut = name === 'TimeoutError' || name === 'AbortError';
  return new MetaApiError({
    endpoint,
    kind: timedOut ? 'timeout' : 'network',
    message: timedOut ? `Graph ${endpoint} timed out after ${timeoutMs} ms` : `Graph ${endpoint} could not be reached`,
    cause,
  });
}

/**
 * The one classification of a Graph answer: null when it succeeded (2xx without an error envelope), else
 * the error — Meta's envelope when there is one, `invalid_response` otherwise.
 */
export function graphAnswerError(endpoint: string, httpStatus: number, body: unknown, traceId: string | null): MetaApiError | null {
  const envelope = parseErrorEnvelope(body);
  if (httpStatus >= 200 && httpStatus <= 299 && !envelope) return null;
  if (!envelope) {
    return new MetaApiError({
      endpoint,
      kind: 'invalid_response',
      message: `Graph ${endpoint} answered HTTP ${httpStatus} without an error envelope`,
      httpStatus,
      fbtraceId: traceId,
    });
  }
  return new MetaApiError({
    endpoint,
    kind: 'graph',
    message: envelope.message,
    code: envelope.code,
    subcode: envelope.subcode,
    httpStatus,
    fbtraceId: envelope.fbtraceId ?? traceId,
    type: envelope.type,
    details: envelope.details,
  });
}
