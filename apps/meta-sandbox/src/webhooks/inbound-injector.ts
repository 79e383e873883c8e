import { Inject, Injectable } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { Clock } from '../common/clock';
import { graphId, wamid as newWamid } from '../common/ids';
import { hexDigest } from '../common/meta-json';
import { MessageStore } from '../state/message-store';
import type { InboundMessage, TemplateStatus } from '../state/messaging-model';
import type { PhoneNumber } from '../state/model';
import { phoneDigits, SandboxState, StateError } from '../state/sandbox-state';
import { TemplateStore } from '../state/template-store';
import { type EntryChange, messagesChange, unixSeconds, type WebhookChange, webhookEnvelope } from './webhook-payloads';
import { type DeliveryKind, type SignatureMode, type WebhookDelivery, WebhookSender } from './webhook-sender';

/** The inbound message types Meta sends in the `messages` field (reference §5.5). */
export const INBOUND_TYPES = [
  'text',
  'image',
  'video',
  'audio',
  'document',
  'sticker',
  'location',
  'contacts',
  'interactive',
  'button',
  'reaction',
  'order',
  'system',
  'unsupported',
  'unknown',
] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** One inbound message to inject: Meta's message object without what the sandbox fills in (id, timestamp, defaults). */
export interface InboundInput extends Json {
  from: string;
  type: string;
  /** The user's WhatsApp profile name (`contacts[].profile.name`); default `Sandbox User <last 4 digits>`. */
  profile_name?: string;
}

export interface InjectOptions {
  /** Changes per POST (1-1,000); default 1. */
  batch_size?: number;
  /** Messages per change (`value.messages` length, 1-1,000); default 1. */
  messages_per_change?: number;
  /** Wait for each POST's first attempt before answering (and post the batches in order); default true. */
  wait?: boolean;
  signature?: SignatureMode;
}

/** A delivery as injection calls report it (without the body). */
export interface DeliverySummary {
  id: string;
  state: WebhookDelivery['state'];
  url: string | null;
  http_status: number | null;
  error: string | null;
  attempts: number;
  change_count: number;
}

export function deliverySummary(d: WebhookDelivery): DeliverySummary {
  const last = d.attempts[d.attempts.length - 1];
  return {
    id: d.id,
    state: d.state,
    url: d.url,
    http_status: last?.http_status ?? null,
    error: last?.error ?? null,
    attempts: d.attempts.length,
    change_count: d.change_count,
  };
}

