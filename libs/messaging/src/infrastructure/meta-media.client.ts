import http from 'node:http';
import https from 'node:https';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { graphAnswerError, graphTransportError, META_TIMEOUT_MS, MetaApiError, parseGraphJson } from '@kirim/whatsapp-accounts';

/** What `GET /{media_id}` answers (reference §3.5): a download URL valid about 5 minutes. */
export interface MetaMediaInfo {
  url: string;
  mimeType: string | null;
  sha256: string | null;
  /** Meta answers a number (observed) or a string (its OAS): read as a number when it is one. */
  fileSize: number | null;
}

/** An open download: the body is not read yet (the caller streams it). */
export type MetaDownload =
  | { ok: true; contentType: string | null; contentLength: number | null; body: http.IncomingMessage }
  /** The URL answered 401/403/404: expired (or not valid any more); fetch a new URL. */
  | { ok: false; status: number };

/** A download that stops sending for this long is cut (the client sees a truncated body, never a hang). */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

/**
 * Meta's synchronous calls of the inbox, outside the dispatcher's hot path: mark as read (with the typing
 * indicator) on `POST /{phone_number_id}/messages`, `GET /{media_id}` and the media download (reference
 * §3.5). Every failure becomes one {@link MetaApiError} here. The token goes in the Authorization header
 * only, and only to Meta: the Graph URL's origin, or an https download URL (Meta's lookaside host).
 * Logs name the endpoint, the number or media id, Meta's code and fbtrace_id — never the token or a URL.
 */
@Injectable()
export class MetaMediaClient implements OnModuleDestroy {
  private readonly logger = new Logger('MetaMediaClient');
  private readonly base: string;
  private readonly graphOrigin: string;
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent = new https.Agent({ keepAlive: true });

