import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CustomerSetupLinkResource } from '@kirim/contracts';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { type CreatedSetupLink, SetupLinksService } from '../application/setup-links.service';
import { CreatedSetupLinkDto, CreateSetupLinkDto, ListSetupLinksQueryDto, SetupLinkDto, UpdateSetupLinkDto } from './setup-links.dto';

@ApiTags('customers')
@Controller('v1/customers/:id/setup_links')
export class SetupLinksController {
  constructor(private readonly setupLinks: SetupLinksService) {}

  @Get()
  @ApiOperation({ summary: "The customer's setup links: newest first, at most the 50 most recent." })
  @ApiData(SetupLinkDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('cus')) customerId: string,
    @Query() query: ListSetupLinksQueryDto,
  ): Promise<Page<CustomerSetupLinkResource>> {
    return this.setupLinks.list(principal, customerId, query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a setup link (revokes earlier active ones); `setup_url` is shown only here. Emits `customer.setup_link.created`.',
  })
  @ApiData(CreatedSetupLinkDto, { status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('cus')) customerId: string,
    @Body() body: CreateSetupLinkDto,
  ): Promise<CreatedSetupLink> {
    return this.setupLinks.create(principal, customerId, {
      expiresInHours: body.expires_in_hours,
      successRedirectUrl: body.success_redirect_url,
      failureRedirectUrl: body.failure_redirect_url,
    });
  }

  @Patch(':link_id')
  @ApiOperation({ summary: 'Change the redirect URLs of an active link.' })
  @ApiData(SetupLinkDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('cus')) customerId: string,
    @Param('link_id', IdParam('csl', 'link_id')) linkId: string,
    @Body() body: UpdateSetupLinkDto,
  ): Promise<CustomerSetupLinkResource> {
    return this.setupLinks.update(principal, customerId, linkId, {
      successRedirectUrl: body.success_redirect_url,
      failureRedirectUrl: body.failure_redirect_url,
    });
  }

  @Delete(':link_id')
  @ApiOperation({ summary: 'Revoke an active link.' })
  @ApiData(SetupLinkDto)
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('cus')) customerId: string,
    @Param('link_id', IdParam('csl', 'link_id')) linkId: string,
  ): Promise<CustomerSetupLinkResource> {
    return this.setupLinks.revoke(principal, customerId, linkId);
  }
}
