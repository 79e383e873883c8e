/**
 * Public resource shapes that cross contexts (spec 03, 04): produced by one context, carried in events
 * of another, rendered by the API. Timestamps are ISO 8601 UTC strings with milliseconds.
 */
export type CustomerStatus = 'pending' | 'active' | 'suspended' | 'archived';

export interface CustomerResource {
  id: string;
  object: 'customer';
  name: string;
  email: string | null;
  status: CustomerStatus;
  metadata: Record<string, unknown> | null;
  team_id: string;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export type SetupLinkStatus = 'active' | 'consumed' | 'expired' | 'revoked';

export interface CustomerSetupLinkResource {
  id: string;
  object: 'customer_setup_link';
  customer_id: string;
  status: SetupLinkStatus;
  token_last4: string;
  expires_at: string;
  consumed_at: string | null;
  revoked_at: string | null;
  success_redirect_url: string | null;
  failure_redirect_url: string | null;
  account_id: string | null;
  created_at: string;
}

export type WhatsappAccountStatus = 'approved' | 'restricted' | 'disconnected' | 'archived';

export interface WhatsappAccountResource {
  id: string;
  object: 'whatsapp_account';
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string;
  quality_rating: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  throughput_level: 'STANDARD' | 'HIGH';
  messaging_limit_tier: string | null;
  status: WhatsappAccountStatus;
  customer: { id: string; name: string } | null;
  customer_id: string | null;
  team_id: string;
  onboarded_at: string;
  created_at: string;
  updated_at: string;
}

export type MessageDirection = 'inbound' | 'outbound';
/** Outbound: pending → sent → delivered → read, or failed. Inbound: received → read. */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';

/** `error` of a failed message (spec 05 § Message resource): Kirim's code, and Meta's when Meta refused. */
export interface MessageError {
  code: string;
  message: string;
  meta_code: number | null;
  meta_title: string | null;
}

/** Spec 05 § Message resource. */
export interface MessageResource {
  id: string;
  object: 'message';
  account_id: string;
  phone_number_id: string;
  customer_id: string | null;
  conversation_id: string;
  contact_id: string;
  direction: MessageDirection;
  type: string;
  content: Record<string, unknown>;
  status: MessageStatus;
  wamid: string | null;
  error: MessageError | null;
  context: { message_id: string } | null;
  metadata: Record<string, unknown> | null;
  pricing: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
}

export interface LabelSummary {
  id: string;
  name: string;
  color: string;
}

/** Spec 05 § Contacts. */
export interface ContactResource {
  id: string;
  object: 'contact';
  account_id: string;
  phone_number_id: string;
  customer_id: string | null;
  wa_id: string;
  phone_number: string;
  name: string | null;
  profile_name: string | null;
  email: string | null;
  metadata: Record<string, unknown> | null;
  labels: LabelSummary[];
  created_at: string;
  updated_at: string;
}

export type ConversationStatus = 'open' | 'pending' | 'resolved';

/** Spec 05 § Conversations. */
export interface ConversationResource {
  id: string;
  object: 'conversation';
  account_id: string;
  phone_number_id: string;
  customer_id: string | null;
  contact: { id: string; wa_id: string; phone_number: string; name: string | null };
  status: ConversationStatus;
  assignee: { id: string; email: string; name: string | null } | null;
  labels: LabelSummary[];
  unread_count: number;
  last_message_at: string | null;
  last_inbound_at: string | null;
  service_window_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Spec 05 § Labels: the team-scoped tag itself. */
export interface LabelResource {
  id: string;
  object: 'label';
  team_id: string;
  name: string;
  color: string;
  created_at: string;
  updated_at: string;
}

/** Spec 05 § Templates: the account's WABA template as Kirim mirrors it. */
export interface TemplateResource {
  id: string;
  object: 'template';
  account_id: string;
  waba_id: string;
  meta_template_id: string | null;
  name: string;
  language: string;
  category: string;
  /** Meta's status in lower case (`approved`, `pending`, `rejected`, `paused`, `disabled`, …, `deleted`). */
  status: string;
  components: Record<string, unknown>[];
  rejection_reason: string | null;
  quality: string | null;
  created_at: string;
  updated_at: string;
}

export type WebhookSubscriptionStatus = 'active' | 'paused' | 'disabled';

/** Spec 06 § Webhook subscriptions: an endpoint of the organization and the events it wants (secrets never shown here). */
export interface WebhookSubscriptionResource {
  id: string;
  object: 'webhook_subscription';
  url: string;
  description: string | null;
  events: string[];
  customer_id: string | null;
  status: WebhookSubscriptionStatus;
  disabled_reason: string | null;
  secrets: { id: string; created_at: string; expires_at: string | null }[];
  created_at: string;
  updated_at: string;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One try of a delivery: the endpoint's status code, or the error that kept it from answering. */
export interface WebhookDeliveryAttempt {
  number: number;
  at: string;
  response_status: number | null;
  duration_ms: number;
  error: { code: string; message: string } | null;
}

/** Spec 06 § Deliveries: one event on its way to one subscription. */
export interface WebhookDeliveryResource {
  id: string;
  object: 'webhook_delivery';
  subscription_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookDeliveryAttempt[];
  next_attempt_at: string | null;
  replayed_from: string | null;
  created_at: string;
  updated_at: string;
}
