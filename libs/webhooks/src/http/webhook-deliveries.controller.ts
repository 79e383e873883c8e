import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WebhookDeliveryResource } from '@kirim/contracts';
import { OrganizationScopeOnly } from '@kirim/identity';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { DeliveriesService } from '../application/deliveries.service';
import { BulkReplayDto, BulkReplayResultDto, ListWebhookDeliveriesQueryDto, WebhookDeliveryDto } from './webhooks.dto';

@ApiTags('webhooks')
@OrganizationScopeOnly()
@Controller('v1/webhook_deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @ApiOperation({ summary: 'List webhook deliveries, newest first (kept 30 days).' })
  @ApiData(WebhookDeliveryDto, { list: true })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListWebhookDeliveriesQueryDto): Promise<Page<WebhookDeliveryResource>> {
    return this.deliveries.list(principal, query);
  }

  @Post('bulk_replay')
  @HttpCode(201)
  @ApiOperation({ summary: "Replay a subscription's failed deliveries (at most 1,000 a call; `capped` says more remain)." })
  @ApiData(BulkReplayResultDto, { status: 201 })
  bulkReplay(@CurrentPrincipal() principal: Principal, @Body() body: BulkReplayDto): Promise<{ enqueued: number; capped: boolean }> {
    return this.deliveries.bulkReplay(principal, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a webhook delivery with its attempts.' })
  @ApiData(WebhookDeliveryDto)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wbd')) id: string): Promise<WebhookDeliveryResource> {
    return this.deliveries.get(principal, id);
  }

  @Post(':id/replay')
  @HttpCode(201)
  @ApiOperation({ summary: 'Send the event of a delivery again, as a new delivery (`replayed_from`).' })
  @ApiData(WebhookDeliveryDto, { status: 201 })
  replay(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wbd')) id: string): Promise<WebhookDeliveryResource> {
    return this.deliveries.replay(principal, id);
  }
}
