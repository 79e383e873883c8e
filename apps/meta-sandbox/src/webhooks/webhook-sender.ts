import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { Clock } from '../common/clock';
import { opaque } from '../common/ids';
import { metaJson, signatureSha1, signatureSha256 } from '../common/meta-json';
import { MessagingSettings } from '../state/messaging-settings';
import type { WebhookSettings } from '../state/messaging-model';
import { SandboxState } from '../state/sandbox-state';
import { type WebhookChange, webhookEnvelope } from './webhook-payloads';

export type DeliveryKind = 'statuses' | 'messages' | 'template_status' | 'account_update' | 'change' | 'raw';

export type DeliveryState =
  /** Waiting for its first POST. */
  | 'pending'
  /** Answered 2xx. */
  | 'delivered'
  /** Failed, another attempt is scheduled. */
  | 'retrying'
  /** Failed on every attempt: dropped (and logged). */
  | 'failed'
  /** No callback URL is configured: recorded, never posted. */
  | 'no_callback'
  /** `require_subscription` is on and the WABA has not subscribed the app. */
  | 'not_subscribed';

export interface DeliveryAttempt {
  /** ISO time (sandbox clock). */
  at: string;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
}

/** One webhook POST (with its retries) as the control API shows it. */
export interface WebhookDelivery {
  id: string;
  kind: DeliveryKind;
  url: string | null;
  state: DeliveryState;
  fields: string[];
  waba_ids: string[];
  phone_number_ids: string[];
  wamids: string[];
  change_count: number;
  /** The payload as posted (parsed form of `body`). */
  payload: unknown;
  /** The exact bytes posted (what the signature covers). */
  body: string;
  /** `X-Hub-Signature-256` sent, or null when unsigned. */
  signature: string | null;
  /** The legacy `X-Hub-Signature` (sent when `sha1_signature` is on). */
  signature_sha1: string | null;
  attempts: DeliveryAttempt[];
  created_at: string;
}

export interface DeliveryFilter {
  kind?: string;
  state?: string;
  wamid?: string;
  waba_id?: string;
  phone_number_id?: string;
  since?: string;
  limit?: number;
}

/** How a delivery is signed: with the app secret (Meta), with a wrong secret, or not at all. */
export type SignatureMode = 'valid' | 'invalid' | 'none';

export interface DeliveryRequest {
  kind: DeliveryKind;
  /** The payload, serialised Meta's way; or `rawBody` to post exact bytes. */
  payload?: unknown;
  rawBody?: string;
  /** Where to post; default the target of `waba_id` (override URI, else the callback URL). */
  url?: string;
  /** The WABA whose webhook this is (routing, `require_subscription`). */
  waba_id?: string;
  fields: string[];
  waba_ids: string[];
  phone_number_ids?: string[];
  wamids?: string[];
  change_count: number;
  signature?: SignatureMode;
}

/** A status due for posting; batched with others of the same target. */
export interface StatusChange {
  waba_id: string;
  phone_number_id: string;
  wamid: string;
  change: WebhookChange;
  /** Told which delivery carried it. */
  onQueued: (deliveryId: string) => void;
}

interface Job {
  delivery: WebhookDelivery;
  /** Settled after the first attempt. */
  firstAttempt?: () => void;
}

/** Deliveries kept for the control API (their bodies included). */
export const DELIVERY_LOG_CAPACITY = 2_000;

