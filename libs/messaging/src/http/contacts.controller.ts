import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ContactResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, type HttpReply, IdParam, type Page, type Principal } from '@kirim/platform';
import { ContactsService } from '../application/contacts.service';
import {
  AttachLabelDto,
  BulkLabelDto,
  BulkLabelResultDto,
  ContactDto,
  CreateContactDto,
  ListContactsQueryDto,
  UpdateContactDto,
} from './contacts.dto';

@ApiTags('contacts')
@Controller('v1/:phone_number_id/contacts')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get()
  @ApiOperation({ summary: "List the account's contacts, newest first." })
  @ApiData(ContactDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Query() query: ListContactsQueryDto,
  ): Promise<Page<ContactResource>> {
    return this.contacts.list(principal, phoneNumberId, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a contact (201, emits `contact.created`); a number that already has one answers 200 with it, unchanged.',
  })
  @ApiData(ContactDto, { status: 201 })
  @ApiData(ContactDto, { status: 200 })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Body() body: CreateContactDto,
    @Res({ passthrough: true }) reply: HttpReply,
  ): Promise<ContactResource> {
    const { contact, created } = await this.contacts.create(principal, phoneNumberId, {
      phoneNumber: body.phone_number,
      name: body.name,
      email: body.email,
      metadata: body.metadata,
    });
    if (!created) reply.status(200);
    return contact;
  }

  /** Before `:id` so that the static segment wins. */
  @Post('bulk_label')
  @HttpCode(200)
  @ApiOperation({ summary: 'Attach a label to, or detach it from, up to 1,000 contacts in one transaction.' })
  @ApiData(BulkLabelResultDto)
  bulkLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Body() body: BulkLabelDto,
  ): Promise<{ applied: number; skipped: number }> {
    return this.contacts.bulkLabel(principal, phoneNumberId, {
      contactIds: body.contact_ids,
      labelId: body.label_id,
      operation: body.operation,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a contact.' })
  @ApiData(ContactDto)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('ctc')) id: string,
  ): Promise<ContactResource> {
    return this.contacts.get(principal, phoneNumberId, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Update name, email, metadata; emits `contact.updated` when anything changed.' })
  @ApiData(ContactDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('ctc')) id: string,
    @Body() body: UpdateContactDto,
  ): Promise<ContactResource> {
    return this.contacts.update(principal, phoneNumberId, id, body);
  }

  @Post(':id/labels')
  @HttpCode(200)
  @ApiOperation({ summary: "Attach a label of the account's team (idempotent); emits `contact.updated` when it was not attached." })
  @ApiData(ContactDto)
  attachLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('ctc')) id: string,
    @Body() body: AttachLabelDto,
  ): Promise<ContactResource> {
    return this.contacts.attachLabel(principal, phoneNumberId, id, body.label_id);
  }

  @Delete(':id/labels/:label_id')
  @ApiOperation({ summary: 'Detach a label (idempotent); emits `contact.updated` when it was attached.' })
  @ApiData(ContactDto)
  detachLabel(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('ctc')) id: string,
    @Param('label_id', IdParam('lbl', 'label_id')) labelId: string,
  ): Promise<ContactResource> {
    return this.contacts.detachLabel(principal, phoneNumberId, id, labelId);
  }
}
