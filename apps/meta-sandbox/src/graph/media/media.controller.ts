import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ArgumentsHost,
  Body,
  Catch,
  type ExceptionFilter,
  Get,
  HttpCode,
  Param,
  PayloadTooLargeException,
  Post,
  Query,
  Res,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { Response } from 'express';
import { contextOf, type SandboxRequest, stringParam } from '../../common/request-context';
import { MAX_MEDIA_BYTES, MediaStore, mediaKind, MEDIA_KINDS } from '../../state/media-store';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, Principal } from '../core/graph-endpoint';
import { GraphError, GraphErrors } from '../core/graph-error';

/** What multer's memory storage hands over for the `file` part. */
interface UploadedPart {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** Bytes per write of a download (the body streams in chunks, as a CDN's does). */
const CHUNK = 64 * 1024;

const ALL_TYPES = MEDIA_KINDS.flatMap((k) => k.types).join(', ');

export function uploadTooLarge(details: string): GraphError {
  return GraphError.fromCode(131053, { details });
}

/** A file over the largest limit (100 MB) is cut off by multer: Meta's upload error, not a bare 413. */
@Catch(PayloadTooLargeException)
export class UploadTooLargeFilter implements ExceptionFilter {
  catch(_exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<SandboxRequest>();
    const res = host.switchToHttp().getResponse<Response>();
    const error = uploadTooLarge(`The file is larger than the largest media size Meta accepts (${MAX_MEDIA_BYTES} bytes, documents).`);
    res.status(error.status).json(error.toBody(contextOf(req).traceId));
  }
}

/**
 * Media (reference §3.5): `POST /{phone_number_id}/media` (multipart `messaging_product`, `file`, `type`)
 * → `{id}`, and the download URL that `GET /{media_id}` hands out (MediaNode): it needs the token like
 * Meta's lookaside URL, expires (5 minutes by default, `PUT /_sandbox/media/settings`), and streams the bytes.
 */
@GraphController()
export class MediaController {
  constructor(
    private readonly access: GraphAccess,
    private readonly media: MediaStore,
  ) {}

  @Post(':id/media')
  @HttpCode(200)
  @GraphEndpoint('media', { auth: 'token' })
  @UseFilters(UploadTooLargeFilter)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_MEDIA_BYTES, files: 1 } }))
  upload(
    @Param('id') id: string,
    @Body() body: unknown,
    @UploadedFile() file: UploadedPart | undefined,
    @Principal() principal: GraphPrincipal,
  ): { id: string } {
    const phone = this.access.phoneNumber(principal, id, { method: 'POST', edge: 'media' });
    const product = stringParam(body, 'messaging_product');
    if (product === undefined) throw GraphErrors.missingParameter('messaging_product');
    if (product !== 'whatsapp') throw GraphErrors.invalidParameter('Param messaging_product must be "whatsapp".');
    if (!file) throw GraphErrors.missingParameter('file');
    const type = stringParam(body, 'type') ?? file.mimetype;
    const kind = mediaKind(type);
    if (!kind) {
      throw uploadTooLarge(`Param file must be a file with one of the following types: ${ALL_TYPES}. Received file of type '${type}'.`);
    }
    if (file.size > kind.max) throw uploadTooLarge(`The ${kind.kind} is ${file.size} bytes: the limit is ${kind.max} bytes.`);
    if (file.size === 0) throw GraphErrors.invalidParameter('Param file must not be empty.');
    const stored = this.media.add({
      phone_number_id: phone.id,
      waba_id: phone.waba_id,
      mime_type: type,
      bytes: file.buffer,
      filename: file.originalname || null,
      origin: 'upload',
    });
    return { id: stored.id };
  }

  /**
   * `GET <url>` of `GET /{media_id}`: with a token that may read the media's number, before the URL
   * expires; else 404 (an unknown, expired or tampered URL), 401 (no token) or 403 (another business).
   */
  @Get('whatsapp_business/attachments')
  @GraphEndpoint('media_download', { auth: 'token' })
  async download(@Query() query: Record<string, unknown>, @Principal() principal: GraphPrincipal, @Res() res: Response): Promise<void> {
    const mediaId = stringParam(query, 'mid') ?? '';
    const found = this.media.resolveUrl(mediaId, stringParam(query, 'hash') ?? '');
    if (!found.ok) {
      throw new GraphError(100, 'Invalid parameter', {
        status: 404,
        details:
          found.reason === 'expired'
            ? 'The media URL has expired: retrieve a new one with GET /{media_id}.'
            : found.reason === 'media_gone'
              ? 'The media was deleted or has expired.'
              : 'The media URL is not valid.',
      });
    }
    const media = found.media;
    this.access.phoneNumber(principal, media.phone_number_id, { method: 'GET' });
    res.status(200);
    res.setHeader('content-type', media.mime_type);
    res.setHeader('content-length', String(media.file_size));
    res.setHeader('cache-control', 'private, max-age=0');
    const bytes = media.bytes;
    await pipeline(
      Readable.from(
        (function* chunks() {
          for (let at = 0; at < bytes.length; at += CHUNK) yield bytes.subarray(at, at + CHUNK);
        })(),
      ),
      res,
    ).catch(() => {
      // The client went away mid-download: nothing left to answer.
    });
  }
}
