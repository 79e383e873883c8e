import { Inject, Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { type CustomerResource, EventWriter } from '@kirim/contracts';
import { TeamsService } from '@kirim/identity';
import { AppError, newId, type Page, Paginator, scopeKey, type TenantScope, Transactional } from '@kirim/platform';
import {
  assertNotArchived,
  type CustomerStatus,
  requestStatusChange,
  resumedStatus,
  validateEmail,
  validateMetadata,
  validateName,
  validateTextFilter,
} from '../domain/customer';
import { CustomersRepository, type CustomerChanges, type CustomerFilters } from '../infrastructure/customers.repository';
import { SetupLinksRepository } from '../infrastructure/setup-links.repository';
import { CUSTOMER_ACCOUNTS, type CustomerAccountsPort, type CustomerWhatsappAccount } from './customer-accounts.port';
import { requireCustomer } from './require-customer';
import { customerEventScope, toCustomerResource } from './resources';

export interface CreateCustomerInput {
  name: string;
  email?: string | null | undefined;
  metadata?: unknown;
  teamId?: string | undefined;
}

/** PATCH: `undefined` leaves a field alone; `null` clears `email` / `metadata`. */
export interface UpdateCustomerInput {
  name?: string | undefined;
  email?: string | null | undefined;
  metadata?: unknown;
  status?: CustomerStatus | undefined;
}

export interface ListCustomersInput extends CustomerFilters {
  limit?: number | undefined;
  cursor?: string | undefined;
}

export type CustomerWithAccounts = CustomerResource & { whatsapp_accounts: CustomerWhatsappAccount[] };

/** Customers of a platform organization (spec 03 § Customer): every change writes its `customer.*` event. */
@Injectable()
export class CustomersService {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly setupLinks: SetupLinksRepository,
    private readonly teams: TeamsService,
    @Inject(CUSTOMER_ACCOUNTS) private readonly accounts: CustomerAccountsPort,
    private readonly events: EventWriter,
    private readonly paginator: Paginator,
  ) {}

  @Transactional()
  async create(scope: TenantScope, input: CreateCustomerInput): Promise<CustomerResource> {
    if (scope.customerId !== null) {
      throw new AppError('customer_scope_forbidden', 'A customer-restricted API key cannot create customers.');
    }
    const name = validateName(input.name);
    const email = validateEmail(input.email ?? null);
    const metadata = input.metadata === undefined ? null : validateMetadata(input.metadata);
    const teamId = await this.resolveTeam(scope.organizationId, input.teamId);
    const customer = await this.customers.create({ id: newId('cus'), organizationId: scope.organizationId, teamId, name, email, metadata });
    const resource = toCustomerResource(customer);
    await this.events.append('customer.created', customerEventScope(customer), { customer: resource });
    return resource;
  }

  async list(scope: TenantScope, input: ListCustomersInput): Promise<Page<CustomerResource>> {
    const filters: CustomerFilters = {
      status: input.status,
      teamId: input.teamId,
      email: input.email === undefined ? undefined : validateTextFilter('email', input.email, 254),
      q: input.q === undefined ? undefined : validateTextFilter('q', input.q),
    };
    return this.paginator.paginate({
      query: input,
      scope: `customers:${scopeKey(scope)}`,
      filters: { ...filters },
      fetch: (page) => this.customers.list(scope, filters, page),
      map: toCustomerResource,
    });
  }

  /**
   * `{id, name}` of many customers of one organization in one query, for resources of other contexts
   * that embed their owner (e.g. an account's `customer`). Unknown ids are absent from the map.
   */
  async namesOf(organizationId: string, ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.customers.namesByIds(organizationId, [...new Set(ids)]);
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The customer with its WhatsApp accounts (`GET /v1/customers/{id}`). */
  async get(scope: TenantScope, id: string): Promise<CustomerWithAccounts> {
    const customer = await requireCustomer(this.customers, scope, id);
    const accounts = await this.accounts.listForCustomer(customer.organizationId, customer.id);
    return { ...toCustomerResource(customer), whatsapp_accounts: accounts };
  }

  /** Does this customer exist in this organization (identity's `CUSTOMER_DIRECTORY`). */
  exists(organizationId: string, customerId: string): Promise<boolean> {
    return this.customers.exists(organizationId, customerId);
  }

  /**
   * Applies the fields that differ; `customer.updated` carries their old values in
   * `previous_attributes`. A PATCH that changes nothing writes nothing and emits nothing.
   */
  @Transactional()
  async update(scope: TenantScope, id: string, input: UpdateCustomerInput): Promise<CustomerResource> {
    const name = input.name === undefined ? undefined : validateName(input.name);
    const email = input.email === undefined ? undefined : validateEmail(input.email);
    const metadata = input.metadata === undefined ? undefined : validateMetadata(input.metadata);
    const current = await requireCustomer(this.customers, scope, id, { forUpdate: true });
    assertNotArchived(current);

    const changes: CustomerChanges = {};
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
    if (input.status !== undefined) {
      const next = requestStatusChange(current.status, input.status);
      const status = next === 'resume' ? resumedStatus(await this.accounts.hasOnboardedAccount(current.organizationId, current.id)) : next;
      if (status !== current.status) {
        changes.status = status;
        previous['status'] = current.status;
      }
    }
    if (Object.keys(changes).length === 0) return toCustomerResource(current);

    const updated = await this.customers.update(scope, current.id, changes);
    const resource = toCustomerResource(updated);
    await this.events.append('customer.updated', customerEventScope(updated), { customer: resource }, previous);
    return resource;
  }

  /**
   * Archives (soft-deletes) the customer and revokes its active setup links; archiving an archived
   * customer changes nothing and emits nothing.
   */
  @Transactional()
  async archive(scope: TenantScope, id: string): Promise<CustomerResource> {
    const current = await requireCustomer(this.customers, scope, id, { forUpdate: true });
    if (current.status === 'archived') return toCustomerResource(current);
    const now = new Date();
    await this.setupLinks.revokeActive(scope, current.id, now);
    const archived = await this.customers.update(scope, current.id, { status: 'archived', archivedAt: now });
    const resource = toCustomerResource(archived);
    await this.events.append('customer.archived', customerEventScope(archived), { customer: resource });
    return resource;
  }

  /**
   * Multi-team resolution (spec 01 § Multi-team resolution): a given team must be the organization's
   * (else 404); without one, the organization's only team, else 422 `team_id_required`.
   */
  private async resolveTeam(organizationId: string, teamId: string | undefined): Promise<string> {
    if (teamId !== undefined) {
      const team = await this.teams.find(organizationId, teamId);
      if (!team) throw AppError.notFound('team', teamId);
      return team.id;
    }
    const teams = await this.teams.listForOrganization(organizationId);
    const only = teams.length === 1 ? teams[0] : undefined;
    if (!only) {
      throw new AppError('team_id_required', 'This organization has several teams: say which one with team_id.', { param: 'team_id' });
    }
    return only.id;
  }
}
