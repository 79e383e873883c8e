import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { MessageResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal, RawResponse } from '@kirim/platform';
import { MessageActionsService } from '../application/message-actions.service';
import { MessagesService } from '../application/messages.service';
import { ListMessagesQueryDto, MarkReadDto, MessageDto, SEND_BODY_SCHEMA } from './messages.dto';

/** Meta's mark-as-read body (`{status: "read", message_id, …}`) posted to the send endpoint, told apart as the send parser does. */
function isMetaReadBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && (body as Record<string, unknown>)['status'] !== undefined;
}

/** `Content-Disposition` for a document's filename: an ASCII fallback and the exact name (RFC 6266 / 5987). */
function attachment(filename: string): string {
  const clean =
    [...filename]
      .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
      .join('')
      .trim() || 'file';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

@ApiTags('messages')
@Controller('v1/:phone_number_id/messages')
export class MessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly actions: MessageActionsService,
  ) {}

  /**
   * The body is the exact JSON the body reader parsed; the send service validates it with Meta's limits.
   * Meta's own mark-as-read body is answered here instead (200 with the message), before the send service.
   */
  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      "Send a message (Meta Cloud API body); answers 202 with the message `pending`, emits `message.created`. Meta's mark-as-read body " +
      '(`{messaging_product?, status: "read", message_id: <wamid>, typing_indicator?: {type: "text"}}`) marks that inbound message read instead: 200 with the message.',
  })
  @ApiBody({ schema: SEND_BODY_SCHEMA })
  @ApiData(MessageDto, { status: 202 })
  @ApiData(MessageDto, { status: 200 })
  send(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MessageResource> {
    if (isMetaReadBody(body)) {
      reply.status(200);
      return this.actions.markReadByMetaBody(principal, phoneNumberId, body);
    }
    return this.messages.send(principal, phoneNumberId, body);
  }

  @Get()
  @ApiOperation({ summary: "List the account's messages, newest first." })
  @ApiData(MessageDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Query() query: ListMessagesQueryDto,
  ): Promise<Page<MessageResource>> {
    return this.messages.list(principal, phoneNumberId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a message.' })
  @ApiData(MessageDto)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('msg')) id: string,
  ): Promise<MessageResource> {
    return this.messages.get(principal, phoneNumberId, id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Mark an inbound message read at Meta (and the earlier ones of its conversation), optionally showing the typing indicator; ' +
      'emits `message.read` per message marked. Already read → 200 without calling Meta (unless `typing_indicator`). Outbound → 400; Meta failing → 502.',
  })
  @ApiData(MessageDto)
  read(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('msg')) id: string,
    @Body() body: MarkReadDto,
  ): Promise<MessageResource> {
    return this.actions.markRead(principal, phoneNumberId, id, body?.typing_indicator === true);
  }

  @Get(':id/media')
  @RawResponse()
  @ApiOperation({
    summary:
      "Stream the media of an image, video, audio, document or sticker message: inbound (and outbound by Meta media id) fetched from Meta with the account's token; outbound by link → 302 to the link. 404 when the message has none; 502 when Meta fails.",
  })
  @ApiProduces('application/octet-stream')
  @ApiResponse({
    status: 200,
    description: "The media's bytes, with Meta's Content-Type (and Content-Disposition for a document's filename).",
  })
  @ApiResponse({ status: 302, description: 'Outbound media sent by link: the link, in Location.' })
  async media(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('msg')) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile | undefined> {
    const media = await this.actions.media(principal, phoneNumberId, id);
    if (media.kind === 'redirect') {
      reply.status(302).header('location', media.url);
      return undefined;
    }
    reply.header('cache-control', 'private, no-store');
    return new StreamableFile(media.body, {
      type: media.contentType,
      ...(media.contentLength !== null && { length: media.contentLength }),
      ...(media.filename !== null && { disposition: attachment(media.filename) }),
    });
  }
}
