import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, UsePipes } from '@nestjs/common';
import { stringParam } from '../common/request-context';
import { MessageStore } from '../state/message-store';
import type { StatusBehaviour } from '../state/messaging-model';
import { MessagingSettings } from '../state/messaging-settings';
import { SandboxState, StateError } from '../state/sandbox-state';
import { TemplateStore } from '../state/template-store';
import { ThroughputLimiter } from '../state/throughput-limiter';
import { InboundInjector } from '../webhooks/inbound-injector';
import { StatusScheduler } from '../webhooks/status-scheduler';
import { WebhookSender } from '../webhooks/webhook-sender';
import {
  AccountUpdateDto,
  ChangeDto,
  CreateTemplateDto,
  DrainDto,
  InjectInboundDto,
  InjectStatusDto,
  MessagingBehaviourDto,
  RawWebhookDto,
  StatusBehaviourDto,
  TemplateStatusDto,
  ThroughputDto,
  UpdateTemplateDto,
  WebhookSettingsDto,
} from './messaging.dto';
import { validation } from './validation';
import { templateView } from './views';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function readLimit(query: Record<string, unknown>): number | undefined {
  const raw = stringParam(query, 'limit');
  const limit = raw === undefined ? undefined : Number(raw);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new StateError('invalid', 'limit must be a positive integer');
  return limit;
}

function readSince(query: Record<string, unknown>): string | undefined {
  const since = stringParam(query, 'since');
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw new StateError('invalid', 'since must be an ISO date-time');
  return since;
}

/**
 * The messaging half of the control API: what the sandbox received (sends, mark-as-read), templates,
 * status-webhook, throughput and send-rule behaviour, the webhook callback and its delivery log, and
 * injection of inbound messages and other webhooks.
 */
@Controller('_sandbox')
@UsePipes(validation)
export class MessagingControlController {
  constructor(
    private readonly state: SandboxState,
    private readonly store: MessageStore,
    private readonly settings: MessagingSettings,
    private readonly templates: TemplateStore,
    private readonly limiter: ThroughputLimiter,
    private readonly scheduler: StatusScheduler,
    private readonly sender: WebhookSender,
    private readonly injector: InboundInjector,
  ) {}

  // ---------------------------------------------------------------------------------- messages

  /** Sends accepted and inbound messages injected, oldest first; filters direction, phone_number_id, wa_id, type, since, limit. */
  @Get('messages')
  listMessages(@Query() query: Record<string, unknown>) {
    const direction = stringParam(query, 'direction');
    if (direction !== undefined && direction !== 'outbound' && direction !== 'inbound') {
      throw new StateError('invalid', 'direction must be outbound or inbound');
    }
    return {
      data: this.store.list({
        direction,
        phone_number_id: stringParam(query, 'phone_number_id'),
        wa_id: stringParam(query, 'wa_id')?.replace(/\D/g, ''),
        type: stringParam(query, 'type'),
        since: readSince(query),
        limit: readLimit(query),
      }),
      totals: this.store.totals(),
    };
  }

  @Get('messages/:wamid')
  message(@Param('wamid') wamid: string) {
    const record = this.store.get(wamid);
    if (!record) throw new StateError('not_found', `message ${wamid} is not known (or was dropped for capacity)`);
    return record;
  }

  @Delete('messages')
  clearMessages() {
    this.store.reset();
    return { success: true };
  }

  /** One more status webhook for a sent message (e.g. a late `read`, or `failed` with a code). */
  @Post('messages/:wamid/statuses')
  injectStatus(@Param('wamid') wamid: string, @Body() body: InjectStatusDto) {
    const message = this.store.outbound(wamid);
    if (!message) throw new StateError('not_found', `no send with wamid ${wamid}`);
    const phone = this.state.requirePhoneNumber(message.phone_number_id);
    if (body.status === 'failed' && body.error_code === undefined) throw new StateError('invalid', 'a failed status needs error_code');
    const failure = body.status === 'failed' ? { code: body.error_code ?? 0, title: body.message, details: body.details } : undefined;
    return this.scheduler.inject(message, phone, body.status, failure, body.delay_ms ?? 0);
  }

