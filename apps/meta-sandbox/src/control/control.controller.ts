import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, UsePipes } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { stringParam } from '../common/request-context';
import { type Fault, FaultStore } from '../state/fault-store';
import { MessageStore } from '../state/message-store';
import { MessagingSettings } from '../state/messaging-settings';
import { TemplateStore } from '../state/template-store';
import { ThroughputLimiter } from '../state/throughput-limiter';
import { StatusScheduler } from '../webhooks/status-scheduler';
import { WebhookSender } from '../webhooks/webhook-sender';
import { RequestLog, type RequestLogEntry } from '../state/request-log';
import { SandboxState, StateError } from '../state/sandbox-state';
import type { SignupBehaviour } from '../state/model';
import {
  CreateBusinessDto,
  CreateCodeDto,
  CreateFaultDto,
  CreatePhoneNumberDto,
  CreateTokenDto,
  CreateWabaDto,
  PhoneNumberAttributesDto,
  SignupBehaviourDto,
  SignupFixtureDto,
  TokenRefDto,
} from './control.dto';
import { validation } from './validation';
import { businessView, codeView, phoneNumberView, templateView, tokenView, wabaView } from './views';

/**
 * The control API (`/_sandbox/…`, JSON, no auth): set up the world, mint codes and tokens, arm faults,
 * read what the sandbox received, reset. Development and tests only, like the whole sandbox.
 */
@Controller('_sandbox')
@UsePipes(validation)
export class ControlController {
  constructor(
    private readonly state: SandboxState,
    private readonly faults: FaultStore,
    private readonly requests: RequestLog,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
    private readonly messages: MessageStore,
    private readonly messaging: MessagingSettings,
    private readonly templates: TemplateStore,
    private readonly limiter: ThroughputLimiter,
    private readonly scheduler: StatusScheduler,
    private readonly sender: WebhookSender,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok' };
  }

  /** What a client needs to point at the sandbox (never the app secret). */
  @Get('config')
  configuration() {
    return {
      app_id: this.config.appId,
      config_id: this.config.configId,
      public_url: this.config.publicUrl,
      graph_url: this.config.publicUrl,
      default_graph_version: this.config.defaultGraphVersion,
      sdk_url: `${this.config.publicUrl}/sdk.js`,
      signup_origin: this.config.publicUrl,
    };
  }

  /** Everything the sandbox holds (tokens by their last four characters). */
  @Get('state')
  snapshot() {
    return {
      businesses: this.state.listBusinesses().map(businessView),
      wabas: this.state.listWabas().map(wabaView),
      phone_numbers: this.state.listPhoneNumbers().map(phoneNumberView),
      tokens: this.state.listTokens().map(tokenView),
      faults: this.faults.list(),
      signup_behaviour: this.state.signupBehaviour,
      templates: this.templates.list().map(templateView),
      messages: this.messages.totals(),
      webhooks: { callback_url: this.messaging.webhooks.callback_url, backlog: this.sender.backlog() + this.scheduler.pending() },
    };
  }

  /**
   * Forgets everything: businesses, WABAs, numbers, codes, tokens, faults, the request log, messages,
   * templates, scheduled and queued webhooks, the delivery log; every behaviour setting is back to its default.
   */
  @Post('reset')
  @HttpCode(200)
  reset() {
    this.scheduler.reset();
    this.sender.reset();
    this.state.reset();
    this.faults.clear();
    this.requests.clear();
    this.messages.reset();
    this.templates.reset();
    this.messaging.reset();
    this.limiter.reset();
    return { success: true };
  }

  // ------------------------------------------------------------------------------- the world

  @Post('businesses')
  createBusiness(@Body() body: CreateBusinessDto) {
    return businessView(this.state.createBusiness(body));
  }

  @Post('wabas')
  createWaba(@Body() body: CreateWabaDto) {
    return wabaView(this.state.createWaba(body));
  }

  @Post('phone_numbers')
  createPhoneNumber(@Body() body: CreatePhoneNumberDto) {
    return phoneNumberView(this.state.createPhoneNumber(body));
  }

  /** Changes a number as Meta would over time (quality rating, name status, throughput, tier…). */
  @Patch('phone_numbers/:id')
  updatePhoneNumber(@Param('id') id: string, @Body() body: PhoneNumberAttributesDto) {
    return phoneNumberView(this.state.updatePhoneNumber(id, body));
  }

