import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { META_TIMEOUT_MS, MetaApiError } from '@kirim/whatsapp-accounts';

/**
 * Meta's send endpoint, `POST /{v}/{phone_number_id}/messages` (reference §3), in the style of
 * whatsapp-accounts' MetaGraphClient: base URL and version from configuration, a timeout per call, and
 * every failure turned into one {@link MetaApiError} at this edge (the dispatcher classifies it once).
 * Logs name the number, Meta's code and fbtrace_id — never the token or the message body.
 */
@Injectable()
export class MetaMessagesClient {
  private readonly logger = new Logger('MetaMessagesClient');
  private readonly base: string;

  /** Per-call timeout (tests shorten it). */
  timeoutMs = META_TIMEOUT_MS;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.base = `${config.META_GRAPH_URL.replace(/\/+$/, '')}/${config.META_GRAPH_VERSION}`;
  }

  /** Sends one message; resolves with Meta's wamid (`messages[0].id` of the 200). */
  async send(businessToken: string, phoneNumberId: string, body: Record<string, unknown>): Promise<{ wamid: string }> {
    const endpoint = 'messages';
    let response: Response;
    try {
      response = await fetch(`${this.base}/${encodeURIComponent(phoneNumberId)}/messages`, {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${businessToken}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const name = (cause as { name?: unknown } | null)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      const error = new MetaApiError({
        endpoint,
        kind: timedOut ? 'timeout' : 'network',
        message: timedOut ? `Graph messages timed out after ${this.timeoutMs} ms` : 'Graph messages could not be reached',
        cause,
      });
      this.logger.warn({ msg: 'meta send failed', phone_number_id: phoneNumberId, ...error.toLog() });
      throw error;
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    try {
      parsed = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      parsed = null;
    }
    const envelope = errorEnvelope(parsed);
    if (!response.ok || envelope) {
      const error = envelope
        ? new MetaApiError({
            endpoint,
            kind: 'graph',
            message: envelope.message,
            code: envelope.code,
            subcode: envelope.subcode,
            httpStatus: response.status,
            fbtraceId: envelope.fbtraceId ?? response.headers.get('x-fb-trace-id'),
            type: envelope.type,
            details: envelope.details,
          })
        : new MetaApiError({
            endpoint,
            kind: 'invalid_response',
            message: `Graph messages answered HTTP ${response.status} without an error envelope`,
            httpStatus: response.status,
          });
      this.logger.warn({ msg: 'meta send failed', phone_number_id: phoneNumberId, ...error.toLog() });
      throw error;
    }
    const messages = (parsed as { messages?: unknown } | null)?.messages;
    const wamid = Array.isArray(messages) ? (messages[0] as { id?: unknown } | undefined)?.id : undefined;
    if (typeof wamid !== 'string' || wamid === '') {
      throw new MetaApiError({
        endpoint,
        kind: 'invalid_response',
        message: 'Graph messages: 200 without messages[0].id',
        httpStatus: response.status,
      });
    }
    return { wamid };
  }
}

function errorEnvelope(body: unknown): {
  message: string;
  type: string | null;
  code: number | null;
  subcode: number | null;
  fbtraceId: string | null;
  details: string | null;
} | null {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return null;
  const e = error as Record<string, unknown>;
  const data = typeof e['error_data'] === 'object' && e['error_data'] !== null ? (e['error_data'] as Record<string, unknown>) : {};
  return {
    message: typeof e['message'] === 'string' ? e['message'] : 'Graph API error',
    type: typeof e['type'] === 'string' ? e['type'] : null,
    code: typeof e['code'] === 'number' ? e['code'] : null,
    subcode: typeof e['error_subcode'] === 'number' ? e['error_subcode'] : null,
    fbtraceId: typeof e['fbtrace_id'] === 'string' ? e['fbtrace_id'] : null,
    details: typeof data['details'] === 'string' ? data['details'] : null,
  };
}
