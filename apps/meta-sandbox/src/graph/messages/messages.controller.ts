import { Body, HttpCode, Param, Post, Req } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { wamid as newWamid } from '../../common/ids';
import { contextOf, type SandboxRequest } from '../../common/request-context';
import { FaultStore } from '../../state/fault-store';
import { MessageStore } from '../../state/message-store';
import type { OutboundMessage } from '../../state/messaging-model';
import { MessagingSettings } from '../../state/messaging-settings';
import type { PhoneNumber } from '../../state/model';
import { TemplateStore } from '../../state/template-store';
import { THROUGHPUT_BY_LEVEL, ThroughputLimiter } from '../../state/throughput-limiter';
import { type StatusFailure, StatusScheduler } from '../../webhooks/status-scheduler';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, Principal } from '../core/graph-endpoint';
import { GraphError, GraphErrors } from '../core/graph-error';
import { applyFault } from '../core/graph.guard';
import { type MessageRequest, validateMessageRequest } from './message-validation';
import { checkKnownTemplate } from './template-check';

export interface SendAnswer {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; group_id?: string }[];
}

/**
 * `POST /{phone_number_id}/messages` (reference §3): Meta's validation and error envelope, the
 * registration, template and throughput checks, then a wamid; the status webhooks follow on their own
 * (StatusScheduler), so the answer never waits for them. Also Meta's mark-as-read body.
 */
@GraphController()
export class MessagesController {
  constructor(
    private readonly access: GraphAccess,
    private readonly store: MessageStore,
    private readonly settings: MessagingSettings,
    private readonly templates: TemplateStore,
    private readonly limiter: ThroughputLimiter,
    private readonly faults: FaultStore,
    private readonly scheduler: StatusScheduler,
    private readonly clock: Clock,
  ) {}

  @Post(':id/messages')
  @HttpCode(200)
  @GraphEndpoint('messages', { auth: 'token' })
  async send(
    @Param('id') id: string,
    @Body() body: unknown,
    @Principal() principal: GraphPrincipal,
    @Req() req: SandboxRequest,
  ): Promise<SendAnswer | { success: true }> {
    const phone = this.access.phoneNumber(principal, id, { method: 'POST', edge: 'messages' });
    const rules = this.settings.messaging;
    if (rules.require_registration && !phone.registered) {
      throw GraphError.fromCode(133010, {
        details: 'The phone number is not registered on the Cloud API: register it first (POST /{phone_number_id}/register).',
      });
    }
    const request = validateMessageRequest(body);
    if (request.kind === 'read') return this.markRead(phone, request);

    if (request.recipient_type === 'individual' && request.wa_id === phone.digits) {
      throw GraphError.fromCode(131021, { details: 'The recipient phone number is the same as the sender phone number.' });
    }
    const category = this.pricingCategory(phone, request);

    const fault = this.faults.take('messages', 'POST', phone.id, { stage: 'send', recipient: request.wa_id });
    if (fault && !fault.async) await applyFault(fault, req);

    const throughput = this.settings.throughput(phone.id);
    if (throughput.enabled) {
      const cap = throughput.mps ?? THROUGHPUT_BY_LEVEL[phone.throughput_level];
      if (!this.limiter.take(phone.id, cap)) {
        throw GraphError.fromCode(130429, { subcode: 2494055, details: 'Cloud API message throughput has been reached.' });
      }
    }

    let failure: StatusFailure | undefined;
    if (fault?.async && fault.error_code !== undefined) {
      failure = { code: fault.error_code, title: fault.message, details: fault.details, sent_first: fault.sent_first };
    } else if (
      rules.enforce_service_window &&
      request.type !== 'template' &&
      request.type !== 'reaction' &&
      !this.store.windowOpen(phone.id, request.wa_id, rules.service_window_hours)
    ) {
      failure = { code: 131047 };
    }

    const wamid = newWamid(request.wa_id, 'outbound');
    const message: OutboundMessage = {
      direction: 'outbound',
      wamid,
      phone_number_id: phone.id,
      waba_id: phone.waba_id,
      to: request.to,
      wa_id: request.wa_id,
      recipient_type: request.recipient_type,
      type: request.type,
      body: body as Record<string, unknown>,
      received_at: new Date(contextOf(req).receivedAt).toISOString(),
      graph_version: contextOf(req).graph?.version ?? null,
      pricing_category: category,
      failure: failure ? { code: failure.code, reason: fault?.async ? `fault ${fault.id}` : 'customer service window closed' } : null,
      statuses: [],
    };
    this.store.add(message);
    this.scheduler.schedule(message, phone, failure);
    if (request.recipient_type === 'group') {
      return {
        messaging_product: 'whatsapp',
        contacts: [{ input: request.to, wa_id: request.wa_id }],
        messages: [{ id: wamid, group_id: request.wa_id }],
      };
    }
    return { messaging_product: 'whatsapp', contacts: [{ input: request.to, wa_id: request.wa_id }], messages: [{ id: wamid }] };
  }

  /** `{messaging_product, status: "read", message_id, typing_indicator?}` → `{success: true}`. */
  private markRead(phone: PhoneNumber, request: Extract<MessageRequest, { kind: 'read' }>): { success: true } {
    const inbound = this.store.inbound(request.message_id);
    // A message the sandbox knows that is not an inbound one of this number (another number's, or a send) is
    // refused as Meta refuses a wamid it cannot mark; an unknown wamid is accepted (tests seed messages directly).
    const known = this.store.get(request.message_id);
    if (known && (known.direction !== 'inbound' || known.phone_number_id !== phone.id)) {
      throw GraphErrors.invalidParameter(`Message ${request.message_id} is not a message received by phone number ${phone.id}.`);
    }
    this.store.addReadMark({
      message_id: request.message_id,
      phone_number_id: phone.id,
      typing_indicator: request.typing_indicator,
      known: inbound?.phone_number_id === phone.id,
      received_at: new Date(this.clock.now()).toISOString(),
    });
    return { success: true };
  }

  /** `pricing.category` of the status webhooks: the template's category, else a service message. */
  private pricingCategory(phone: PhoneNumber, request: Extract<MessageRequest, { kind: 'send' }>): string {
    if (!request.template) return 'service';
    const known = this.templates.list(phone.waba_id).filter((t) => t.name === request.template?.name);
    if (known.length === 0) {
      if (this.settings.messaging.unknown_templates === 'reject') {
        throw GraphError.fromCode(132001, {
          details: `template name (${request.template.name}) does not exist in ${request.template.language}`,
        });
      }
      return 'utility';
    }
    return checkKnownTemplate(request.template, known).category.toLowerCase();
  }
}
