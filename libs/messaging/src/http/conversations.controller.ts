import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ConversationResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { ConversationsService } from '../application/conversations.service';
import { AttachLabelDto } from './contacts.dto';
import { ConversationDto, ListConversationsQueryDto, UpdateConversationDto } from './conversations.dto';

@ApiTags('conversations')
@Controller('v1/:phone_number_id/conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: "List the account's conversations, newest `last_message_at` first (none last)." })
  @ApiData(ConversationDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Query() query: ListConversationsQueryDto,
  ): Promise<Page<ConversationResource>> {
    return this.conversations.list(principal, phoneNumberId, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a conversation.' })
  @ApiData(ConversationDto)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('cnv')) id: string,
  ): Promise<ConversationResource> {
    return this.conversations.get(principal, phoneNumberId, id);
  }

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change `status` and/or `assignee_id`; emits `conversation.updated`, plus `conversation.assigned` (a new assignee) and `conversation.resolved`.',
  })
  @ApiData(ConversationDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('cnv')) id: string,
    @Body() body: UpdateConversationDto,
  ): Promise<ConversationResource> {
    return this.conversations.update(principal, phoneNumberId, id, { status: body.status, assigneeId: body.assignee_id });
  }

  @Post(':id/labels')
  @HttpCode(200)
  @ApiOperation({ summary: "Attach a label of the account's team (idempotent); emits `conversation.updated` when it was not attached." })
  @ApiData(ConversationDto)
  attachLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('cnv')) id: string,
    @Body() body: AttachLabelDto,
  ): Promise<ConversationResource> {
    return this.conversations.attachLabel(principal, phoneNumberId, id, body.label_id);
  }

  @Delete(':id/labels/:label_id')
  @ApiOperation({ summary: 'Detach a label (idempotent); emits `conversation.updated` when it was attached.' })
  @ApiData(ConversationDto)
  detachLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('cnv')) id: string,
    @Param('label_id', IdParam('lbl', 'label_id')) labelId: string,
  ): Promise<ConversationResource> {
    return this.conversations.detachLabel(principal, phoneNumberId, id, labelId);
  }
}
