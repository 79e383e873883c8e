import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiData, CurrentPrincipal, IdParam, ListQueryDto, type Page, type Principal } from '@kirim/platform';
import { ApiKeysService } from '../application/api-keys.service';
import type { ApiKeyResource, CreatedApiKey } from '../domain/resources';
import { OrganizationScopeOnly } from './api-key.guard';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto';

@ApiTags('api_keys')
@Controller('v1/api_keys')
@OrganizationScopeOnly()
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Get()
  @ApiOperation({ summary: 'List API keys (never their plaintext)' })
  @ApiData(ApiKeyDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListQueryDto): Promise<Page<ApiKeyResource>> {
    return this.apiKeys.list(principal.organizationId, query);
  }

  @Post()
  @ApiOperation({ summary: 'Create an API key; its plaintext is returned once, as `secret`' })
  @ApiData(CreatedApiKeyDto, { status: 201 })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateApiKeyDto): Promise<CreatedApiKey> {
    return this.apiKeys.create(principal.organizationId, {
      label: body.label,
      customerId: body.customer_id,
      expiresAt: body.expires_at === undefined ? undefined : new Date(body.expires_at),
    });
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key (a key may revoke itself)' })
  @ApiData(ApiKeyDto)
  revoke(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('key')) id: string): Promise<ApiKeyResource> {
    return this.apiKeys.revoke(principal.organizationId, id);
  }
}
