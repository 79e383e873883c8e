import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { graphId, opaque } from '../common/ids';
import { SandboxState } from './sandbox-state';

/** Download URLs live this long by default (reference §3.5: "valid 5 minutes"). */
export const DEFAULT_URL_LIFETIME_MS = 5 * 60_000;
/** Media ids of uploads live 30 days, those of inbound (injected) media 7 days (reference §3.5). */
export const UPLOAD_LIFETIME_MS = 30 * 24 * 3_600_000;
export const INBOUND_LIFETIME_MS = 7 * 24 * 3_600_000;
/** The most bytes the sandbox keeps in memory; the oldest media go first beyond it. */
export const MEDIA_STORE_CAPACITY_BYTES = 1024 * 1024 * 1024;

/** Meta's size limits by MIME type (reference §3.5); anything else is a document (100 MB). */
const MB = 1024 * 1024;
export const MEDIA_KINDS: readonly { kind: string; max: number; types: readonly string[] }[] = [
  { kind: 'audio', max: 16 * MB, types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'] },
  { kind: 'image', max: 5 * MB, types: ['image/jpeg', 'image/png'] },
  { kind: 'sticker', max: 500 * 1024, types: ['image/webp'] },
  { kind: 'video', max: 16 * MB, types: ['video/mp4', 'video/3gpp'] },
  {
    kind: 'document',
    max: 100 * MB,
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/octet-stream',
    ],
  },
];
export const MAX_MEDIA_BYTES = 100 * MB;

/** The kind and size limit of a MIME type (parameters such as `; codecs=opus` ignored), or undefined when Meta refuses it. */
export function mediaKind(mimeType: string): { kind: string; max: number } | undefined {
  const base = mimeType.split(';')[0]?.trim().toLowerCase() ?? '';
  const found = MEDIA_KINDS.find((k) => k.types.includes(base));
  return found && { kind: found.kind, max: found.max };
}

export interface MediaObject {
  id: string;
  phone_number_id: string;
  waba_id: string;
  mime_type: string;
  /** Lowercase hex SHA-256 of the bytes (as `GET /{media_id}` answers it). */
  sha256: string;
  file_size: number;
  filename: string | null;
  /** `upload` (POST /{phone_number_id}/media) or `inbound` (put through the control API for injected messages). */
  origin: 'upload' | 'inbound';
  created_at: string;
  expires_at: string;
  bytes: Buffer;
}

export type MediaView = Omit<MediaObject, 'bytes'>;

export interface NewMedia {
  phone_number_id: string;
  waba_id: string;
  mime_type: string;
  bytes: Buffer;
  filename?: string | null;
  origin: MediaObject['origin'];
}

interface IssuedUrl {
  media_id: string;
  expires_at: number;
}

export type UrlLookup = { ok: true; media: MediaObject } | { ok: false; reason: 'unknown' | 'expired' | 'media_gone' };

/**
 * Media objects in memory (ids are Graph ids, never reused), and the short-lived download URLs issued
 * for them by `GET /{media_id}`. Media of a phone number that no longer exists (after a reset) read as
 * gone and are dropped on the next write.
 */
@Injectable()
export class MediaStore {
  private readonly media = new Map<string, MediaObject>();
  private readonly urls = new Map<string, IssuedUrl>();
  private readonly usedIds = new Set<string>();
  private bytes = 0;
  private urlLifetimeMs = DEFAULT_URL_LIFETIME_MS;

  constructor(
    private readonly clock: Clock,
    private readonly state: SandboxState,
  ) {}

  add(input: NewMedia): MediaObject {
    this.prune();
    let id = graphId();
    while (this.usedIds.has(id) || this.state.getPhoneNumber(id) || this.state.getWaba(id)) id = graphId();
    this.usedIds.add(id);
    const now = this.clock.now();
    const media: MediaObject = {
      id,
      phone_number_id: input.phone_number_id,
      waba_id: input.waba_id,
      mime_type: input.mime_type,
      sha256: createHash('sha256').update(input.bytes).digest('hex'),
      file_size: input.bytes.length,
      filename: input.filename ?? null,
      origin: input.origin,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + (input.origin === 'upload' ? UPLOAD_LIFETIME_MS : INBOUND_LIFETIME_MS)).toISOString(),
      bytes: input.bytes,
    };
    this.media.set(id, media);
    this.bytes += media.file_size;
    while (this.bytes > MEDIA_STORE_CAPACITY_BYTES && this.media.size > 1) {
      const oldest = this.media.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return media;
  }

  /** A live media object (not deleted, not expired, its number still known). */
  get(id: string): MediaObject | undefined {
    const media = this.media.get(id);
    if (!media) return undefined;
    if (Date.parse(media.expires_at) <= this.clock.now() || !this.state.getPhoneNumber(media.phone_number_id)) return undefined;
    return media;
  }

  delete(id: string): boolean {
    const media = this.media.get(id);
    if (!media) return false;
    this.media.delete(id);
    this.bytes -= media.file_size;
    for (const [hash, url] of this.urls) if (url.media_id === id) this.urls.delete(hash);
    return true;
  }

  list(phoneNumberId?: string): MediaView[] {
    return [...this.media.values()]
      .filter((m) => this.get(m.id) && (phoneNumberId === undefined || m.phone_number_id === phoneNumberId))
      .map(view);
  }

  /** Forget every media object and URL (ids stay unused). */
  clear(): number {
    const count = this.media.size;
    this.media.clear();
    this.urls.clear();
    this.bytes = 0;
    return count;
  }

  // ---------------------------------------------------------------------------------- URLs

  get lifetimeMs(): number {
    return this.urlLifetimeMs;
  }

  setUrlLifetime(ms: number): void {
    this.urlLifetimeMs = ms;
  }

  /** A new download URL's key (the `hash` parameter) and expiry for a media object. */
  issueUrl(media: MediaObject): { hash: string; expires_at: number } {
    const now = this.clock.now();
    for (const [key, url] of this.urls) if (url.expires_at <= now) this.urls.delete(key);
    const hash = opaque('', 24);
    const expiresAt = now + this.urlLifetimeMs;
    this.urls.set(hash, { media_id: media.id, expires_at: expiresAt });
    return { hash, expires_at: expiresAt };
  }

  resolveUrl(mediaId: string, hash: string): UrlLookup {
    const url = this.urls.get(hash);
    if (!url || url.media_id !== mediaId) return { ok: false, reason: 'unknown' };
    if (url.expires_at <= this.clock.now()) return { ok: false, reason: 'expired' };
    const media = this.get(mediaId);
    return media ? { ok: true, media } : { ok: false, reason: 'media_gone' };
  }

  /** Every URL issued so far stops working now; returns how many were live. */
  expireUrls(): number {
    const now = this.clock.now();
    let live = 0;
    for (const url of this.urls.values()) {
      if (url.expires_at > now) live++;
      url.expires_at = now;
    }
    return live;
  }

  private prune(): void {
    for (const media of [...this.media.values()]) if (!this.get(media.id)) this.delete(media.id);
  }
}

export function view(media: MediaObject): MediaView {
  const { bytes: _bytes, ...rest } = media;
  return rest;
}