  @Get('read_marks')
  readMarks(@Query() query: Record<string, unknown>) {
    return { data: this.store.listReadMarks(stringParam(query, 'phone_number_id')) };
  }

  // --------------------------------------------------------------------------------- templates

  @Post('templates')
  createTemplate(@Body() body: CreateTemplateDto) {
    this.state.requireWaba(body.waba_id);
    return templateView(this.templates.add(body));
  }

  @Get('templates')
  listTemplates(@Query() query: Record<string, unknown>) {
    return { data: this.templates.list(stringParam(query, 'waba_id')).map(templateView) };
  }

  @Patch('templates/:id')
  async updateTemplate(@Param('id') id: string, @Body() body: UpdateTemplateDto) {
    const before = this.templates.require(id).status;
    const { notify, ...patch } = body;
    const template = this.templates.update(id, patch);
    const notified =
      notify && template.status !== before ? await this.injector.templateStatus({ template_id: id, event: template.status }) : undefined;
    return { ...templateView(template), ...(notified && { webhook: notified.delivery }) };
  }

  @Delete('templates/:id')
  removeTemplate(@Param('id') id: string) {
    if (!this.templates.remove(id)) throw new StateError('not_found', `template ${id} does not exist`);
    return { success: true };
  }

  // ----------------------------------------------------------------------- status behaviour

  @Get('status_behaviour')
  statusBehaviour(): StatusBehaviour & { phone_numbers: Record<string, StatusBehaviour> } {
    return { ...this.settings.statusBehaviour(), phone_numbers: this.settings.statusOverrides() };
  }

  /** Changes the given fields of the default status behaviour (numbers with their own keep it). */
  @Put('status_behaviour')
  setStatusBehaviour(@Body() body: StatusBehaviourDto): StatusBehaviour {
    return this.settings.setStatusBehaviour(body as Partial<StatusBehaviour>);
  }

  @Get('phone_numbers/:id/status_behaviour')
  numberStatusBehaviour(@Param('id') id: string): StatusBehaviour {
    this.state.requirePhoneNumber(id);
    return this.settings.statusBehaviour(id);
  }

  /** The number's own status behaviour: the default with these fields changed. */
  @Put('phone_numbers/:id/status_behaviour')
  setNumberStatusBehaviour(@Param('id') id: string, @Body() body: StatusBehaviourDto): StatusBehaviour {
    this.state.requirePhoneNumber(id);
    return this.settings.setStatusBehaviour(body as Partial<StatusBehaviour>, id);
  }

  @Delete('phone_numbers/:id/status_behaviour')
  clearNumberStatusBehaviour(@Param('id') id: string) {
    return { success: true, deleted: this.settings.clearStatusBehaviour(id) };
  }

  // ------------------------------------------------------------------------------- throughput

  @Get('throughput')
  throughput() {
    return { ...this.settings.throughput(), phone_numbers: this.settings.throughputOverrides(), last_second: this.limiter.usage() };
  }

  /** Default for every number without its own setting: `{enabled, mps}` (`mps: null` = by throughput level). */
  @Put('throughput')
  setThroughput(@Body() body: ThroughputDto) {
    return this.settings.setThroughput(body);
  }

  @Get('phone_numbers/:id/throughput')
  numberThroughput(@Param('id') id: string) {
    const phone = this.state.requirePhoneNumber(id);
    return { ...this.settings.throughput(id), throughput_level: phone.throughput_level };
  }

  @Put('phone_numbers/:id/throughput')
  setNumberThroughput(@Param('id') id: string, @Body() body: ThroughputDto) {
    this.state.requirePhoneNumber(id);
    return this.settings.setThroughput(body, id);
  }

