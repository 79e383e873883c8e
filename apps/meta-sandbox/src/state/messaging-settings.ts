import { Inject, Injectable } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import type { MessagingBehaviour, StatusBehaviour, ThroughputSetting, WebhookSettings } from './messaging-model';

export const DEFAULT_STATUS_BEHAVIOUR: StatusBehaviour = {
  statuses: ['sent', 'delivered', 'read'],
  delays_ms: { sent: 10, delivered: 50, read: 100 },
  duplicate_rate: 0,
  reorder_rate: 0,
  drop_rate: 0,
  include_pricing: true,
  include_conversation: true,
};

export const DEFAULT_MESSAGING_BEHAVIOUR: MessagingBehaviour = {
  require_registration: true,
  enforce_service_window: false,
  service_window_hours: 24,
  unknown_templates: 'accept',
};

export const DEFAULT_THROUGHPUT: ThroughputSetting = { enabled: false, mps: null };

function defaultWebhookSettings(config: SandboxConfig): WebhookSettings {
  return {
    callback_url: config.webhookUrl,
    require_subscription: false,
    timeout_ms: 10_000,
    retry_delays_ms: [1_000, 5_000, 15_000],
    max_concurrency: 16,
    status_batch_size: 100,
    batch_window_ms: 0,
    escape_json: true,
    sha1_signature: true,
  };
}

const clone = <T>(value: T): T => structuredClone(value);

/** Merges the defined fields of a patch (nested `delays_ms` field by field). */
function merge<T extends object>(base: T, patch: Partial<T>): T {
  const out = clone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object'
        ? { ...(current as object), ...Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) }
        : clone(value);
  }
  return out as T;
}

/**
 * The messaging behaviour knobs of the control API: status webhooks (global and per number),
 * throughput enforcement (global and per number), send rules, and webhook delivery. Reset restores
 * the defaults (the callback URL from `META_SANDBOX_WEBHOOK_URL`).
 */
@Injectable()
export class MessagingSettings {
  private statusDefault = clone(DEFAULT_STATUS_BEHAVIOUR);
  private readonly statusByNumber = new Map<string, StatusBehaviour>();
  private throughputDefault = clone(DEFAULT_THROUGHPUT);
  private readonly throughputByNumber = new Map<string, ThroughputSetting>();
  private behaviour = clone(DEFAULT_MESSAGING_BEHAVIOUR);
  private webhookSettings: WebhookSettings;

  constructor(@Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig) {
    this.webhookSettings = defaultWebhookSettings(config);
  }

  reset(): void {
    this.statusDefault = clone(DEFAULT_STATUS_BEHAVIOUR);
    this.statusByNumber.clear();
    this.throughputDefault = clone(DEFAULT_THROUGHPUT);
    this.throughputByNumber.clear();
    this.behaviour = clone(DEFAULT_MESSAGING_BEHAVIOUR);
    this.webhookSettings = defaultWebhookSettings(this.config);
  }

  // ------------------------------------------------------------------------------ status webhooks

  statusBehaviour(phoneNumberId?: string): StatusBehaviour {
    return clone((phoneNumberId !== undefined && this.statusByNumber.get(phoneNumberId)) || this.statusDefault);
  }

  setStatusBehaviour(patch: Partial<StatusBehaviour>, phoneNumberId?: string): StatusBehaviour {
    if (phoneNumberId === undefined) {
      this.statusDefault = merge(this.statusDefault, patch);
      return this.statusBehaviour();
    }
    const next = merge(this.statusByNumber.get(phoneNumberId) ?? this.statusDefault, patch);
    this.statusByNumber.set(phoneNumberId, next);
    return clone(next);
  }

  clearStatusBehaviour(phoneNumberId: string): boolean {
    return this.statusByNumber.delete(phoneNumberId);
  }

  statusOverrides(): Record<string, StatusBehaviour> {
    return Object.fromEntries([...this.statusByNumber].map(([id, b]) => [id, clone(b)]));
  }

  // ---------------------------------------------------------------------------------- throughput

  throughput(phoneNumberId?: string): ThroughputSetting {
    return clone((phoneNumberId !== undefined && this.throughputByNumber.get(phoneNumberId)) || this.throughputDefault);
  }

  setThroughput(patch: Partial<ThroughputSetting>, phoneNumberId?: string): ThroughputSetting {
    if (phoneNumberId === undefined) {
      this.throughputDefault = merge(this.throughputDefault, patch);
      return this.throughput();
    }
    const next = merge(this.throughputByNumber.get(phoneNumberId) ?? this.throughputDefault, patch);
    this.throughputByNumber.set(phoneNumberId, next);
    return clone(next);
  }

  clearThroughput(phoneNumberId: string): boolean {
    return this.throughputByNumber.delete(phoneNumberId);
  }

  throughputOverrides(): Record<string, ThroughputSetting> {
    return Object.fromEntries([...this.throughputByNumber].map(([id, t]) => [id, clone(t)]));
  }

  // -------------------------------------------------------------------------------- send rules

  get messaging(): MessagingBehaviour {
    return clone(this.behaviour);
  }

  setMessaging(patch: Partial<MessagingBehaviour>): MessagingBehaviour {
    this.behaviour = merge(this.behaviour, patch);
    return this.messaging;
  }

  // ---------------------------------------------------------------------------------- webhooks

  get webhooks(): WebhookSettings {
    return clone(this.webhookSettings);
  }

  setWebhooks(patch: Partial<WebhookSettings>): WebhookSettings {
    this.webhookSettings = merge(this.webhookSettings, patch);
    return this.webhooks;
  }
}