/**
 * Meta's webhook sender: posts signed payloads to the app's callback (or the WABA's override URI),
 * batches due status changes, limits concurrent POSTs, retries failures a few times and then drops
 * them with a log line. Nothing here blocks a Graph answer: sends only enqueue.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly logger = new Logger('MetaSandbox:webhooks');
  private deliveries: WebhookDelivery[] = [];
  private ready: Job[] = [];
  private pendingStatuses: (StatusChange & { url: string })[] = [];
  private inFlight = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  /** The batch window has passed: queued statuses go out as POST slots free up, until none is left. */
  private flushing = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private aborter = new AbortController();
  private generation = 0;

  constructor(
    private readonly settings: MessagingSettings,
    private readonly state: SandboxState,
    private readonly clock: Clock,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** Forgets the log and everything queued; POSTs in flight are aborted. */
  reset(): void {
    this.stopAll();
    this.deliveries = [];
  }

  onApplicationShutdown(): void {
    this.stopAll();
  }

  private stopAll(): void {
    this.generation += 1;
    this.aborter.abort();
    this.aborter = new AbortController();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const job of this.ready) job.firstAttempt?.();
    this.ready = [];
    this.pendingStatuses = [];
    this.flushing = false;
    this.inFlight = 0;
  }

  /** Work not finished yet: queued statuses, deliveries waiting, in flight or to be retried. */
  backlog(): number {
    return this.pendingStatuses.length + this.ready.length + this.inFlight + this.retryTimers.size;
  }

  /** Where the WABA's webhooks go: its override URI, else the app's callback URL. */
  target(wabaId: string | undefined): { url: string | null; state?: 'no_callback' | 'not_subscribed' } {
    const settings = this.settings.webhooks;
    const waba = wabaId === undefined ? undefined : this.state.getWaba(wabaId);
    const subscription = waba?.subscriptions.get(this.config.appId);
    if (settings.require_subscription && waba && !subscription) return { url: null, state: 'not_subscribed' };
    const url = subscription?.override_callback_uri ?? settings.callback_url;
    return url ? { url } : { url: null, state: 'no_callback' };
  }

  // ---------------------------------------------------------------------------------- statuses

  /** A status change is due: it goes out in the next batch to its target. */
  enqueueStatus(status: StatusChange): void {
    const target = this.target(status.waba_id);
    if (!target.url) {
      const delivery = this.record(
        {
          kind: 'statuses',
          payload: webhookEnvelope([{ waba_id: status.waba_id, change: status.change }]),
          fields: ['messages'],
          waba_ids: [status.waba_id],
          phone_number_ids: [status.phone_number_id],
          wamids: [status.wamid],
          change_count: 1,
        },
        null,
        target.state ?? 'no_callback',
      );
      status.onQueued(delivery.id);
      return;
    }
    this.pendingStatuses.push({ ...status, url: target.url });
    if (this.flushing) {
      this.pump();
    } else if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        this.flushing = true;
        this.pump();
      }, this.settings.webhooks.batch_window_ms);
      this.flushTimer.unref();
    }
  }

  private nextStatusBatch(settings: WebhookSettings): Job | undefined {
    const first = this.pendingStatuses[0];
    if (!first || !this.flushing) return undefined;
    const picked: (StatusChange & { url: string })[] = [];
    const rest: (StatusChange & { url: string })[] = [];
    for (const item of this.pendingStatuses) {
      (picked.length < settings.status_batch_size && item.url === first.url ? picked : rest).push(item);
    }
    this.pendingStatuses = rest;
    if (rest.length === 0) this.flushing = false;
    const delivery = this.record(
      {
        kind: 'statuses',
        payload: webhookEnvelope(picked.map((p) => ({ waba_id: p.waba_id, change: p.change }))),
        fields: ['messages'],
        waba_ids: [...new Set(picked.map((p) => p.waba_id))],
        phone_number_ids: [...new Set(picked.map((p) => p.phone_number_id))],
        wamids: [...new Set(picked.map((p) => p.wamid))],
        change_count: picked.length,
      },
      first.url,
      'pending',
    );
    for (const item of picked) item.onQueued(delivery.id);
    return { delivery };
  }

  // ------------------------------------------------------------------------------ other webhooks

  /**
   * Posts one payload (inbound messages, template status, account update, raw). The promise settles
   * after the first attempt; retries go on in the background.
   */
  deliver(request: DeliveryRequest): { delivery: WebhookDelivery; firstAttempt: Promise<void> } {
    const target = request.url !== undefined ? { url: request.url } : this.target(request.waba_id);
    if (!target.url) return { delivery: this.record(request, null, target.state ?? 'no_callback'), firstAttempt: Promise.resolve() };
    const delivery = this.record(request, target.url, 'pending');
    let settle: () => void = () => undefined;
    const firstAttempt = new Promise<void>((resolve) => (settle = resolve));
    this.ready.push({ delivery, firstAttempt: settle });
    this.pump();
    return { delivery, firstAttempt };
  }

  // ------------------------------------------------------------------------------------ posting

  private pump(): void {
    const settings = this.settings.webhooks;
    while (this.inFlight < settings.max_concurrency) {
      const job = this.ready.shift() ?? this.nextStatusBatch(settings);
      if (!job) return;
      this.run(job, settings);
    }
  }

  private run(job: Job, settings: WebhookSettings): void {
    const generation = this.generation;
    this.inFlight += 1;
    void this.attempt(job.delivery, settings).then((ok) => {
      if (generation !== this.generation) return;
      this.inFlight -= 1;
      const delivery = job.delivery;
      const retriesDone = delivery.attempts.length - 1;
      if (ok) {
        delivery.state = 'delivered';
      } else if (retriesDone < settings.retry_delays_ms.length) {
        delivery.state = 'retrying';
        const timer = setTimeout(() => {
          this.retryTimers.delete(timer);
          this.ready.push({ delivery });
          this.pump();
        }, settings.retry_delays_ms[retriesDone] ?? 0);
        timer.unref();
        this.retryTimers.add(timer);
      } else {
        delivery.state = 'failed';
        const last = delivery.attempts[delivery.attempts.length - 1];
        this.logger.warn(
          `webhook ${delivery.id} (${delivery.kind}, ${delivery.change_count} change(s)) to ${delivery.url} dropped after ${delivery.attempts.length} attempts: ${last?.error ?? `HTTP ${last?.http_status}`}`,
        );
      }
      job.firstAttempt?.();
      this.pump();
    });
  }

  private async attempt(delivery: WebhookDelivery, settings: WebhookSettings): Promise<boolean> {
    const started = Date.now();
    const at = new Date(this.clock.now()).toISOString();
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
    if (delivery.signature) headers['x-hub-signature-256'] = delivery.signature;
    if (delivery.signature_sha1 && settings.sha1_signature) headers['x-hub-signature'] = delivery.signature_sha1;
    try {
      const response = await fetch(delivery.url ?? '', {
        method: 'POST',
        headers,
        body: delivery.body,
        signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(settings.timeout_ms)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.attempts.push({ at, http_status: response.status, error: null, duration_ms: Date.now() - started });
      return response.status >= 200 && response.status < 300;
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const message =
        (error as Error).name === 'TimeoutError'
          ? `timed out after ${settings.timeout_ms} ms`
          : (cause?.code ?? cause?.message ?? (error as Error).message);
      delivery.attempts.push({ at, http_status: null, error: message, duration_ms: Date.now() - started });
      return false;
    }
  }

  // ------------------------------------------------------------------------------------- the log

  private record(request: DeliveryRequest, url: string | null, state: DeliveryState): WebhookDelivery {
    const settings = this.settings.webhooks;
    const body = request.rawBody ?? metaJson(request.payload, settings.escape_json);
    let payload: unknown = request.payload;
    if (request.rawBody !== undefined) {
      try {
        payload = JSON.parse(request.rawBody);
      } catch {
        payload = null;
      }
    }
    const mode = request.signature ?? 'valid';
    const secret = mode === 'valid' ? this.config.appSecret : `${this.config.appSecret}-wrong`;
    const delivery: WebhookDelivery = {
      id: opaque('whd_', 9),
      kind: request.kind,
      url,
      state,
      fields: request.fields,
      waba_ids: request.waba_ids,
      phone_number_ids: request.phone_number_ids ?? [],
      wamids: request.wamids ?? [],
      change_count: request.change_count,
      payload,
      body,
      signature: mode === 'none' ? null : signatureSha256(body, secret),
      signature_sha1: mode === 'none' ? null : signatureSha1(body, secret),
      attempts: [],
      created_at: new Date(this.clock.now()).toISOString(),
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > DELIVERY_LOG_CAPACITY) this.deliveries.splice(0, this.deliveries.length - DELIVERY_LOG_CAPACITY);
    return delivery;
  }

  get(id: string): WebhookDelivery | undefined {
    return this.deliveries.find((d) => d.id === id);
  }

  list(filter: DeliveryFilter = {}): WebhookDelivery[] {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    const matches = this.deliveries.filter(
      (d) =>
        (filter.kind === undefined || d.kind === filter.kind) &&
        (filter.state === undefined || d.state === filter.state) &&
        (filter.wamid === undefined || d.wamids.includes(filter.wamid)) &&
        (filter.waba_id === undefined || d.waba_ids.includes(filter.waba_id)) &&
        (filter.phone_number_id === undefined || d.phone_number_ids.includes(filter.phone_number_id)) &&
        (since === undefined || Date.parse(d.created_at) >= since),
    );
    return filter.limit === undefined ? matches : matches.slice(-filter.limit);
  }

  clearLog(): void {
    this.deliveries = [];
  }
}