  /** A business, a WABA and a number in one call (what a customer ends up with after signup); `code: true` also mints a code. */
  @Post('signup_fixtures')
  signupFixture(@Body() body: SignupFixtureDto) {
    const business = body.business_id
      ? this.state.requireBusiness(body.business_id)
      : this.state.createBusiness({ name: body.business_name });
    const waba = this.state.createWaba({ business_id: business.id, name: body.waba_name });
    const phone = this.state.createPhoneNumber({
      waba_id: waba.id,
      display_phone_number: body.display_phone_number,
      verified_name: body.verified_name,
    });
    const code = body.code
      ? this.state.issueCode({ app_id: this.config.appId, business_id: business.id, waba_id: waba.id, phone_number_id: phone.id })
      : undefined;
    return {
      business: businessView(business),
      waba: wabaView(waba),
      phone_number: phoneNumberView(phone),
      ...(code && { code: codeView(code).code, code_expires_at: codeView(code).expires_at }),
    };
  }

  // ------------------------------------------------------------------------- codes and tokens

  /** Mints an Embedded Signup code without the browser (API-level tests). */
  @Post('codes')
  createCode(@Body() body: CreateCodeDto) {
    const code = this.state.issueCode({
      app_id: this.config.appId,
      waba_id: body.waba_id,
      business_id: body.business_id,
      phone_number_id: body.phone_number_id ?? null,
      token_ttl_ms: body.token_expires_in_seconds === undefined ? null : body.token_expires_in_seconds * 1000,
    });
    return codeView(code);
  }

  /** Mints a business token directly (skipping the code exchange). */
  @Post('tokens')
  createToken(@Body() body: CreateTokenDto) {
    const token = this.state.issueToken({
      app_id: this.config.appId,
      waba_ids: body.waba_ids,
      business_id: body.business_id,
      ttl_ms: body.expires_in_seconds === undefined ? null : body.expires_in_seconds * 1000,
    });
    return { access_token: token.token, ...tokenView(token) };
  }

  /** The token now fails with 190 (subcode 458), as when the customer removes the app. */
  @Post('tokens/revoke')
  @HttpCode(200)
  revokeToken(@Body() body: TokenRefDto) {
    return { success: true, token: tokenView(this.state.revokeToken(this.tokenOf(body))) };
  }

  /** The token now fails with 190 (subcode 463, session expired). */
  @Post('tokens/expire')
  @HttpCode(200)
  expireToken(@Body() body: TokenRefDto) {
    return { success: true, token: tokenView(this.state.expireToken(this.tokenOf(body))) };
  }

  // -------------------------------------------------------------------------------- faults

  @Post('faults')
  addFault(@Body() body: CreateFaultDto): Fault {
    if ((body.async || body.recipient !== undefined || body.sent_first) && body.endpoint !== 'messages') {
      throw new StateError('invalid', 'async, sent_first and recipient apply to endpoint "messages" only');
    }
    if (body.async && body.error_code === undefined) throw new StateError('invalid', 'an async fault needs error_code');
    if (body.async && body.drop_connection) throw new StateError('invalid', 'an async fault cannot drop the connection');
    return this.faults.add(body);
  }

  @Get('faults')
  listFaults(): { data: Fault[] } {
    return { data: this.faults.list() };
  }

  @Delete('faults')
  clearFaults() {
    return { success: true, deleted: this.faults.clear() };
  }

  @Delete('faults/:id')
  removeFault(@Param('id') id: string) {
    if (!this.faults.remove(id)) throw new StateError('not_found', `fault ${id} does not exist`);
    return { success: true };
  }

  // ---------------------------------------------------------------------------- request log

  /** Requests received outside `/_sandbox`, oldest first; filters `path_contains`, `method`, `endpoint`, `since`, `limit`. */
  @Get('requests')
  listRequests(@Query() query: Record<string, unknown>): { data: RequestLogEntry[] } {
    const limitRaw = stringParam(query, 'limit');
    const limit = limitRaw === undefined ? undefined : Number(limitRaw);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new StateError('invalid', 'limit must be a positive integer');
    const since = stringParam(query, 'since');
    if (since !== undefined && Number.isNaN(Date.parse(since))) throw new StateError('invalid', 'since must be an ISO date-time');
    return {
      data: this.requests.list({
        path_contains: stringParam(query, 'path_contains'),
        method: stringParam(query, 'method'),
        endpoint: stringParam(query, 'endpoint'),
        since,
        limit,
      }),
    };
  }

  @Delete('requests')
  clearRequests() {
    this.requests.clear();
    return { success: true };
  }

  // ------------------------------------------------------------------------ signup behaviour

  @Get('signup_behaviour')
  signupBehaviour(): SignupBehaviour {
    return this.state.signupBehaviour;
  }

  /** How the popup hands over its results: `login_callback_first`, `login_callback_delay_ms`. */
  @Put('signup_behaviour')
  setSignupBehaviour(@Body() body: SignupBehaviourDto): SignupBehaviour {
    return this.state.setSignupBehaviour(body);
  }

  private tokenOf(body: TokenRefDto): string {
    const token = body.access_token ?? body.token;
    if (!token) throw new StateError('invalid', 'access_token is required');
    return token;
  }
}
