import type {
  ContactResource,
  ConversationResource,
  CustomerResource,
  CustomerSetupLinkResource,
  MessageResource,
  TemplateResource,
  WebhookSubscriptionResource,
  WhatsappAccountResource,
} from '../resources/resources';

/**
 * The one typed registry of event types and their `data` (spec 06-webhooks-and-events.md). Producers
 * append through {@link EventWriter}; consumers (events API, webhook relay) read the same map, so the
 * compiler checks both ends. Add a type here before emitting it anywhere.
 */
export interface EventDataMap {
  'customer.created': { customer: CustomerResource };
  'customer.updated': { customer: CustomerResource };
  'customer.archived': { customer: CustomerResource };
  'customer.onboarded': { customer: CustomerResource; account: WhatsappAccountResource; setup_link: CustomerSetupLinkResource };
  'customer.setup_link.created': { setup_link: CustomerSetupLinkResource };
  'customer.setup_link.consumed': { setup_link: CustomerSetupLinkResource; account: WhatsappAccountResource };
  'account.connected': { account: WhatsappAccountResource };
  'account.updated': { account: WhatsappAccountResource };
  'account.disconnected': { account: WhatsappAccountResource };
  'message.created': { message: MessageResource };
  'message.received': { message: MessageResource; contact: ContactResource; conversation: ConversationResource };
  'message.sent': { message: MessageResource };
  'message.delivered': { message: MessageResource };
  'message.read': { message: MessageResource };
  'message.failed': { message: MessageResource };
  'conversation.created': { conversation: ConversationResource };
  'conversation.updated': { conversation: ConversationResource };
  'conversation.assigned': { conversation: ConversationResource };
  'conversation.resolved': { conversation: ConversationResource };
  'contact.created': { contact: ContactResource };
  'contact.updated': { contact: ContactResource };
  'template.status_updated': { template: TemplateResource };
  'webhook_subscription.disabled': { webhook_subscription: WebhookSubscriptionResource };
}

export type EventType = keyof EventDataMap;

/** Every registered type, for validation of filters such as `type=customer.*`. */
export const EVENT_TYPES: readonly EventType[] = [
  'customer.created',
  'customer.updated',
  'customer.archived',
  'customer.onboarded',
  'customer.setup_link.created',
  'customer.setup_link.consumed',
  'account.connected',
  'account.updated',
  'account.disconnected',
  'message.created',
  'message.received',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
  'conversation.created',
  'conversation.updated',
  'conversation.assigned',
  'conversation.resolved',
  'contact.created',
  'contact.updated',
  'template.status_updated',
  'webhook_subscription.disabled',
] as const satisfies readonly EventType[];

/** Events whose `previous_attributes` carries the old values of the changed fields. */
export type EventWithPreviousAttributes =
  | 'customer.updated'
  | 'account.updated'
  | 'conversation.updated'
  | 'contact.updated'
  | 'template.status_updated';
