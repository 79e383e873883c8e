import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { WebhookDeliveryResource, WebhookSubscriptionResource } from '@kirim/contracts';
import { OrganizationScopeOnly } from '@kirim/identity';
import { ApiData, CurrentPrincipal, IdParam, type Page, type Principal } from '@kirim/platform';
import { DeliveriesService } from '../application/deliveries.service';
import { type SubscriptionWithSecret, SubscriptionsService } from '../application/subscriptions.service';
import {
  CreateWebhookSubscriptionDto,
  ListWebhookSubscriptionsQueryDto,
  RotateWebhookSecretDto,
  UpdateWebhookSubscriptionDto,
  WebhookDeliveryDto,
  WebhookSubscriptionDto,
  WebhookSubscriptionWithSecretDto,
} from './webhooks.dto';

@ApiTags('webhooks')
@OrganizationScopeOnly()
@Controller('v1/webhook_subscriptions')
export class WebhookSubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the organization's webhook subscriptions, newest first." })
  @ApiData(WebhookSubscriptionDto, { list: true })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListWebhookSubscriptionsQueryDto,
  ): Promise<Page<WebhookSubscriptionResource>> {
    return this.subscriptions.list(principal, {
      status: query.status,
      customerId: query.customer_id,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a webhook subscription; its signing secret (`whsec_…`) is shown once, here.' })
  @ApiData(WebhookSubscriptionWithSecretDto, { status: 201 })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateWebhookSubscriptionDto): Promise<SubscriptionWithSecret> {
    return this.subscriptions.create(principal, {
      url: body.url,
      events: body.events,
      description: body.description,
      customerId: body.customer_id,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Retrieve a webhook subscription.' })
  @ApiData(WebhookSubscriptionDto)
  get(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wbs')) id: string): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.get(principal, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change url, events, description or status (active / paused; re-enabling a disabled one resets its failures).' })
  @ApiData(WebhookSubscriptionDto)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('wbs')) id: string,
    @Body() body: UpdateWebhookSubscriptionDto,
  ): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.update(principal, id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook subscription with its secrets and deliveries.' })
  @ApiData(WebhookSubscriptionDto)
  delete(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wbs')) id: string): Promise<WebhookSubscriptionResource> {
    return this.subscriptions.delete(principal, id);
  }

  @Post(':id/secrets')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Rotate the signing secret: a new one (shown once); the current ones keep signing for expire_current_in_hours.',
  })
  @ApiData(WebhookSubscriptionWithSecretDto, { status: 201 })
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('wbs')) id: string,
    @Body() body: RotateWebhookSecretDto,
  ): Promise<SubscriptionWithSecret> {
    return this.subscriptions.rotateSecret(principal, id, body.expire_current_in_hours);
  }

  @Post(':id/test')
  @HttpCode(201)
  @ApiOperation({ summary: 'Send a `webhook.test` event now (one attempt) and answer its delivery.' })
  @ApiData(WebhookDeliveryDto, { status: 201 })
  test(@CurrentPrincipal() principal: Principal, @Param('id', IdParam('wbs')) id: string): Promise<WebhookDeliveryResource> {
    return this.deliveries.test(principal, id);
  }
}
