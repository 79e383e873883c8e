import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Clock } from '../common/clock';
import { hexDigest } from '../common/meta-json';
import { GRAPH_ERROR_CATALOGUE } from '../graph/core/graph-error';
import { MessagingSettings } from '../state/messaging-settings';
import type { OutboundMessage, StatusName, StatusRecord, StatusStep } from '../state/messaging-model';
import type { PhoneNumber } from '../state/model';
import { messagesChange, unixSeconds, webhookError } from './webhook-payloads';
import { WebhookSender } from './webhook-sender';

/** An error reported in a `failed` status. */
export interface StatusFailure {
  code: number;
  /** Default: the catalogue's title for the code. */
  title?: string;
  details?: string;
  /** Post `sent` before `failed`. */
  sent_first?: boolean;
}

interface Planned {
  record: StatusRecord;
  offset: number;
  /** Carries `pricing` (Meta: `sent`, and one of delivered/read). */
  pricing: boolean;
  failure?: StatusFailure;
}

type Phone = Pick<PhoneNumber, 'id' | 'digits' | 'waba_id'>;

const DEFAULT_DETAILS: Readonly<Record<number, string>> = {
  131047: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  131026: 'Message undeliverable: the recipient may not be a WhatsApp user, or has not accepted the latest Terms of Service.',
  131049: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  130429: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
};

/**
 * Turns an accepted send into its status webhooks: `sent` → `delivered` → `read` (or what the
 * number's status behaviour says), each after its delay, with the configured drops, duplicates and
 * reordering, or a `failed` status for an async fault. Due statuses go to the {@link WebhookSender}.
 */
@Injectable()
export class StatusScheduler implements OnApplicationShutdown {
  private readonly timers = new Map<NodeJS.Timeout, StatusRecord>();

  constructor(
    private readonly sender: WebhookSender,
    private readonly settings: MessagingSettings,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    for (const [timer, record] of this.timers) {
      clearTimeout(timer);
      record.state = 'cancelled';
    }
    this.timers.clear();
  }

  onApplicationShutdown(): void {
    this.reset();
  }

  /** Statuses waiting for their delay. */
  pending(): number {
    return this.timers.size;
  }

  /** Plans the status webhooks of an accepted send and starts their timers. */
  schedule(message: OutboundMessage, phone: Phone, failure?: StatusFailure): void {
    for (const planned of this.plan(message.phone_number_id, failure)) {
      message.statuses.push(planned.record);
      if (planned.record.state === 'dropped') continue;
      this.start(message, phone, planned);
    }
  }

  /** One more status for a message, now or after `delayMs` (control API). */
  inject(message: OutboundMessage, phone: Phone, status: StatusName, failure?: StatusFailure, delayMs = 0): StatusRecord {
    const record: StatusRecord = {
      status,
      due_at: new Date(this.clock.now() + delayMs).toISOString(),
      state: 'scheduled',
      duplicate: false,
      delivery_id: null,
      ...(failure && { error_code: failure.code }),
    };
    message.statuses.push(record);
    this.start(message, phone, { record, offset: delayMs, pricing: status === 'sent' || status === 'delivered', failure });
    return record;
  }

  private plan(phoneNumberId: string, failure?: StatusFailure): Planned[] {
    const behaviour = this.settings.statusBehaviour(phoneNumberId);
    const delays = behaviour.delays_ms;
    const now = this.clock.now();
    const make = (status: StatusName, offset: number, pricing: boolean, duplicate = false): Planned => ({
      record: {
        status,
        due_at: new Date(now + offset).toISOString(),
        state: 'scheduled',
        duplicate,
        delivery_id: null,
        ...(status === 'failed' && failure && { error_code: failure.code }),
      },
      offset,
      pricing,
      ...(status === 'failed' && { failure }),
    });

    if (failure) {
      return failure.sent_first
        ? [make('sent', delays.sent, true), make('failed', delays.sent + delays.delivered, false)]
        : [make('failed', delays.sent, false)];
    }

    // Natural order and time slots; pricing on `sent` and the first of delivered/read.
    const steps: StatusStep[] = [...behaviour.statuses];
    const slots: number[] = [];
    let at = 0;
    for (const step of steps) {
      at += delays[step];
      slots.push(at);
    }
    const pricedLater = steps.find((s) => s === 'delivered' || s === 'read');
    const order = Math.random() < behaviour.reorder_rate ? shuffled(steps) : steps;
    const planned: Planned[] = [];
    order.forEach((step, index) => {
      const entry = make(step, slots[index] ?? 0, step === 'sent' || step === pricedLater);
      if (Math.random() < behaviour.drop_rate) {
        entry.record.state = 'dropped';
        planned.push(entry);
        return;
      }
      planned.push(entry);
      if (Math.random() < behaviour.duplicate_rate) {
        planned.push(make(step, entry.offset + 1 + Math.floor(Math.random() * Math.max(20, delays[step])), entry.pricing, true));
      }
    });
    return planned;
  }

  private start(message: OutboundMessage, phone: Phone, planned: Planned): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.fire(message, phone, planned);
    }, planned.offset);
    timer.unref();
    this.timers.set(timer, planned.record);
  }

  private fire(message: OutboundMessage, phone: Phone, planned: Planned): void {
    const { record } = planned;
    record.state = 'queued';
    this.sender.enqueueStatus({
      waba_id: phone.waba_id,
      phone_number_id: phone.id,
      wamid: message.wamid,
      change: messagesChange(phone, { statuses: [this.statusObject(message, planned)] }),
      onQueued: (deliveryId) => {
        record.state = 'posted';
        record.delivery_id = deliveryId;
      },
    });
  }

  /** One entry of `value.statuses` (reference §5.5). */
  private statusObject(message: OutboundMessage, planned: Planned): Record<string, unknown> {
    const behaviour = this.settings.statusBehaviour(message.phone_number_id);
    const status = planned.record.status;
    const timestamp = unixSeconds(this.clock.now());
    const category = message.pricing_category;
    const opaque = message.body['biz_opaque_callback_data'];
    const failure = planned.failure;
    const title = failure ? (failure.title ?? GRAPH_ERROR_CATALOGUE[failure.code]?.title ?? 'Message failed to send') : '';
    return {
      id: message.wamid,
      status,
      timestamp: String(timestamp),
      recipient_id: message.wa_id,
      ...(message.recipient_type === 'group' && { recipient_type: 'group' }),
      ...(typeof opaque === 'string' && { biz_opaque_callback_data: opaque }),
      ...(behaviour.include_conversation &&
        status !== 'failed' && {
          conversation: {
            id: hexDigest(message.wamid).slice(0, 32),
            ...(status === 'sent' && { expiration_timestamp: String(timestamp + 86_400) }),
            origin: { type: category },
          },
        }),
      ...(behaviour.include_pricing &&
        planned.pricing &&
        status !== 'failed' && {
          pricing: {
            billable: category !== 'service',
            pricing_model: 'PMP',
            type: category === 'service' ? 'free_customer_service' : 'regular',
            category,
          },
        }),
      ...(failure && {
        errors: [webhookError(failure.code, title, failure.details ?? DEFAULT_DETAILS[failure.code] ?? title)],
      }),
    };
  }
}

/** A random order different from the given one (when there are two items or more). */
function shuffled<T>(items: readonly T[]): T[] {
  if (new Set(items).size < 2) return [...items];
  for (;;) {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    if (out.some((item, index) => item !== items[index])) return out;
  }
}
