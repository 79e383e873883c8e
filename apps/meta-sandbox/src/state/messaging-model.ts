/**
 * What the messaging half of the sandbox remembers: the sends it accepted, the inbound messages it
 * injected, mark-as-read calls, and the behaviour settings of the control API. Times are epoch
 * milliseconds of the injected clock unless a field says ISO.
 */

/** The statuses a send goes through by default, in Meta's order (reference §5.5). */
export const STATUS_STEPS = ['sent', 'delivered', 'read'] as const;
export type StatusStep = (typeof STATUS_STEPS)[number];
export type StatusName = StatusStep | 'failed';

/** What became of one planned status webhook. */
export type StatusState =
  /** Waiting for its delay. */
  | 'scheduled'
  /** Due, waiting for a webhook POST (batching, concurrency). */
  | 'queued'
  /** Part of a POST (see `delivery_id` for how that went). */
  | 'posted'
  /** Left out on purpose (`drop_rate`). */
  | 'dropped'
  /** The sandbox was reset before it was due. */
  | 'cancelled';

export interface StatusRecord {
  status: StatusName;
  /** ISO time it is (or was) due. */
  due_at: string;
  state: StatusState;
  /** A second copy of an earlier status (`duplicate_rate`). */
  duplicate: boolean;
  delivery_id: string | null;
  error_code?: number;
}

export interface OutboundMessage {
  direction: 'outbound';
  wamid: string;
  phone_number_id: string;
  waba_id: string;
  /** `to` as sent. */
  to: string;
  wa_id: string;
  recipient_type: 'individual' | 'group';
  type: string;
  /** The request body as received. */
  body: Record<string, unknown>;
  /** ISO time of arrival (the sandbox clock). */
  received_at: string;
  graph_version: string | null;
  /** `pricing.category` of its status webhooks. */
  pricing_category: string;
  /** An error reported as a `failed` status (async fault, service window), else null. */
  failure: { code: number; reason: string } | null;
  statuses: StatusRecord[];
}

export interface InboundMessage {
  direction: 'inbound';
  wamid: string;
  phone_number_id: string;
  waba_id: string;
  from: string;
  profile_name: string | null;
  type: string;
  /** The message object as put in the webhook. */
  message: Record<string, unknown>;
  received_at: string;
  delivery_id: string | null;
}

export type MessageRecord = OutboundMessage | InboundMessage;

/** A mark-as-read call (`{messaging_product, status: "read", message_id, typing_indicator?}`). */
export interface ReadMark {
  message_id: string;
  phone_number_id: string;
  typing_indicator: unknown;
  /** Whether message_id is an inbound message the sandbox injected for this number. */
  known: boolean;
  received_at: string;
}

// ------------------------------------------------------------------------------------- settings

/** How status webhooks follow an accepted send (global, or per number). */
export interface StatusBehaviour {
  /** Which statuses to post, in this order (`[]` = none; `['sent', 'read']` skips delivered). */
  statuses: StatusStep[];
  /** Delay of each status after the previous one (the first: after the send). */
  delays_ms: Record<StatusStep, number>;
  /** Probability that a status is posted twice. */
  duplicate_rate: number;
  /** Probability that a message's statuses are posted in a shuffled order (same time slots). */
  reorder_rate: number;
  /** Probability that a status is never posted. */
  drop_rate: number;
  /** `pricing` on `sent` and on `delivered` (or `read` when delivered is skipped), as Meta does. */
  include_pricing: boolean;
  /** `conversation` (webhooks v23 and older; v24+ omit it outside free entry points). */
  include_conversation: boolean;
}

/** Per-number throughput enforcement (reference §7): sends beyond `mps` in any 1-second window → 130429. */
export interface ThroughputSetting {
  enabled: boolean;
  /** Messages per second; null = from the number's throughput level (STANDARD 80, HIGH 1,000, NOT_APPLICABLE 20). */
  mps: number | null;
}

export interface MessagingBehaviour {
  /** Sends from a number not registered for Cloud API fail with 133010 (Meta does this). */
  require_registration: boolean;
  /**
   * Free-form sends (not template, not reaction) to a user with no injected inbound message in the
   * last 24 h are accepted, then fail with a 131047 `failed` status (Meta's way). Off by default:
   * Kirim checks the window itself and tests rarely inject an inbound first.
   */
  enforce_service_window: boolean;
  service_window_hours: number;
  /**
   * A template send naming a template the sandbox does not know (`POST /_sandbox/templates`):
   * `accept` (default, while the sandbox has no template management API) or `reject` with 132001.
   * Known templates are always checked (status, language, parameter count).
   */
  unknown_templates: 'accept' | 'reject';
}

export interface WebhookSettings {
  /** The app's callback URL; a WABA's `override_callback_uri` wins. Null: payloads are recorded, not posted. */
  callback_url: string | null;
  /** Only WABAs with the app in `subscribed_apps` get webhooks (Meta's rule); default false for convenience. */
  require_subscription: boolean;
  /** Per POST. */
  timeout_ms: number;
  /** Delays before each retry of a failed POST; after the last one the delivery is dropped (and logged). */
  retry_delays_ms: number[];
  /** POSTs in flight at once; due statuses wait (and batch) when all are busy. */
  max_concurrency: number;
  /** Most status changes in one POST (Meta: up to 1,000). */
  status_batch_size: number;
  /** How long due statuses wait to be batched together before a POST. */
  batch_window_ms: number;
  /** Meta's `\uXXXX` and `\/` escaping of the body (the signature is over the escaped bytes). */
  escape_json: boolean;
  /** Also send the legacy `X-Hub-Signature: sha1=…`. */
  sha1_signature: boolean;
}

// ------------------------------------------------------------------------------------- templates

export const TEMPLATE_STATUSES = [
  'APPROVED',
  'PENDING',
  'REJECTED',
  'PAUSED',
  'DISABLED',
  'IN_APPEAL',
  'FLAGGED',
  'REINSTATED',
  'LIMIT_EXCEEDED',
  'LOCKED',
  'ARCHIVED',
  'PENDING_DELETION',
  'DELETED',
] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];
export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** A message template of a WABA, in Meta's stored shape (`components` as created). */
export interface SandboxTemplate {
  id: string;
  waba_id: string;
  name: string;
  language: string;
  category: TemplateCategory;
  status: TemplateStatus;
  parameter_format: 'POSITIONAL' | 'NAMED';
  components: Record<string, unknown>[];
  created_at: number;
}
