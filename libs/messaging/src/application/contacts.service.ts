import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { type ContactResource, type EventDataMap, EventWriter } from '@kirim/contracts';
import { AppError, newId, type Page, Paginator, scopeKey, type TenantScope, Transactional } from '@kirim/platform';
import type { Label } from '../domain/labels';
import {
  type Contact,
  type LabelSummary,
  parseContactFilters,
  parseWaId,
  validateContactEmail,
  validateContactMetadata,
  validateContactName,
} from '../domain/parties';
import { type BulkEventRow, type ContactFields, ContactsRepository } from '../infrastructure/contacts.repository';
import { LabelsRepository } from '../infrastructure/labels.repository';
import { type MessagingAccount, MessagesRepository } from '../infrastructure/messages.repository';
import { messageEventScope, toContactResource } from './resources';
import { assertPhoneNumberId } from '../domain/phone-number-id';

/** The path's account in the caller's scope: a malformed number is 400, another tenant's (or an unknown) one 404. */
export async function requireAccount(messages: MessagesRepository, scope: TenantScope, phoneNumberId: string): Promise<MessagingAccount> {
  assertPhoneNumberId(phoneNumberId);
  const account = await messages.accountInScope(scope, phoneNumberId);
  if (!account) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
  return account;
}

/**
 * A label that may go on (or come off) a party of `teamId`: visible in the scope and of that team, else 404 —
 * the same answer for an unknown label, another organization's and another team's. Locked `FOR SHARE` so it
 * cannot be deleted before the attachment commits.
 */
export async function requireLabelOfTeam(labels: LabelsRepository, scope: TenantScope, labelId: string, teamId: string): Promise<Label> {
  const label = await labels.find(scope, labelId, 'share');
  if (!label || label.teamId !== teamId) throw AppError.notFound('label', labelId);
  return label;
}

