import { Injectable } from '@nestjs/common';
import { EventWriter, type MessageResource, QUEUES } from '@kirim/contracts';
import {
  AppError,
  InjectJobQueue,
  type JobQueue,
  newId,
  type Page,
  Paginator,
  scopeKey,
  type TenantScope,
  Transactional,
} from '@kirim/platform';
import { insideServiceWindow, type Message, parseMessageFilters, type RawMessageFilters, SERVICE_WINDOW_MS } from '../domain/message';
import { type OutboundMessageDraft, parseSendRequest } from '../domain/outbound/send-request';
import { checkTemplateParameters } from '../domain/templates';
import {
  type MessagingAccount,
  MessagesRepository,
  type NewOutboundMessage,
  type OutboundRow,
  type SendContext,
} from '../infrastructure/messages.repository';
import { PartiesRepository } from '../infrastructure/parties.repository';
import { messageEventScope, toContactResource, toConversationResource, toMessageResource } from './resources';
import { assertPhoneNumberId } from '../domain/phone-number-id';

export interface ListMessagesInput extends RawMessageFilters {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/**
 * Messages of one account (spec 05 § Messages). `send` is the API's hottest write: the body is validated
 * (domain/outbound), then ONE statement reads every fact of the policy checks and — when they pass and the
 * contact and its conversation exist — writes the conversation's `last_message_at`, the `pending` message
 * and `message.created`. The dispatch job leaves after commit (`JobQueue.add`), under the message's id, and
 * the dispatcher's sweep finds the message again if that enqueue is lost.
 */
@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly parties: PartiesRepository,
    private readonly events: EventWriter,
    private readonly paginator: Paginator,
    @InjectJobQueue(QUEUES.messagingDispatch) private readonly dispatch: JobQueue<typeof QUEUES.messagingDispatch>,
  ) {}

  async send(scope: TenantScope, phoneNumberId: string, body: unknown): Promise<MessageResource> {
    assertPhoneNumberId(phoneNumberId);
    const request = parseSendRequest(body);
    if (request.kind === 'mark_read') {
      throw new AppError(
        'internal_error',
        "A body with 'status' is Meta's mark-as-read: the controller answers it (MessageActionsService).",
      );
    }
    const draft = request.draft;
    // A template send: one more cheap read (only for templates) — the stored template's status and placeholders.
    const templateRefusal = draft.type === 'template' ? await this.templateRefusal(scope, phoneNumberId, draft) : null;
    const now = new Date();
    const row: OutboundRow = {
      id: newId('msg'),
      type: draft.type,
      content: draft.content,
      context: draft.context,
      metadata: draft.metadata,
      bizOpaqueCallbackData: draft.bizOpaqueCallbackData,
      createdAt: now,
    };
    // The resource as far as it is known before the statement: it fills in account, customer, conversation, contact.
    const unknown = { id: '', organizationId: '', teamId: '', customerId: null, phoneNumberId, status: 'approved' } as const;
    const template = toMessageResource(pendingMessage({ ...row, account: unknown, conversationId: '', contactId: '' }));
    const sent = await this.messages.send(
      scope,
      phoneNumberId,
      {
        waId: draft.to,
        contextWamid: draft.context?.message_id ?? null,
        reactionWamid: draft.reactionMessageId,
        freeForm: draft.freeForm,
        windowOpensAfter: new Date(now.getTime() - SERVICE_WINDOW_MS),
        templateOk: templateRefusal === null,
      },
      row,
      { type: 'message.created', resource: template },
    );
    if (!sent) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    const { context, written } = sent;
    // The answer to a refused send (the statement wrote nothing: its guard holds the same checks).
    checkPolicy(context, draft, now);
    if (templateRefusal) throw templateRefusal;

    const message: NewOutboundMessage = {
      ...row,
      account: context.account,
      conversationId: context.conversationId ?? '',
      contactId: context.contact?.id ?? '',
    };
    // Written by the statement; else contact or conversation is new (or the conversation vanished): one transaction.
    const resource = written ? toMessageResource(pendingMessage(message)) : await this.sendToNewParty(message, draft.to);
    await this.dispatch.add('dispatch', { messageId: message.id, accountId: context.account.id }, { workId: message.id });
    return resource;
  }

  async list(scope: TenantScope, phoneNumberId: string, input: ListMessagesInput): Promise<Page<MessageResource>> {
    const account = await this.account(scope, phoneNumberId);
    const filters = parseMessageFilters(input);
    return this.paginator.paginate({
      query: input,
      scope: `messages:${scopeKey(scope)}:${account.id}`,
      filters: {
        conversation_id: filters.conversationId,
        contact_id: filters.contactId,
        direction: filters.direction,
        status: filters.status,
        created_after: filters.createdAfter?.toISOString(),
        created_before: filters.createdBefore?.toISOString(),
      },
      fetch: (page) => this.messages.list(scope, account, filters, page),
      map: toMessageResource,
    });
  }

  async get(scope: TenantScope, phoneNumberId: string, id: string): Promise<MessageResource> {
    const account = await this.account(scope, phoneNumberId);
    const message = await this.messages.find(scope, account, id);
    if (!message) throw AppError.notFound('message', id);
    return toMessageResource(message);
  }

  /**
   * A send to a wa_id without a contact or conversation yet (a template to a new recipient): contact and
   * conversation found or created race-free, their `*.created` events when new, the message and
   * `message.created` — one transaction (joined by the idempotency interceptor's when there is one).
   */
  @Transactional()
  private async sendToNewParty(message: NewOutboundMessage, waId: string): Promise<MessageResource> {
    const account = message.account;
    const scope = messageEventScope(account);
    const { contact, created: contactCreated } = await this.parties.findOrCreateContact(account, waId, message.createdAt);
    if (contactCreated) await this.events.append('contact.created', scope, { contact: toContactResource(contact, account.phoneNumberId) });
    const { conversation, created } = await this.parties.findOrCreateConversation(account, contact.id, message.createdAt);
    if (created) {
      await this.events.append('conversation.created', scope, {
        conversation: toConversationResource(conversation, contact, account.phoneNumberId),
      });
    }
    const row: NewOutboundMessage = { ...message, contactId: contact.id, conversationId: conversation.id };
    await this.messages.insertOutboundInTransaction(row);
    const resource = toMessageResource(pendingMessage(row));
    await this.events.append('message.created', scope, { message: resource });
    return resource;
  }

  /**
   * Why a template send is refused, or null: the template must exist for the account in that language with
   * status `approved` (422 `template_not_approved`), and the send's parameters must fit its placeholders
   * (422 `template_parameter_mismatch`). Thrown after the statement's account and customer checks, whose
   * guard holds it too (nothing is written for a refused template).
   */
  private async templateRefusal(scope: TenantScope, phoneNumberId: string, draft: OutboundMessageDraft): Promise<AppError | null> {
    const name = draft.templateName ?? '';
    const language = draft.templateLanguage ?? '';
    const template = await this.messages.templateForSend(scope, phoneNumberId, name, language);
    if (template === undefined) return null; // no such account in the scope: the statement answers 404
    if (template === null || template.status !== 'approved') {
      const state = template === null ? 'is not known for this account (create it, or run POST templates/sync)' : `is ${template.status}`;
      return new AppError('template_not_approved', `Template '${name}' in '${language}' ${state}: only an approved template can be sent.`, {
        param: 'template.name',
      });
    }
    try {
      checkTemplateParameters(template, (draft.content['template'] as { components?: unknown } | undefined)?.components);
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    return null;
  }

  private async account(scope: TenantScope, phoneNumberId: string): Promise<MessagingAccount> {
    assertPhoneNumberId(phoneNumberId);
    const account = await this.messages.accountInScope(scope, phoneNumberId);
    if (!account) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    return account;
  }
}

