import { Body, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { Clock } from '../../common/clock';
import { stringParam } from '../../common/request-context';
import { SandboxState } from '../../state/sandbox-state';
import { project, selectFields } from '../core/fields';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, GraphVersion, Principal } from '../core/graph-endpoint';
import { GraphErrors } from '../core/graph-error';
import { type Page, paginate } from '../core/paging';
import { PHONE_NUMBER_LIST_FIELDS, phoneNumberValues } from '../phone-numbers/phone-number.view';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** WABA edges: `phone_numbers` and `subscribed_apps` (reference §2.3 step 2, §2.4). */
@GraphController()
export class WabasController {
  constructor(
    private readonly state: SandboxState,
    private readonly access: GraphAccess,
    private readonly clock: Clock,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** `GET /{waba_id}/phone_numbers?fields&limit&after&before&sort` → a cursor-paged list. */
  @Get(':id/phone_numbers')
  @GraphEndpoint('phone_numbers', { auth: 'token' })
  phoneNumbers(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Principal() principal: GraphPrincipal,
    @GraphVersion() version: string | null,
  ): Page<Record<string, unknown> & { id: string }> {
    const waba = this.access.waba(principal, id, { method: 'GET', edge: 'phone_numbers' });
    const fields = selectFields(stringParam(query, 'fields'), PHONE_NUMBER_LIST_FIELDS);
    const sort = stringParam(query, 'sort');
    if (sort !== undefined && !/^(creation_time|last_onboarded_time)\.(asc|desc)$/.test(sort)) {
      throw GraphErrors.invalidParameter('sort must be creation_time.asc|desc or last_onboarded_time.asc|desc.');
    }
    const [key = 'creation_time', direction = 'asc'] = (sort ?? 'creation_time.asc').split('.');
    const numbers = this.state
      .listPhoneNumbers(waba.id)
      .map((phone, index) => ({ phone, index }))
      .sort((a, b) => {
        const value = (p: typeof a) => (key === 'last_onboarded_time' ? (p.phone.last_onboarded_time ?? 0) : p.phone.created_at);
        const order = value(a) - value(b) || a.index - b.index;
        return direction === 'desc' ? -order : order;
      })
      .map(({ phone }) => project(phoneNumberValues(phone, waba, this.config.appId), fields) as Record<string, unknown> & { id: string });
    return paginate(numbers, query, (params) => {
      const url = new URL(`${this.config.publicUrl}/${version ?? this.config.defaultGraphVersion}/${waba.id}/phone_numbers`);
      for (const name of ['access_token', 'fields', 'sort']) {
        const value = stringParam(query, name);
        if (value !== undefined) url.searchParams.set(name, value);
      }
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.toString();
    });
  }

  /** `POST /{waba_id}/subscribed_apps` with no body, or `{override_callback_uri, verify_token}`. */
  @Post(':id/subscribed_apps')
  @HttpCode(200)
  @GraphEndpoint('subscribed_apps', { auth: 'token' })
  subscribe(@Param('id') id: string, @Body() body: unknown, @Principal() principal: GraphPrincipal): { success: true } {
    const waba = this.access.waba(principal, id, { method: 'POST', edge: 'subscribed_apps' });
    const override = stringParam(body, 'override_callback_uri');
    const verifyToken = stringParam(body, 'verify_token');
    if (override !== undefined && !isHttpUrl(override)) {
      throw GraphErrors.invalidParameter('override_callback_uri must be a valid URL.');
    }
    if ((override === undefined) !== (verifyToken === undefined)) {
      throw GraphErrors.invalidParameter('override_callback_uri and verify_token must be given together.');
    }
    const appId = principal.kind === 'business' ? principal.token.app_id : principal.app_id;
    waba.subscriptions.set(appId, {
      app_id: appId,
      override_callback_uri: override ?? null,
      verify_token: verifyToken ?? null,
      subscribed_at: this.clock.now(),
    });
    return { success: true };
  }

  /** `GET /{waba_id}/subscribed_apps` → `{data: [{whatsapp_business_api_data: {id, name, link}, override_callback_uri?}]}`. */
  @Get(':id/subscribed_apps')
  @GraphEndpoint('subscribed_apps', { auth: 'token' })
  subscriptions(@Param('id') id: string, @Principal() principal: GraphPrincipal): { data: Record<string, unknown>[] } {
    const waba = this.access.waba(principal, id, { method: 'GET', edge: 'subscribed_apps' });
    return {
      data: [...waba.subscriptions.values()].map((s) => ({
        whatsapp_business_api_data: {
          id: s.app_id,
          name: s.app_id === this.config.appId ? this.config.appName : s.app_id,
          link: `https://www.facebook.com/games/?app_id=${encodeURIComponent(s.app_id)}`,
        },
        ...(s.override_callback_uri !== null && { override_callback_uri: s.override_callback_uri }),
      })),
    };
  }

  /** `DELETE /{waba_id}/subscribed_apps` → `{success: true}` (also when the app was not subscribed). */
  @Delete(':id/subscribed_apps')
  @GraphEndpoint('subscribed_apps', { auth: 'token' })
  unsubscribe(@Param('id') id: string, @Principal() principal: GraphPrincipal): { success: true } {
    const waba = this.access.waba(principal, id, { method: 'DELETE', edge: 'subscribed_apps' });
    waba.subscriptions.delete(principal.kind === 'business' ? principal.token.app_id : principal.app_id);
    return { success: true };
  }
}
