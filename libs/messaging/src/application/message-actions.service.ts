import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { EventWriter, type MessageResource } from '@kirim/contracts';
import { AppError, CryptoService, type TenantScope, Transactional } from '@kirim/platform';
import { MetaApiError } from '@kirim/whatsapp-accounts';
import type { Message } from '../domain/message';
import { parseSendRequest } from '../domain/outbound/send-request';
import { type ActionTarget, MessageActionsRepository } from '../infrastructure/message-actions.repository';
import { type MetaMediaInfo, MetaMediaClient } from '../infrastructure/meta-media.client';
import { messageEventScope, toMessageResource } from './resources';
import { assertPhoneNumberId } from '../domain/phone-number-id';

/** The message types that carry media (spec 05 § Other message endpoints). */
const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);
/** Meta's download URLs live 5 minutes (reference §3.5): a cached one is used for at most 4. */
export const MEDIA_URL_CACHE_TTL_MS = 4 * 60_000;
const MEDIA_URL_CACHE_SIZE = 10_000;

/** What `GET …/messages/{id}/media` answers: a redirect to an outbound link, or Meta's bytes as a stream. */
export type MediaReply =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; body: Readable; contentType: string; contentLength: number | null; filename: string | null };

/**
 * Meta's short-lived download URLs, per account and media id, in this process's memory (bounded, oldest
 * first out). A URL is no secret on its own (the download needs the token) but is never logged or answered.
 */
class MediaUrlCache {
  private readonly entries = new Map<string, { info: MetaMediaInfo; until: number }>();