/**
 * The send's checks that need stored facts, in this order: the quoted and reacted-to wamids exist in this
 * account (400), the account can send (422), its customer is not suspended (422) or archived (409), and a
 * free-form message is inside the contact's 24 h customer-service window (422; templates and reactions exempt).
 */
function checkPolicy(context: SendContext, draft: OutboundMessageDraft, now: Date): void {
  if (context.contextKnown === false) {
    throw AppError.invalid('context.message_id', "'context.message_id' must be the wamid of a message of this account.");
  }
  if (context.reactionKnown === false) {
    throw AppError.invalid('reaction.message_id', "'reaction.message_id' must be the wamid of a message of this account.");
  }
  if (context.account.status !== 'approved') {
    throw new AppError('account_not_connected', `This account is ${context.account.status}: only an approved account sends messages.`);
  }
  if (context.customerStatus === 'suspended') throw new AppError('customer_suspended', 'The customer of this account is suspended.');
  if (context.customerStatus === 'archived') throw new AppError('customer_archived', 'The customer of this account is archived.');
  if (draft.freeForm && !insideServiceWindow(context.contact?.lastInboundAt ?? null, now)) {
    throw new AppError(
      'outside_customer_service_window',
      'More than 24 hours since the contact last wrote (or it never has): only a template can be sent now.',
    );
  }
}

function pendingMessage(m: NewOutboundMessage): Message {
  return {
    id: m.id,
    organizationId: m.account.organizationId,
    teamId: m.account.teamId,
    customerId: m.account.customerId,
    accountId: m.account.id,
    phoneNumberId: m.account.phoneNumberId,
    conversationId: m.conversationId,
    contactId: m.contactId,
    direction: 'outbound',
    type: m.type,
    content: m.content,
    status: 'pending',
    wamid: null,
    error: null,
    context: m.context,
    metadata: m.metadata,
    pricing: null,
    bizOpaqueCallbackData: m.bizOpaqueCallbackData,
    attempts: 0,
    createdAt: m.createdAt,
    updatedAt: m.createdAt,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    failedAt: null,
  };
}
