import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TemplateResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { type SyncResult, TemplatesService } from '../application/templates.service';
import { CreateTemplateDto, ListTemplatesQueryDto, TemplateDto, TemplateSyncDto } from './templates.dto';

@ApiTags('templates')
@Controller('v1/:phone_number_id/templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @ApiOperation({ summary: "List the account's templates, newest first (deleted ones only with `status=deleted`)." })
  @ApiData(TemplateDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Query() query: ListTemplatesQueryDto,
  ): Promise<Page<TemplateResource>> {
    return this.templates.list(principal, phoneNumberId, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Create a template at Meta (checked first); stored `pending` until Meta's review webhook." })
  @ApiData(TemplateDto, { status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Body() body: CreateTemplateDto,
  ): Promise<TemplateResource> {
    return this.templates.create(principal, phoneNumberId, body);
  }

  @Post('sync')
  @HttpCode(200)
  @ApiOperation({ summary: "Pull every template of the account's WABA from Meta and reconcile; `{created, updated, unchanged}`." })
  @ApiData(TemplateSyncDto)
  sync(@CurrentPrincipal() principal: Principal, @Param('phone_number_id') phoneNumberId: string): Promise<SyncResult> {
    return this.templates.sync(principal, phoneNumberId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a template.' })
  @ApiData(TemplateDto)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('tmpl')) id: string,
  ): Promise<TemplateResource> {
    return this.templates.get(principal, phoneNumberId, id);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete the template at Meta (this language only), then mark it `deleted`; emits `template.status_updated`.' })
  @ApiData(TemplateDto)
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('phone_number_id') phoneNumberId: string,
    @Param('id', IdParam('tmpl')) id: string,
  ): Promise<TemplateResource> {
    return this.templates.delete(principal, phoneNumberId, id);
  }
}