/** A label as a party's resource lists it, and the list as it was before that label was attached or detached. */
export function labelsBefore(after: readonly LabelSummary[], label: Label, operation: 'attach' | 'detach'): LabelSummary[] {
  if (operation === 'attach') return after.filter((l) => l.id !== label.id);
  const list = [...after.filter((l) => l.id !== label.id), { id: label.id, name: label.name, color: label.color }];
  return list.sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export interface ListContactsInput {
  phone_number?: string | undefined;
  q?: string | undefined;
  label_id?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface CreateContactInput {
  phoneNumber: string;
  name?: string | null | undefined;
  email?: string | null | undefined;
  metadata?: unknown;
}

/** PATCH: `undefined` leaves a field alone, `null` clears it. */
export interface UpdateContactInput {
  name?: string | null | undefined;
  email?: string | null | undefined;
  metadata?: unknown;
}

export interface BulkLabelInput {
  contactIds: string[];
  labelId: string;
  operation: 'attach' | 'detach';
}

/**
 * Contacts of one account (`/v1/{phone_number_id}/contacts`, spec 05 § Contacts). Every change writes its
 * `contact.*` event in the same transaction; labels are part of the resource, so attaching or detaching one
 * emits `contact.updated` (with the old `labels` in `previous_attributes`) — only when something changed.
 */
@Injectable()
export class ContactsService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly contacts: ContactsRepository,
    private readonly labels: LabelsRepository,
    private readonly events: EventWriter,
    private readonly paginator: Paginator,
  ) {}

  async list(scope: TenantScope, phoneNumberId: string, input: ListContactsInput): Promise<Page<ContactResource>> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const filters = parseContactFilters(input);
    return this.paginator.paginate({
      query: input,
      scope: `contacts:${scopeKey(scope)}:${account.id}`,
      filters: { wa_id: filters.waId, q: filters.q, label_id: filters.labelId },
      fetch: (page) => this.contacts.list(scope, account, filters, page),
      map: (c) => toContactResource(c, account.phoneNumberId),
    });
  }

  /** A new wa_id → the contact and `contact.created`; an existing one → that contact unchanged, no event (`created: false`). */
  @Transactional()
  async create(
    scope: TenantScope,
    phoneNumberId: string,
    input: CreateContactInput,
  ): Promise<{ contact: ContactResource; created: boolean }> {
    const waId = parseWaId(input.phoneNumber, 'phone_number');
    const fields: ContactFields = {
      name: validateContactName(input.name ?? null),
      email: validateContactEmail(input.email ?? null),
      metadata: input.metadata === undefined ? null : validateContactMetadata(input.metadata),
    };
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const { contact, created } = await this.contacts.findOrCreate(account, waId, fields, new Date());
    const resource = toContactResource(contact, account.phoneNumberId);
    if (created) await this.events.append('contact.created', messageEventScope(contact), { contact: resource });
    return { contact: resource, created };
  }

  async get(scope: TenantScope, phoneNumberId: string, id: string): Promise<ContactResource> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const contact = await this.contacts.find(account, id);
    if (!contact) throw AppError.notFound('contact', id);
    return toContactResource(contact, account.phoneNumberId);
  }

  /** Applies the fields that differ; `contact.updated` carries their old values. A PATCH that changes nothing emits nothing. */
  @Transactional()
  async update(scope: TenantScope, phoneNumberId: string, id: string, input: UpdateContactInput): Promise<ContactResource> {
    const name = input.name === undefined ? undefined : validateContactName(input.name);
    const email = input.email === undefined ? undefined : validateContactEmail(input.email);
    const metadata = input.metadata === undefined ? undefined : validateContactMetadata(input.metadata);
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const current = await this.requireLocked(account, id);
    const changes: ContactFields = {};
    const previous: Record<string, unknown> = {};
    if (name !== undefined && name !== current.name) {
      changes.name = name;
      previous['name'] = current.name;
    }
    if (email !== undefined && email !== current.email) {
      changes.email = email;
      previous['email'] = current.email;
    }
    if (metadata !== undefined && canonicalize(metadata) !== canonicalize(current.metadata)) {
      changes.metadata = metadata;
      previous['metadata'] = current.metadata;
    }
    if (Object.keys(changes).length === 0) return toContactResource(current, account.phoneNumberId);
    const updated = await this.contacts.update(account, current.id, changes, new Date());
    const resource = toContactResource(updated, account.phoneNumberId);
    await this.events.append('contact.updated', messageEventScope(updated), { contact: resource }, previous);
    return resource;
  }

  /** Idempotent: a label already on the contact changes nothing and emits nothing. */
  @Transactional()
  attachLabel(scope: TenantScope, phoneNumberId: string, id: string, labelId: string): Promise<ContactResource> {
    return this.labelOne(scope, phoneNumberId, id, labelId, 'attach');
  }

  /** Idempotent: a label not on the contact changes nothing (a label unknown in the contact's team is still 404). */
  @Transactional()
  detachLabel(scope: TenantScope, phoneNumberId: string, id: string, labelId: string): Promise<ContactResource> {
    return this.labelOne(scope, phoneNumberId, id, labelId, 'detach');
  }

  /**
   * One transaction, set-based whatever the number of contacts: the label attached to (or detached from) those
   * of `contactIds` that are this account's and change (`applied`); the rest — another account's or tenant's,
   * unknown, repeated, already carrying it (attach) or not carrying it (detach) — are `skipped`. One
   * `contact.updated` per changed contact, all written by one insert. A label outside the account's team → 404,
   * nothing changed.
   */
  @Transactional()
  async bulkLabel(scope: TenantScope, phoneNumberId: string, input: BulkLabelInput): Promise<{ applied: number; skipped: number }> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const label = await requireLabelOfTeam(this.labels, scope, input.labelId, account.teamId);
    const ids = [...new Set(input.contactIds)];
    const at = new Date();
    const changed =
      input.operation === 'attach'
        ? await this.contacts.attachLabel(account, label, ids, at)
        : await this.contacts.detachLabel(account, label.id, ids, at);
    const contacts = await this.contacts.findMany(account, changed);
    const createdAt = new Date().toISOString();
    const events: BulkEventRow[] = contacts.map((contact) => ({
      id: newId('evt'),
      org_id: contact.organizationId,
      team_id: contact.teamId,
      customer_id: contact.customerId,
      type: 'contact.updated',
      data: { contact: toContactResource(contact, account.phoneNumberId) } satisfies EventDataMap['contact.updated'],
      previous_attributes: { labels: labelsBefore(contact.labels, label, input.operation) },
      created_at: createdAt,
    }));
    await this.contacts.appendEvents(events);
    return { applied: changed.length, skipped: input.contactIds.length - changed.length };
  }

  private async labelOne(
    scope: TenantScope,
    phoneNumberId: string,
    id: string,
    labelId: string,
    operation: 'attach' | 'detach',
  ): Promise<ContactResource> {
    const account = await requireAccount(this.messages, scope, phoneNumberId);
    const current = await this.requireLocked(account, id);
    const label = await requireLabelOfTeam(this.labels, scope, labelId, current.teamId);
    const at = new Date();
    const changed =
      operation === 'attach'
        ? await this.contacts.attachLabel(account, label, [current.id], at)
        : await this.contacts.detachLabel(account, label.id, [current.id], at);
    if (changed.length === 0) return toContactResource(current, account.phoneNumberId);
    const updated = (await this.contacts.find(account, current.id)) as Contact;
    const resource = toContactResource(updated, account.phoneNumberId);
    await this.events.append('contact.updated', messageEventScope(updated), { contact: resource }, { labels: current.labels });
    return resource;
  }

  private async requireLocked(account: MessagingAccount, id: string): Promise<Contact> {
    const contact = await this.contacts.lock(account, id);
    if (!contact) throw AppError.notFound('contact', id);
    return contact;
  }
}