  /** Per-call timeout up to the answer's headers (tests shorten it). */
  timeoutMs = META_TIMEOUT_MS;
  idleTimeoutMs = DOWNLOAD_IDLE_TIMEOUT_MS;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const graph = config.META_GRAPH_URL.replace(/\/+$/, '');
    this.base = `${graph}/${config.META_GRAPH_VERSION}`;
    this.graphOrigin = new URL(graph).origin;
  }

  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Meta's mark-as-read body (`typing_indicator: {type: "text"}` when asked); Meta answers `{success: true}`. */
  async markRead(token: string, phoneNumberId: string, wamid: string, typingIndicator: boolean): Promise<void> {
    const body = {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: wamid,
      ...(typingIndicator && { typing_indicator: { type: 'text' } }),
    };
    const answer = await this.json('messages', 'POST', `${this.base}/${encodeURIComponent(phoneNumberId)}/messages`, token, body, {
      phone_number_id: phoneNumberId,
    });
    if ((answer as { success?: unknown } | null)?.success !== true) {
      throw this.logged(
        new MetaApiError({
          endpoint: 'messages',
          kind: 'invalid_response',
          message: 'Graph mark-as-read: 200 without success: true',
          httpStatus: 200,
        }),
        { phone_number_id: phoneNumberId },
      );
    }
  }

  /** `GET /{media_id}` → a fresh download URL and what Meta knows of the file. */
  async mediaInfo(token: string, mediaId: string): Promise<MetaMediaInfo> {
    const answer = (await this.json('media', 'GET', `${this.base}/${encodeURIComponent(mediaId)}`, token, undefined, {
      media_id: mediaId,
    })) as Record<string, unknown> | null;
    const url = answer?.['url'];
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw this.logged(
        new MetaApiError({
          endpoint: 'media',
          kind: 'invalid_response',
          message: 'Graph media: 200 without a download url',
          httpStatus: 200,
        }),
        { media_id: mediaId },
      );
    }
    const size = answer?.['file_size'];
    const fileSize = typeof size === 'number' ? size : typeof size === 'string' && /^\d+$/.test(size) ? Number(size) : null;
    return {
      url,
      mimeType: typeof answer?.['mime_type'] === 'string' ? answer['mime_type'] : null,
      sha256: typeof answer?.['sha256'] === 'string' ? answer['sha256'] : null,
      fileSize,
    };
  }

  /**
   * Opens Meta's download URL with the token. A 2xx hands the unread body over (idle-timed); 401/403/404
   * say the URL is no longer valid; anything else (and a URL that is not Meta's) is a MetaApiError.
   */
  async download(token: string, url: string, mediaId: string): Promise<MetaDownload> {
    const target = new URL(url);
    if (target.protocol !== 'https:' && target.origin !== this.graphOrigin) {
      throw this.logged(
        new MetaApiError({ endpoint: 'media_download', kind: 'invalid_response', message: 'Graph media: the download url is not https' }),
        { media_id: mediaId },
      );
    }
    let res: http.IncomingMessage;
    try {
      res = await this.open(target, 'GET', token, undefined);
    } catch (cause) {
      throw this.logged(graphTransportError('media_download', cause, this.timeoutMs), { media_id: mediaId });
    }
    const status = res.statusCode ?? 0;
    if (status === 401 || status === 403 || status === 404) {
      res.resume();
      return { ok: false, status };
    }
    if (status < 200 || status > 299) {
      const text = await readText(res).catch(() => '');
      const error = graphAnswerError('media_download', status, parseGraphJson(text), traceOf(res));
      if (error) throw this.logged(error, { media_id: mediaId });
    }
    res.setTimeout(this.idleTimeoutMs, () => res.destroy(new Error(`media download idle for ${this.idleTimeoutMs} ms`)));
    const type = res.headers['content-type'];
    const length = res.headers['content-length'];
    return {
      ok: true,
      contentType: typeof type === 'string' && type !== '' ? type : null,
      contentLength: typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : null,
      body: res,
    };
  }

  // ------------------------------------------------------------------------------------ plumbing

  private async json(
    endpoint: string,
    method: 'GET' | 'POST',
    url: string,
    token: string,
    body: unknown,
    logFields: Record<string, string>,
  ): Promise<unknown> {
    let res: http.IncomingMessage;
    let text: string;
    try {
      res = await this.open(new URL(url), method, token, body === undefined ? undefined : JSON.stringify(body));
      text = await readText(res);
    } catch (cause) {
      throw this.logged(graphTransportError(endpoint, cause, this.timeoutMs), logFields);
    }
    const parsed = parseGraphJson(text);
    const error = graphAnswerError(endpoint, res.statusCode ?? 0, parsed, traceOf(res));
    if (error) throw this.logged(error, logFields);
    return parsed;
  }

  /** Resolves at the answer's headers (within {@link timeoutMs}); the body is the caller's to read. */
  private open(url: URL, method: string, token: string, payload: string | undefined): Promise<http.IncomingMessage> {
    const secure = url.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: {
            accept: payload === undefined && method === 'GET' ? '*/*' : 'application/json',
            authorization: `Bearer ${token}`,
            ...(payload !== undefined && { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          clearTimeout(timer);
          resolve(res);
        },
      );
      const timer = setTimeout(() => {
        const timeout = new Error(`timed out after ${this.timeoutMs} ms`);
        timeout.name = 'TimeoutError';
        req.destroy(timeout);
      }, this.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(payload);
    });
  }

  private logged(error: MetaApiError, fields: Record<string, string>): MetaApiError {
    this.logger.warn({ msg: `meta ${error.endpoint} failed`, ...fields, ...error.toLog() });
    return error;
  }
}

/** An answer's body as text, at most 1 MiB (error envelopes and JSON answers are small). */
function readText(res: http.IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1024 * 1024) {
        res.destroy(new Error('answer larger than 1 MiB'));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('close', () => {
      if (!res.complete) reject(new Error('answer cut off'));
    });
  });
}

function traceOf(res: http.IncomingMessage): string | null {
  const trace = res.headers['x-fb-trace-id'];
  return typeof trace === 'string' ? trace : null;
}