  @Delete('phone_numbers/:id/throughput')
  clearNumberThroughput(@Param('id') id: string) {
    return { success: true, deleted: this.settings.clearThroughput(id) };
  }

  // ------------------------------------------------------------------------------- send rules

  @Get('messaging_behaviour')
  messagingBehaviour() {
    return this.settings.messaging;
  }

  @Put('messaging_behaviour')
  setMessagingBehaviour(@Body() body: MessagingBehaviourDto) {
    return this.settings.setMessaging(body);
  }

  /** Registers a number for Cloud API without the Graph call (fixtures that skip Kirim's onboarding). */
  @Post('phone_numbers/:id/register')
  @HttpCode(200)
  registerNumber(@Param('id') id: string) {
    const phone = this.state.requirePhoneNumber(id);
    this.state.register(phone, phone.pin ?? '000000', phone.data_localization_region);
    return { success: true, status: phone.status };
  }

  // --------------------------------------------------------------------------------- webhooks

  @Get('webhooks/settings')
  webhookSettings() {
    return this.settings.webhooks;
  }

  /** `callback_url` (null unsets it), `require_subscription`, timeouts, retries, batching, escaping. */
  @Put('webhooks/settings')
  setWebhookSettings(@Body() body: WebhookSettingsDto) {
    return this.settings.setWebhooks(body);
  }

  /** Webhooks posted (or recorded without a callback), oldest first; `include_body=true` adds the exact bytes. */
  @Get('webhooks/deliveries')
  deliveries(@Query() query: Record<string, unknown>) {
    const withBody = stringParam(query, 'include_body') === 'true';
    const data = this.sender
      .list({
        kind: stringParam(query, 'kind'),
        state: stringParam(query, 'state'),
        wamid: stringParam(query, 'wamid'),
        waba_id: stringParam(query, 'waba_id'),
        phone_number_id: stringParam(query, 'phone_number_id'),
        since: readSince(query),
        limit: readLimit(query),
      })
      .map(({ body, ...rest }) => (withBody ? { ...rest, body } : rest));
    return { data };
  }

  @Get('webhooks/deliveries/:id')
  delivery(@Param('id') id: string) {
    const delivery = this.sender.get(id);
    if (!delivery) throw new StateError('not_found', `delivery ${id} is not known`);
    return delivery;
  }

  @Delete('webhooks/deliveries')
  clearDeliveries() {
    this.sender.clearLog();
    return { success: true };
  }

  /** Inbound messages for a number, batched and signed, posted to its callback. */
  @Post('webhooks/inbound')
  inbound(@Body() body: InjectInboundDto) {
    return this.injector.injectMessages(body.phone_number_id, body.messages, body);
  }

  @Post('webhooks/template_status')
  templateStatus(@Body() body: TemplateStatusDto) {
    return this.injector.templateStatus(body);
  }

  @Post('webhooks/account_update')
  accountUpdate(@Body() body: AccountUpdateDto) {
    return this.injector.accountUpdate({
      waba_id: body.waba_id,
      event: body.event,
      entry_id: body.entry_id,
      wait: body.wait,
      ...body.value,
    });
  }

  /** Any other webhook field: `{waba_id, field, value}`. */
  @Post('webhooks/change')
  change(@Body() body: ChangeDto) {
    return this.injector.change(body);
  }

  @Post('webhooks/raw')
  raw(@Body() body: RawWebhookDto) {
    return this.injector.raw(body);
  }

  /** Waits until no status webhook is scheduled, queued, in flight or waiting for a retry (or the timeout). */
  @Post('webhooks/drain')
  @HttpCode(200)
  async drain(@Body() body: DrainDto) {
    const deadline = Date.now() + (body.timeout_ms ?? 10_000);
    const busy = () => this.scheduler.pending() + this.sender.backlog();
    while (busy() > 0 && Date.now() < deadline) await sleep(5);
    return { idle: busy() === 0, scheduled: this.scheduler.pending(), backlog: this.sender.backlog() };
  }
}
