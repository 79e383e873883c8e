import type { ContactResource, ConversationResource, EventScope, LabelSummary, MessageResource } from '@kirim/contracts';
import { type Message, SERVICE_WINDOW_MS } from '../domain/message';
import type { Contact, Conversation } from '../domain/parties';
import type { TemplateResource } from '@kirim/contracts';
import type { Template } from '../domain/templates';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The public resource (spec 05 § Message resource). */
export function toMessageResource(m: Message): MessageResource {
  return {
    id: m.id,
    object: 'message',
    account_id: m.accountId,
    phone_number_id: m.phoneNumberId,
    customer_id: m.customerId,
    conversation_id: m.conversationId,
    contact_id: m.contactId,
    direction: m.direction,
    type: m.type,
    content: m.content,
    status: m.status,
    wamid: m.wamid,
    error: m.error,
    context: m.context,
    metadata: m.metadata,
    pricing: m.pricing,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    sent_at: iso(m.sentAt),
    delivered_at: iso(m.deliveredAt),
    read_at: iso(m.readAt),
    failed_at: iso(m.failedAt),
  };
}

/** Spec 05 § Contacts: `labels` as the contact carries them (`[{id, name, color}]`, by name). */
export function toContactResource(c: Contact, phoneNumberId: string): ContactResource {
  return {
    id: c.id,
    object: 'contact',
    account_id: c.accountId,
    phone_number_id: phoneNumberId,
    customer_id: c.customerId,
    wa_id: c.waId,
    phone_number: `+${c.waId}`,
    name: c.name,
    profile_name: c.profileName,
    email: c.email,
    metadata: c.metadata,
    labels: c.labels.map(labelSummary),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

/** Spec 05 § Conversations: `assignee` and `labels` as the conversation carries them. */
export function toConversationResource(
  c: Conversation,
  contact: Pick<Contact, 'id' | 'waId' | 'name' | 'profileName'>,
  phoneNumberId: string,
): ConversationResource {
  return {
    id: c.id,
    object: 'conversation',
    account_id: c.accountId,
    phone_number_id: phoneNumberId,
    customer_id: c.customerId,
    contact: { id: contact.id, wa_id: contact.waId, phone_number: `+${contact.waId}`, name: contact.name ?? contact.profileName },
    status: c.status,
    assignee: c.assignee === null ? null : { id: c.assignee.id, email: c.assignee.email, name: c.assignee.name },
    labels: c.labels.map(labelSummary),
    unread_count: c.unreadCount,
    last_message_at: iso(c.lastMessageAt),
    last_inbound_at: iso(c.lastInboundAt),
    service_window_expires_at: c.lastInboundAt === null ? null : new Date(c.lastInboundAt.getTime() + SERVICE_WINDOW_MS).toISOString(),
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

const labelSummary = (l: LabelSummary): LabelSummary => ({ id: l.id, name: l.name, color: l.color });

export function messageEventScope(m: { organizationId: string; teamId: string; customerId: string | null }): EventScope {
  return { organizationId: m.organizationId, teamId: m.teamId, customerId: m.customerId };
}

/** Spec 05 § Templates. */
export function toTemplateResource(t: Template): TemplateResource {
  return {
    id: t.id,
    object: 'template',
    account_id: t.accountId,
    waba_id: t.wabaId,
    meta_template_id: t.metaTemplateId,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    components: t.components,
    rejection_reason: t.rejectionReason,
    quality: t.quality,
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}
