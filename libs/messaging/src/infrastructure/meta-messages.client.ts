import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { graphAnswerError, graphTransportError, META_TIMEOUT_MS, MetaApiError, parseGraphJson } from '@kirim/whatsapp-accounts';

/**
 * Meta's send endpoint, `POST /{v}/{phone_number_id}/messages` (reference §3), in the style of
 * whatsapp-accounts' MetaGraphClient: base URL and version from configuration, a timeout per call, and
 * every failure turned into one {@link MetaApiError} at this edge (the dispatcher classifies it once).
 * Logs name the number, Meta's code and fbtrace_id — never the token or the message body.
 *
 * The call goes through `node:http(s)` with one keep-alive agent (connections reused across sends), not
 * `fetch`: the dispatcher's hottest I/O, where fetch's streams, `Headers`, `AbortSignal.timeout` and
 * connection setup under load were a large share of the worker's CPU per message. The timeout covers the
 * whole exchange, as before (request, headers and body).
 */
@Injectable()
export class MetaMessagesClient implements OnModuleDestroy {
  private readonly logger = new Logger('MetaMessagesClient');
  private readonly base: string;
  private readonly request: typeof http.request;
  private readonly agent: http.Agent;

  /** Per-call timeout (tests shorten it). */
  timeoutMs = META_TIMEOUT_MS;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.base = `${config.META_GRAPH_URL.replace(/\/+$/, '')}/${config.META_GRAPH_VERSION}`;
    const secure = this.base.startsWith('https:');
    this.request = secure ? https.request : http.request;
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  onModuleDestroy(): void {
    this.agent.destroy();
  }

  /** Sends one message; resolves with Meta's wamid (`messages[0].id` of the 200). */
  async send(businessToken: string, phoneNumberId: string, body: Record<string, unknown>): Promise<{ wamid: string }> {
    const endpoint = 'messages';
    let response: GraphAnswer;
    try {
      response = await this.post(`${this.base}/${encodeURIComponent(phoneNumberId)}/messages`, businessToken, JSON.stringify(body));
    } catch (cause) {
      const error = graphTransportError(endpoint, cause, this.timeoutMs);
      this.logger.warn({ msg: 'meta send failed', phone_number_id: phoneNumberId, ...error.toLog() });
      throw error;
    }
    const parsed = parseGraphJson(response.text);
    const error = graphAnswerError(endpoint, response.status, parsed, response.traceId);
    if (error) {
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

  /**
   * One POST: resolves with the status and the body once the answer is complete; rejects (TimeoutError
   * after {@link timeoutMs}, or the socket's error) when no answer came. A body cut off after the status
   * line reads as empty, as `fetch`'s failed `text()` did.
   */
  private post(url: string, token: string, payload: string): Promise<GraphAnswer> {
    return new Promise<GraphAnswer>((resolve, reject) => {
      let responded = false;
      const req = this.request(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
            authorization: `Bearer ${token}`,
          },
        },
        (res) => {
          responded = true;
          const status = res.statusCode ?? 0;
          const trace = res.headers['x-fb-trace-id'];
          const traceId = typeof trace === 'string' ? trace : null;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status, traceId, text: Buffer.concat(chunks).toString('utf8') });
          });
          const cut = () => {
            clearTimeout(timer);
            resolve({ status, traceId, text: '' });
          };
          res.on('error', cut);
          res.on('close', () => {
            if (!res.complete) cut();
          });
        },
      );
      const timer = setTimeout(() => {
        const timeout = new Error(`timed out after ${this.timeoutMs} ms`);
        timeout.name = 'TimeoutError';
        req.destroy(timeout);
      }, this.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        // After the status line, the answer's own events settle it (a cut body reads as empty).
        if (!responded) reject(error);
      });
      req.end(payload);
    });
  }
}

interface GraphAnswer {
  status: number;
  traceId: string | null;
  text: string;
}