  get(key: string): MetaMediaInfo | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.info;
  }

  set(key: string, info: MetaMediaInfo): void {
    this.entries.delete(key);
    this.entries.set(key, { info, until: Date.now() + MEDIA_URL_CACHE_TTL_MS });
    if (this.entries.size > MEDIA_URL_CACHE_SIZE) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Actions on one message of an account (spec 05 § Other message endpoints): mark an inbound message read at
 * Meta (optionally with the typing indicator), also through Meta's own read body on the send endpoint, and
 * stream a message's media from Meta. Meta is called outside any transaction; what its answer changes is
 * written after, in one transaction with its events.
 */
@Injectable()
export class MessageActionsService {
  private readonly urls = new MediaUrlCache();

  constructor(
    private readonly actions: MessageActionsRepository,
    private readonly meta: MetaMediaClient,
    private readonly events: EventWriter,
    private readonly crypto: CryptoService,
  ) {}

  // --------------------------------------------------------------------------------- mark as read

  /** `POST …/messages/{id}/read {typing_indicator?}`. */
  async markRead(scope: TenantScope, phoneNumberId: string, id: string, typingIndicator: boolean): Promise<MessageResource> {
    const target = await this.target(phoneNumberId, () => this.actions.findById(scope, phoneNumberId, id));
    if (!target.message) throw AppError.notFound('message', id);
    return this.read(scope, target, target.message, typingIndicator, 'id');
  }

  /** Meta's read body `{messaging_product?, status: "read", message_id: <wamid>, typing_indicator?}` posted to the send endpoint. */
  async markReadByMetaBody(scope: TenantScope, phoneNumberId: string, body: unknown): Promise<MessageResource> {
    assertPhoneNumberId(phoneNumberId);
    const request = parseSendRequest(body);
    if (request.kind !== 'mark_read')
      throw AppError.invalid('status', "A body with 'status' marks a message read: 'status' must be \"read\".");
    const target = await this.target(phoneNumberId, () => this.actions.findByWamid(scope, phoneNumberId, request.messageId));
    if (!target.message) throw AppError.notFound('message with wamid', request.messageId);
    return this.read(scope, target, target.message, request.typingIndicator, 'message_id');
  }

  /**
   * An inbound message `received` → Meta's mark-as-read, then `read` (with the earlier ones of its
   * conversation) and `message.read` per message changed. Already `read` → no Meta call, unless the typing
   * indicator is asked for (an action of its own: Meta gets the read body with it, nothing changes here).
   */
  private async read(
    scope: TenantScope,
    target: ActionTarget,
    message: Message,
    typingIndicator: boolean,
    param: string,
  ): Promise<MessageResource> {
    if (message.direction !== 'inbound') {
      throw AppError.invalid(param, 'Only an inbound message can be marked read: this message is outbound.');
    }
    const alreadyRead = message.status === 'read';
    if (alreadyRead && !typingIndicator) return toMessageResource(message);
    if (message.wamid === null) throw new AppError('internal_error', `Inbound message ${message.id} has no wamid.`);
    const token = this.token(target);
    try {
      await this.meta.markRead(token, target.account.phoneNumberId, message.wamid, typingIndicator);
    } catch (error) {
      throw upstream(error, 'mark the message read');
    }
    if (alreadyRead) return toMessageResource(message);
    return this.recordRead(scope, message, new Date());
  }

  @Transactional()
  private async recordRead(scope: TenantScope, message: Message, at: Date): Promise<MessageResource> {
    const { changed } = await this.actions.markReadUpTo(message, at);
    for (const m of changed) await this.events.append('message.read', messageEventScope(m), { message: toMessageResource(m) });
    const own = changed.find((m) => m.id === message.id);
    if (own) return toMessageResource(own);
    // Marked read by a concurrent call between our read and this write: answer it as it is now.
    const now = await this.actions.findById(scope, message.phoneNumberId, message.id);
    return toMessageResource(now?.message ?? message);
  }

  // ------------------------------------------------------------------------------------------ media

  /**
   * `GET …/messages/{id}/media`: an outbound message by link → a redirect to it; a message with a Meta
   * media id (inbound, or outbound by id) → `GET /{media_id}` (URL cached for a few minutes) and the
   * download streamed. A download that answers expired (401/403/404) drops the cached URL and is tried
   * once more with a new one. No media → 404; Meta failing → 502.
   */
  async media(scope: TenantScope, phoneNumberId: string, id: string): Promise<MediaReply> {
    const target = await this.target(phoneNumberId, () => this.actions.findById(scope, phoneNumberId, id));
    const message = target.message;
    if (!message) throw AppError.notFound('message', id);
    const payload = MEDIA_TYPES.has(message.type) ? message.content[message.type] : undefined;
    const media = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : null;
    const link = typeof media?.['link'] === 'string' ? media['link'] : null;
    const mediaId = typeof media?.['id'] === 'string' ? media['id'] : null;
    if (link !== null && (message.direction === 'outbound' || mediaId === null)) return { kind: 'redirect', url: link };
    if (mediaId === null) throw new AppError('resource_not_found', `Message ${id} has no media (type '${message.type}').`);

    const token = this.token(target);
    const key = `${target.account.id}:${mediaId}`;
    const filename = message.type === 'document' && typeof media?.['filename'] === 'string' ? media['filename'] : null;
    const storedType = typeof media?.['mime_type'] === 'string' ? media['mime_type'] : null;
    for (let attempt = 1; attempt <= 2; attempt++) {
      let info = this.urls.get(key);
      if (!info) {
        try {
          info = await this.meta.mediaInfo(token, mediaId);
        } catch (error) {
          throw upstream(error, 'find the media');
        }
        this.urls.set(key, info);
      }
      let download;
      try {
        download = await this.meta.download(token, info.url, mediaId);
      } catch (error) {
        throw upstream(error, 'download the media');
      }
      if (download.ok) {
        return {
          kind: 'stream',
          body: download.body,
          contentType: download.contentType ?? info.mimeType ?? storedType ?? 'application/octet-stream',
          contentLength: download.contentLength ?? info.fileSize,
          filename,
        };
      }
      this.urls.delete(key);
    }
    throw new AppError('whatsapp_upstream_error', "Meta's media download answered 'not valid' twice, with a fresh URL too.");
  }

  // --------------------------------------------------------------------------------------- shared

  private async target(phoneNumberId: string, find: () => Promise<ActionTarget | null>): Promise<ActionTarget> {
    assertPhoneNumberId(phoneNumberId);
    const target = await find();
    if (!target) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    return target;
  }

  /** The account's business token; only a connected account has one Meta takes. */
  private token(target: ActionTarget): string {
    const status = target.account.status;
    if (status !== 'approved' && status !== 'restricted') {
      throw new AppError('account_not_connected', `This account is ${status}: reconnect it to reach Meta.`);
    }
    return this.crypto.open(target.businessTokenCiphertext);
  }
}

/** A failed Meta call as the API answers it: 502, Meta's code named, nothing secret. */
function upstream(error: unknown, what: string): AppError {
  if (!(error instanceof MetaApiError))
    return error instanceof AppError ? error : new AppError('internal_error', 'Unexpected failure.', { cause: error });
  const detail = error.code !== null ? `Meta error ${error.code}` : error.kind === 'graph' ? `HTTP ${error.httpStatus ?? '?'}` : error.kind;
  return new AppError('whatsapp_upstream_error', `Meta failed to ${what} (${detail}).`, { cause: error });
}
