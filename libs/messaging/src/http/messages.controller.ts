import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { MessageResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { MessagesService } from '../application/messages.service';
import { ListMessagesQueryDto, MessageDto, SEND_BODY_SCHEMA } from './messages.dto';

@ApiTags('messages')
@Controller('v1/:phone_number_id/messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /** The body is the exact JSON the body reader parsed; the send service validates it with Meta's limits. */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a message (Meta Cloud API body); answers 202 with the message `pending`, emits `message.created`.' })
  @ApiBody({ schema: SEND_BODY_SCHEMA })
  @ApiData(MessageDto, { status: 202 })
  send(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Body() body: unknown,
  ): Promise<MessageResource> {
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
}
