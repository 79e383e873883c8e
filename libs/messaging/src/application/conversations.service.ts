import { Injectable } from '@nestjs/common';
import { type ConversationResource, EventWriter } from '@kirim/contracts';
import { UsersService } from '@kirim/identity';
import { AppError, type Page, Paginator, scopeKey, type TenantScope, Transactional } from '@kirim/platform';
import { type Assignee, type ConversationStatus, parseConversationFilters } from '../domain/parties';
import { type ConversationView, ConversationsRepository, NO_LAST_MESSAGE } from '../infrastructure/conversations.repository';
import { LabelsRepository } from '../infrastructure/labels.repository';
import { type MessagingAccount, MessagesRepository } from '../infrastructure/messages.repository';
import { requireAccount, requireLabelOfTeam } from './contacts.service';
import { messageEventScope, toConversationResource } from './resources';

export interface ListConversationsInput {
  status?: string | undefined;
  assignee_id?: string | undefined;
  label_id?: string | undefined;
  contact_id?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** PATCH: `undefined` leaves a field alone; `assigneeId: null` unassigns. */
export interface UpdateConversationInput {
  status?: ConversationStatus | undefined;
  assigneeId?: string | null | undefined;
}

/**
 * Conversations of one account (`/v1/{phone_number_id}/conversations`, spec 05 § Conversations). The assignee
 * is a user of the caller's organization, shown as `{id, email, name}` (identity's UsersService). Every change
 * writes `conversation.updated` with the old values in `previous_attributes`, plus `conversation.assigned` when
 * it gets a (new) assignee and `conversation.resolved` when it becomes `resolved`; a change to nothing emits nothing.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsRepository,
    private readonly labels: LabelsRepository,
    private readonly users: UsersService,
    private readonly events: EventWriter,
    private readonly paginator: Paginator,
  ) {}

  async list(scope: TenantScope, phoneNumberId: string, input: ListConversationsInput): Promise<Page<ConversationResource>> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const filters = parseConversationFilters(input);
    return this.paginator.paginate({
      query: input,
      scope: `conversations:${scopeKey(scope)}:${account.id}`,
      filters: { status: filters.status, assignee_id: filters.assigneeId, label_id: filters.labelId, contact_id: filters.contactId },
      fetch: async (page) => {
        const views = await this.withAssignees(account, await this.conversations.list(scope, account, filters, page));
        // The keyset position is (last_message_at, id): the paginator's `createdAt` carries the sort time.
        return views.map((view) => ({ createdAt: view.conversation.lastMessageAt ?? NO_LAST_MESSAGE, id: view.conversation.id, view }));
      },
      map: ({ view }) => this.resource(account, view),
    });
  }

  async get(scope: TenantScope, phoneNumberId: string, id: string): Promise<ConversationResource> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const view = await this.conversations.find(account, id);
    if (!view) throw AppError.notFound('conversation', id);
    return this.resource(account, (await this.withAssignees(account, [view]))[0] as ConversationView);
  }

  @Transactional()
  async update(scope: TenantScope, phoneNumberId: string, id: string, input: UpdateConversationInput): Promise<ConversationResource> {
    if (input.status === undefined && input.assigneeId === undefined) {
      throw new AppError('missing_required_field', "Give at least one of 'status' and 'assignee_id'.", { param: 'status' });
    }
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const current = await this.requireLocked(account, id);
    let assignee: Assignee | null | undefined;
    if (input.assigneeId !== undefined && input.assigneeId !== null) {
      assignee = (await this.users.summariesOf(account.organizationId, [input.assigneeId])).get(input.assigneeId);
      if (!assignee) throw AppError.notFound('user', input.assigneeId);
    } else if (input.assigneeId === null) assignee = null;

    const before = current.conversation;
    const changes: { status?: ConversationStatus; assigneeId?: string | null } = {};
    const previous: Record<string, unknown> = {};
    if (input.status !== undefined && input.status !== before.status) {
      changes.status = input.status;
      previous['status'] = before.status;
    }
    if (assignee !== undefined && (assignee?.id ?? null) !== before.assigneeId) {
      changes.assigneeId = assignee?.id ?? null;
      previous['assignee'] = before.assignee;
    }
    if (Object.keys(changes).length === 0) return this.resource(account, current);

    await this.conversations.update(account, before.id, changes, new Date());
    const updated = await this.reread(account, before.id);
    const resource = this.resource(account, updated);
    const eventScope = messageEventScope(updated.conversation);
    await this.events.append('conversation.updated', eventScope, { conversation: resource }, previous);
    if (changes.assigneeId !== undefined && changes.assigneeId !== null) {
      await this.events.append('conversation.assigned', eventScope, { conversation: resource });
    }
    if (changes.status === 'resolved') await this.events.append('conversation.resolved', eventScope, { conversation: resource });
    return resource;
  }

  /** Idempotent: a label already on the conversation changes nothing and emits nothing. */
  @Transactional()
  attachLabel(scope: TenantScope, phoneNumberId: string, id: string, labelId: string): Promise<ConversationResource> {
    return this.label(scope, phoneNumberId, id, labelId, 'attach');
  }

  /** Idempotent: a label not on the conversation changes nothing (one unknown in its team is still 404). */
  @Transactional()
  detachLabel(scope: TenantScope, phoneNumberId: string, id: string, labelId: string): Promise<ConversationResource> {
    return this.label(scope, phoneNumberId, id, labelId, 'detach');
  }

  private async label(
    scope: TenantScope,
    phoneNumberId: string,
    id: string,
    labelId: string,
    operation: 'attach' | 'detach',
  ): Promise<ConversationResource> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const current = await this.requireLocked(account, id);
    const label = await requireLabelOfTeam(this.labels, scope, labelId, current.conversation.teamId);
    const at = new Date();
    const changed =
      operation === 'attach'
        ? await this.conversations.attachLabel(current.conversation.id, label.id, at)
        : await this.conversations.detachLabel(current.conversation.id, label.id, at);
    if (!changed) return this.resource(account, current);
    const updated = await this.reread(account, current.conversation.id);
    const resource = this.resource(account, updated);
    await this.events.append(
      'conversation.updated',
      messageEventScope(updated.conversation),
      { conversation: resource },
      { labels: current.conversation.labels },
    );
    return resource;
  }

  private async requireLocked(account: MessagingAccount, id: string): Promise<ConversationView> {
    const view = await this.conversations.lock(account, id);
    if (!view) throw AppError.notFound('conversation', id);
    return (await this.withAssignees(account, [view]))[0] as ConversationView;
  }

  private async reread(account: MessagingAccount, id: string): Promise<ConversationView> {
    const view = await this.conversations.find(account, id);
    if (!view) throw new Error(`Conversation ${id} vanished inside its transaction`);
    return (await this.withAssignees(account, [view]))[0] as ConversationView;
  }

  /** The assignees' `{id, email, name}` filled in, one identity read for the whole page. */
  private async withAssignees(account: MessagingAccount, views: ConversationView[]): Promise<ConversationView[]> {
    const ids = views.flatMap((v) => (v.conversation.assigneeId === null ? [] : [v.conversation.assigneeId]));
    if (ids.length === 0) return views;
    const users = await this.users.summariesOf(account.organizationId, ids);
    return views.map((v) => ({
      ...v,
      conversation: {
        ...v.conversation,
        assignee: v.conversation.assigneeId === null ? null : (users.get(v.conversation.assigneeId) ?? null),
      },
    }));
  }

  private resource(account: MessagingAccount, view: ConversationView): ConversationResource {
    return toConversationResource(view.conversation, view.contact, account.phoneNumberId);
  }
}
