import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { graphAnswerError, graphTransportError, META_TIMEOUT_MS, MetaApiError, parseGraphJson } from '@kirim/whatsapp-accounts';

/** A template as Meta lists it (`GET /{waba_id}/message_templates`, reference §4). */
export interface GraphTemplate {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components?: Record<string, unknown>[];
  rejected_reason?: string;
  quality_score?: { score?: string };
}

/** The fields a sync asks for. */
const LIST_FIELDS = 'id,name,language,status,category,parameter_format,components,rejected_reason,quality_score';
/** Meta's largest page of templates. */
const PAGE_SIZE = 100;
/** A sync stops after this many pages (250 / 6,000 templates per WABA at Meta: 60 pages of 100 is plenty). */
export const MAX_PAGES = 100;

/**
 * Meta's template management for a WABA (reference §4): create, list (cursor pages), delete — with the
 * account's business token. In the style of whatsapp-accounts' MetaGraphClient: base URL and version from
 * configuration, a timeout per call, every failure turned into one {@link MetaApiError} here. Logs name the
 * WABA, Meta's code and fbtrace_id — never the token.
 */
@Injectable()
export class MetaTemplatesClient {
  private readonly logger = new Logger('MetaTemplatesClient');
  private readonly base: string;

  /** Per-call timeout (tests shorten it). */
  timeoutMs = META_TIMEOUT_MS;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.base = `${config.META_GRAPH_URL.replace(/\/+$/, '')}/${config.META_GRAPH_VERSION}`;
  }

  /** `POST /{waba_id}/message_templates` → `{id, status, category}`. */
  async create(
    token: string,
    wabaId: string,
    body: Record<string, unknown>,
  ): Promise<{ id: string; status: string; category: string | null }> {
    const answer = await this.call('POST', `${wabaId}/message_templates`, token, wabaId, { body });
    const id = field(answer, 'id');
    const status = field(answer, 'status');
    if ((typeof id !== 'string' && typeof id !== 'number') || typeof status !== 'string') {
      throw this.invalid('message_templates', 'create answered without id and status');
    }
    const category = field(answer, 'category');
    return { id: String(id), status, category: typeof category === 'string' ? category : null };
  }

  /**
   * Every template of the WABA: follows Meta's pages (`paging.next` says there is one; the request is
   * rebuilt on Kirim's own base URL with `after` = `paging.cursors.after`, so the token only ever goes to
   * META_GRAPH_URL).
   */
  async listAll(token: string, wabaId: string): Promise<GraphTemplate[]> {
    const all: GraphTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const query: Record<string, string> = { fields: LIST_FIELDS, limit: String(PAGE_SIZE), ...(after !== undefined && { after }) };
      const answer = await this.call('GET', `${wabaId}/message_templates`, token, wabaId, { query });
      const data = field(answer, 'data');
      if (!Array.isArray(data)) throw this.invalid('message_templates', 'list answered without data');
      for (const item of data) {
        if (!isGraphTemplate(item))
          throw this.invalid('message_templates', 'a listed template lacks id, name, language, status or category');
        all.push({ ...item, id: String(item.id) });
      }
      const paging = field(answer, 'paging') as { next?: unknown; cursors?: { after?: unknown } } | undefined;
      const next = paging?.next;
      const cursor = paging?.cursors?.after;
      if (typeof next !== 'string' || typeof cursor !== 'string' || cursor === '' || data.length === 0) return all;
      after = cursor;
    }
    throw this.invalid('message_templates', `more than ${MAX_PAGES} pages of templates`);
  }

  /** `DELETE /{waba_id}/message_templates?name=&hsm_id=` (one language: the template's id). */
  async delete(token: string, wabaId: string, name: string, hsmId: string): Promise<void> {
    await this.call('DELETE', `${wabaId}/message_templates`, token, wabaId, { query: { name, hsm_id: hsmId } });
  }

  private async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    token: string,
    wabaId: string,
    options: { query?: Record<string, string>; body?: unknown },
  ): Promise<unknown> {
    const endpoint = 'message_templates';
    const url = new URL(`${this.base}/${path}`);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(options.body !== undefined && { 'content-type': 'application/json' }),
        },
        ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      const error = graphTransportError(endpoint, cause, this.timeoutMs);
      this.logger.warn({ msg: 'meta template call failed', method, waba_id: wabaId, ...error.toLog() });
      throw error;
    }
    const parsed = parseGraphJson(text);
    const error = graphAnswerError(endpoint, response.status, parsed, response.headers.get('x-fb-trace-id'));
    if (error) {
      this.logger.warn({ msg: 'meta template call failed', method, waba_id: wabaId, ...error.toLog() });
      throw error;
    }
    return parsed;
  }

  private invalid(endpoint: string, message: string): MetaApiError {
    return new MetaApiError({ endpoint, kind: 'invalid_response', message: `Graph ${endpoint}: ${message}` });
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function isGraphTemplate(item: unknown): item is GraphTemplate {
  if (typeof item !== 'object' || item === null) return false;
  const t = item as Record<string, unknown>;
  return (
    (typeof t['id'] === 'string' || typeof t['id'] === 'number') &&
    typeof t['name'] === 'string' &&
    typeof t['language'] === 'string' &&
    typeof t['status'] === 'string' &&
    typeof t['category'] === 'string'
  );
}