const MEDIA_MIME: Readonly<Record<string, string>> = {
  image: 'image/jpeg',
  video: 'video/mp4',
  audio: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

const UNSUPPORTED_ERROR = {
  code: 131051,
  title: 'Message type unknown',
  message: 'Message type unknown',
  error_data: { details: 'Message type is currently not supported.' },
};

const invalid = (index: number, message: string) => new StateError('invalid', `messages[${index}]: ${message}`);

/**
 * Builds and posts webhooks a test asks for: inbound messages of every type (batched as Meta may),
 * template status updates, account updates, any other field, and raw payloads.
 */
@Injectable()
export class InboundInjector {
  constructor(
    private readonly sender: WebhookSender,
    private readonly state: SandboxState,
    private readonly store: MessageStore,
    private readonly templates: TemplateStore,
    private readonly clock: Clock,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  // ------------------------------------------------------------------------------------ messages

  async injectMessages(
    phoneNumberId: string,
    inputs: readonly InboundInput[],
    options: InjectOptions = {},
  ): Promise<{
    messages: { wamid: string; from: string; type: string; delivery_id: string | null }[];
    deliveries: DeliverySummary[];
    payloads: unknown[];
  }> {
    const phone = this.state.requirePhoneNumber(phoneNumberId);
    const now = this.clock.now();
    const built = inputs.map((input, index) => this.buildMessage(input, index, phone, now));
    const perChange = options.messages_per_change ?? 1;
    const changes: { change: WebhookChange; items: typeof built }[] = [];
    for (let i = 0; i < built.length; i += perChange) {
      const items = built.slice(i, i + perChange);
      const contacts: Json[] = [];
      for (const { contact } of items) {
        if (contact && !contacts.some((c) => c['wa_id'] === contact['wa_id'])) contacts.push(contact);
      }
      changes.push({
        change: messagesChange(phone, { ...(contacts.length > 0 && { contacts }), messages: items.map((b) => b.message) }),
        items,
      });
    }
    const records: InboundMessage[] = built.map((b) => ({
      direction: 'inbound',
      wamid: b.message['id'] as string,
      phone_number_id: phone.id,
      waba_id: phone.waba_id,
      from: b.message['from'] as string,
      profile_name: ((b.contact?.['profile'] as Json | undefined)?.['name'] as string | undefined) ?? null,
      type: b.message['type'] as string,
      message: b.message,
      received_at: new Date(now).toISOString(),
      delivery_id: null,
    }));
    for (const record of records) this.store.add(record);

    const batchSize = options.batch_size ?? 1;
    const deliveries: WebhookDelivery[] = [];
    const payloads: unknown[] = [];
    for (let i = 0; i < changes.length; i += batchSize) {
      const batch = changes.slice(i, i + batchSize);
      const payload = webhookEnvelope(batch.map((c) => ({ waba_id: phone.waba_id, change: c.change })));
      const wamids = batch.flatMap((c) => c.items.map((b) => b.message['id'] as string));
      const { delivery, firstAttempt } = this.sender.deliver({
        kind: 'messages',
        payload,
        waba_id: phone.waba_id,
        fields: ['messages'],
        waba_ids: [phone.waba_id],
        phone_number_ids: [phone.id],
        wamids,
        change_count: batch.length,
        signature: options.signature,
      });
      for (const record of records) if (wamids.includes(record.wamid)) record.delivery_id = delivery.id;
      deliveries.push(delivery);
      payloads.push(payload);
      if (options.wait !== false) await firstAttempt;
    }
    return {
      messages: records.map((r) => ({ wamid: r.wamid, from: r.from, type: r.type, delivery_id: r.delivery_id })),
      deliveries: deliveries.map(deliverySummary),
      payloads,
    };
  }

  /** Meta's message object for one input, and its `contacts` entry (none for `system`). */
  private buildMessage(input: InboundInput, index: number, phone: PhoneNumber, now: number): { message: Json; contact: Json | null } {
    if (!isObject(input)) throw invalid(index, 'must be an object');
    const from = typeof input.from === 'string' || typeof input.from === 'number' ? phoneDigits(String(input.from)) : null;
    if (!from) throw invalid(index, "from must be the user's phone number (8-15 digits)");
    const type = input.type;
    if (typeof type !== 'string' || !(INBOUND_TYPES as readonly string[]).includes(type)) {
      throw invalid(index, `type must be one of ${INBOUND_TYPES.join(', ')} (inject anything else with POST /_sandbox/webhooks/raw)`);
    }
    const message: Json = {};
    if (input['context'] !== undefined) message['context'] = this.context(input['context'], index, phone);
    message['from'] = from;
    message['id'] = typeof input['id'] === 'string' && input['id'] ? input['id'] : newWamid(from, 'inbound');
    message['timestamp'] = String(input['timestamp'] ?? unixSeconds(now));
    message['type'] = type;
    const payload = this.payload(type, input, index);
    if (payload !== undefined) message[type] = payload;
    if (type === 'unsupported' || type === 'unknown') message['errors'] = input['errors'] ?? [UNSUPPORTED_ERROR];
    else if (input['errors'] !== undefined) message['errors'] = input['errors'];
    for (const extra of ['referral', 'group_id']) if (input[extra] !== undefined) message[extra] = input[extra];

    const name = typeof input.profile_name === 'string' ? input.profile_name : `Sandbox User ${from.slice(-4)}`;
    const contact: Json | null =
      type === 'system'
        ? null
        : {
            profile: { name },
            wa_id: from,
            ...(typeof input['identity_key_hash'] === 'string' && { identity_key_hash: input['identity_key_hash'] }),
          };
    return { message, contact };
  }

  private context(raw: unknown, index: number, phone: PhoneNumber): Json {
    if (!isObject(raw)) throw invalid(index, 'context must be an object {message_id, from?}');
    const id = raw['message_id'] ?? raw['id'];
    if (typeof id !== 'string' || id === '') throw invalid(index, 'context.message_id is required');
    return {
      from: typeof raw['from'] === 'string' ? raw['from'] : phone.digits,
      id,
      ...(raw['referred_product'] !== undefined && { referred_product: raw['referred_product'] }),
      ...(raw['forwarded'] !== undefined && { forwarded: raw['forwarded'] }),
      ...(raw['frequently_forwarded'] !== undefined && { frequently_forwarded: raw['frequently_forwarded'] }),
    };
  }

  /** The type's object, with Meta's fields filled in where the input leaves them out. */
  private payload(type: string, input: InboundInput, index: number): unknown {
    const raw = input[type];
    switch (type) {
      case 'text': {
        const body = typeof raw === 'string' ? raw : isObject(raw) ? raw['body'] : undefined;
        if (typeof body !== 'string') throw invalid(index, 'text needs a body: {text: {body}} or {text: "…"}');
        return { body };
      }
      case 'image':
      case 'video':
      case 'audio':
      case 'document':
      case 'sticker': {
        const media = raw === undefined ? {} : raw;
        if (!isObject(media)) throw invalid(index, `${type} must be an object`);
        const id = typeof media['id'] === 'string' ? media['id'] : graphId();
        const { id: _id, mime_type, sha256, ...rest } = media;
        return {
          ...rest,
          mime_type: typeof mime_type === 'string' ? mime_type : MEDIA_MIME[type],
          sha256: typeof sha256 === 'string' ? sha256 : Buffer.from(hexDigest(id), 'hex').toString('base64'),
          id,
          ...(type === 'audio' && rest['voice'] === undefined && { voice: false }),
          ...(type === 'sticker' && rest['animated'] === undefined && { animated: false }),
        };
      }
      case 'location': {
        if (!isObject(raw) || typeof raw['latitude'] !== 'number' || typeof raw['longitude'] !== 'number') {
          throw invalid(index, 'location needs numeric latitude and longitude');
        }
        return raw;
      }
      case 'contacts': {
        if (!Array.isArray(raw) || raw.length === 0) throw invalid(index, 'contacts must be a non-empty array of contact cards');
        return raw;
      }
      case 'interactive': {
        const sub = isObject(raw) ? raw['type'] : undefined;
        if (typeof sub !== 'string' || !isObject((raw as Json)[sub])) {
          throw invalid(index, 'interactive needs {type: "button_reply"|"list_reply"|"nfm_reply", <type>: {…}}');
        }
        return raw;
      }
      case 'button': {
        if (!isObject(raw) || typeof raw['payload'] !== 'string' || typeof raw['text'] !== 'string') {
          throw invalid(index, 'button needs {payload, text}');
        }
        return raw;
      }
      case 'reaction': {
        if (!isObject(raw) || typeof raw['message_id'] !== 'string') throw invalid(index, 'reaction needs {message_id, emoji?}');
        return raw;
      }
      case 'order': {
        if (!isObject(raw) || typeof raw['catalog_id'] !== 'string' || !Array.isArray(raw['product_items'])) {
          throw invalid(index, 'order needs {catalog_id, product_items: […], text?}');
        }
        return raw;
      }
      case 'system': {
        const system = raw === undefined ? {} : raw;
        if (!isObject(system)) throw invalid(index, 'system must be an object');
        return { body: `User ${input.from} changed their phone number`, type: 'user_changed_number', ...system };
      }
      default:
        // unsupported / unknown: Meta sends no object of the type, only errors (an explicit one is kept).
        return raw;
    }
  }

  // ------------------------------------------------------------------------------- other fields

  /** A `message_template_status_update` (reference §5.6); a known template's status follows the event. */
  async templateStatus(input: {
    waba_id?: string;
    template_id?: string;
    event: string;
    message_template_id?: string | number;
    message_template_name?: string;
    message_template_language?: string;
    reason?: string | null;
    message_template_category?: string;
    other_info?: unknown;
    rejection_info?: unknown;
    disable_info?: unknown;
    wait?: boolean;
  }): Promise<{ delivery: DeliverySummary; payload: unknown }> {
    const template = input.template_id === undefined ? undefined : this.templates.require(input.template_id);
    const wabaId = input.waba_id ?? template?.waba_id;
    if (!wabaId) throw new StateError('invalid', 'waba_id or template_id is required');
    const name = input.message_template_name ?? template?.name;
    const language = input.message_template_language ?? template?.language;
    if (!name || !language)
      throw new StateError('invalid', 'message_template_name and message_template_language are required (or a template_id)');
    const id = input.message_template_id ?? template?.id ?? graphId();
    if (template && (TEMPLATE_EVENTS_AS_STATUS as readonly string[]).includes(input.event)) {
      this.templates.update(template.id, { status: input.event as TemplateStatus });
    }
    const value: Json = {
      event: input.event,
      message_template_id: Number(id),
      message_template_name: name,
      message_template_language: language,
      reason: input.reason === undefined ? (input.event === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE') : input.reason,
      ...((input.message_template_category ?? template?.category) && {
        message_template_category: input.message_template_category ?? template?.category,
      }),
      ...(input.other_info !== undefined && { other_info: input.other_info }),
      ...(input.rejection_info !== undefined && { rejection_info: input.rejection_info }),
      ...(input.disable_info !== undefined && { disable_info: input.disable_info }),
    };
    return this.postChange(
      'template_status',
      { waba_id: wabaId, change: { field: 'message_template_status_update', value }, time: unixSeconds(this.clock.now()) },
      input.wait,
    );
  }

  /** An `account_update`: `{event, …fields}` (e.g. PARTNER_APP_INSTALLED gets a `waba_info`). */
  async accountUpdate(input: {
    waba_id: string;
    event: string;
    entry_id?: string;
    wait?: boolean;
    [field: string]: unknown;
  }): Promise<{ delivery: DeliverySummary; payload: unknown }> {
    const { waba_id, event, entry_id, wait, ...fields } = input;
    const waba = this.state.getWaba(waba_id);
    const value: Json = { event, ...fields };
    if (event === 'PARTNER_APP_INSTALLED' && value['waba_info'] === undefined) {
      value['waba_info'] = { waba_id, owner_business_id: waba?.business_id ?? '', partner_app_id: this.config.appId };
    }
    return this.postChange(
      'account_update',
      { waba_id: entry_id ?? waba_id, change: { field: 'account_update', value }, time: unixSeconds(this.clock.now()) },
      wait,
      waba_id,
    );
  }

  /** Any other field (`phone_number_quality_update`, `account_alerts`, `security`, …). */
  async change(input: {
    waba_id: string;
    field: string;
    value: unknown;
    time?: number;
    wait?: boolean;
  }): Promise<{ delivery: DeliverySummary; payload: unknown }> {
    return this.postChange(
      'change',
      { waba_id: input.waba_id, change: { field: input.field, value: input.value }, time: input.time ?? unixSeconds(this.clock.now()) },
      input.wait,
    );
  }

  /** Exact bytes or any JSON, to the callback (or `url`), signed as asked: unknown numbers, groups, broken payloads. */
  async raw(input: {
    payload?: unknown;
    body?: string;
    url?: string;
    waba_id?: string;
    signature?: SignatureMode;
    wait?: boolean;
  }): Promise<{ delivery: DeliverySummary; payload: unknown }> {
    if ((input.payload === undefined) === (input.body === undefined))
      throw new StateError('invalid', 'give exactly one of payload (JSON) or body (exact bytes)');
    const payload = input.payload as { entry?: { id?: unknown }[] } | undefined;
    const entryIds = Array.isArray(payload?.entry) ? payload.entry.map((e) => String(e?.id ?? '')).filter(Boolean) : [];
    const { delivery, firstAttempt } = this.sender.deliver({
      kind: 'raw',
      ...(input.body !== undefined ? { rawBody: input.body } : { payload: input.payload }),
      ...(input.url !== undefined && { url: input.url }),
      waba_id: input.waba_id ?? entryIds[0],
      fields: [],
      waba_ids: entryIds,
      change_count: 0,
      signature: input.signature,
    });
    if (input.wait !== false) await firstAttempt;
    return { delivery: deliverySummary(delivery), payload: delivery.payload };
  }

  private async postChange(kind: DeliveryKind, change: EntryChange, wait: boolean | undefined, routeWabaId = change.waba_id) {
    const payload = webhookEnvelope([change]);
    const { delivery, firstAttempt } = this.sender.deliver({
      kind,
      payload,
      waba_id: routeWabaId,
      fields: [change.change.field],
      waba_ids: [change.waba_id],
      change_count: 1,
    });
    if (wait !== false) await firstAttempt;
    return { delivery: deliverySummary(delivery), payload };
  }
}

/** `message_template_status_update` events that are also the template's new status. */
const TEMPLATE_EVENTS_AS_STATUS = [
  'APPROVED',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'PENDING',
  'PENDING_DELETION',
  'DELETED',
  'REINSTATED',
  'FLAGGED',
  'IN_APPEAL',
  'LIMIT_EXCEEDED',
  'LOCKED',
  'ARCHIVED',
] as const;
