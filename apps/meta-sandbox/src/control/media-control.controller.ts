import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, UsePipes } from '@nestjs/common';
import { IsBoolean, IsIn, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { stringParam } from '../common/request-context';
import { MAX_MEDIA_BYTES, type MediaObject, MediaStore, mediaKind, view } from '../state/media-store';
import { SandboxState, StateError } from '../state/sandbox-state';
import { InboundInjector } from '../webhooks/inbound-injector';
import { validation } from './validation';

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaMessageType = (typeof MEDIA_TYPES)[number];

export class MediaSettingsDto {
  /** Life of the download URLs that `GET /{media_id}` hands out from now on (default 300). */
  @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(86_400) url_lifetime_seconds!: number;
}

export class InjectMediaMessageDto {
  @IsString() @Matches(/^\+?[\d\s().-]{8,20}$/, { message: "from must be the user's phone number" }) from!: string;
  /** Default: the media's kind (image/jpeg → image, application/pdf → document, …). */
  @IsOptional() @IsIn(MEDIA_TYPES) type?: MediaMessageType;
  @IsOptional() @IsString() @MaxLength(1024) caption?: string;
  /** Documents: default the stored media's filename. */
  @IsOptional() @IsString() @MaxLength(240) filename?: string;
  @IsOptional() @IsString() @MaxLength(256) profile_name?: string;
  @IsOptional() @IsBoolean() voice?: boolean;
  @IsOptional() @IsBoolean() animated?: boolean;
  @IsOptional() @IsBoolean() wait?: boolean;
}

/** The sha256 of a webhook's media object: base64 of the digest (Meta's inbound payloads), where `GET /{media_id}` answers hex. */
function base64Sha256(media: MediaObject): string {
  return Buffer.from(media.sha256, 'hex').toString('base64');
}

/** Reads a raw request body (no body parser took it), refusing more than `max` bytes. */
async function rawBody(req: Request, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new StateError('invalid', `the media is larger than ${max} bytes (Meta's largest limit, documents)`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function mediaView(media: MediaObject) {
  return { ...view(media), sha256_base64: base64Sha256(media) };
}

/**
 * The media half of the control API: put media with known bytes (what an inbound message refers to),
 * read and forget media, set the life of download URLs, expire every URL now, and inject an inbound
 * message that refers to a stored media id.
 */
@Controller('_sandbox/media')
@UsePipes(validation)
export class MediaControlController {
  constructor(
    private readonly media: MediaStore,
    private readonly state: SandboxState,
    private readonly injector: InboundInjector,
  ) {}

  /**
   * `POST /_sandbox/media?phone_number_id&mime_type&filename?` with the bytes as the body (any content type
   * but JSON and form, e.g. `application/octet-stream`), or JSON `{phone_number_id, mime_type, data_base64,
   * filename?}`. Up to 100 MB and the type's limit (reference §3.5).
   */
  @Post()
  async put(@Req() req: Request, @Query() query: Record<string, unknown>) {
    const json = req.body !== undefined && req.body !== null && typeof req.body === 'object' && !Buffer.isBuffer(req.body);
    const source = json ? (req.body as Record<string, unknown>) : query;
    const phoneNumberId = stringParam(source, 'phone_number_id');
    if (!phoneNumberId) throw new StateError('invalid', 'phone_number_id is required');
    const phone = this.state.requirePhoneNumber(phoneNumberId);
    const mimeType = stringParam(source, 'mime_type');
    if (!mimeType || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(mimeType)) throw new StateError('invalid', 'mime_type must be a MIME type');
    let bytes: Buffer;
    if (json) {
      const data = stringParam(source, 'data_base64');
      if (data === undefined) throw new StateError('invalid', 'data_base64 is required with a JSON body (or send the bytes as the body)');
      bytes = Buffer.from(data, 'base64');
    } else {
      bytes = await rawBody(req, MAX_MEDIA_BYTES);
    }
    if (bytes.length === 0) throw new StateError('invalid', 'the media is empty');
    const max = mediaKind(mimeType)?.max ?? MAX_MEDIA_BYTES;
    if (bytes.length > max) throw new StateError('invalid', `a ${mimeType} is at most ${max} bytes at Meta (got ${bytes.length})`);
    const media = this.media.add({
      phone_number_id: phone.id,
      waba_id: phone.waba_id,
      mime_type: mimeType,
      bytes,
      filename: stringParam(source, 'filename') ?? null,
      origin: 'inbound',
    });
    return mediaView(media);
  }

  @Get()
  list(@Query() query: Record<string, unknown>) {
    return {
      data: this.media
        .list(stringParam(query, 'phone_number_id'))
        .map((m) => ({ ...m, sha256_base64: Buffer.from(m.sha256, 'hex').toString('base64') })),
      url_lifetime_seconds: this.media.lifetimeMs / 1000,
    };
  }

  @Put('settings')
  settings(@Body() body: MediaSettingsDto) {
    this.media.setUrlLifetime(Math.round(body.url_lifetime_seconds * 1000));
    return { url_lifetime_seconds: this.media.lifetimeMs / 1000 };
  }

  /** Every download URL handed out so far answers 404 from now on (as after its 5 minutes). */
  @Post('expire_urls')
  @HttpCode(200)
  expireUrls() {
    return { expired: this.media.expireUrls() };
  }

  @Delete()
  clear() {
    return { deleted: this.media.clear() };
  }

  @Get(':id')
  one(@Param('id') id: string) {
    return mediaView(this.require(id));
  }

  @Delete(':id')
  remove(@Param('id') id: string) {
    if (!this.media.delete(id)) throw new StateError('not_found', `media ${id} does not exist`);
    return { success: true };
  }

  /**
   * An inbound message of the media's number that carries this media (`{type: {id, mime_type, sha256,
   * caption?, filename?}}`, as Meta's webhooks do), posted like `POST /_sandbox/webhooks/inbound`.
   */
  @Post(':id/inbound')
  async inbound(@Param('id') id: string, @Body() body: InjectMediaMessageDto) {
    const media = this.require(id);
    const kind = mediaKind(media.mime_type)?.kind;
    const type: MediaMessageType =
      body.type ?? ((MEDIA_TYPES as readonly string[]).includes(kind ?? '') ? (kind as MediaMessageType) : 'document');
    const payload: Record<string, unknown> = { id: media.id, mime_type: media.mime_type, sha256: base64Sha256(media) };
    if (body.caption !== undefined && type !== 'audio' && type !== 'sticker') payload['caption'] = body.caption;
    const filename = body.filename ?? media.filename;
    if (type === 'document' && filename) payload['filename'] = filename;
    if (type === 'audio' && body.voice !== undefined) payload['voice'] = body.voice;
    if (type === 'sticker' && body.animated !== undefined) payload['animated'] = body.animated;
    return this.injector.injectMessages(
      media.phone_number_id,
      [{ from: body.from, type, [type]: payload, ...(body.profile_name !== undefined && { profile_name: body.profile_name }) }],
      { wait: body.wait },
    );
  }

  private require(id: string): MediaObject {
    const media = this.media.get(id);
    if (!media) throw new StateError('not_found', `media ${id} does not exist (or has expired, or its number is gone)`);
    return media;
  }
}
