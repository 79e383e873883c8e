import { Injectable } from '@nestjs/common';
import type { WhatsappAccountResource } from '@kirim/contracts';
import { AppError, Page, Paginator, scopeKey, type TenantScope } from '@kirim/platform';
import { CustomersService } from '@kirim/tenancy';
import { isMetaId, type WhatsappAccount, type WhatsappAccountStatus } from '../domain/account';
import { AccountsRepository } from '../infrastructure/accounts.repository';
import { toAccountResource } from './resources';

export interface ListAccountsInput {
  status?: WhatsappAccountStatus | undefined;
  customerId?: string | undefined;
  teamId?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** Reads of WhatsApp accounts (spec 04 § Endpoints), scoped to the caller's organization (and customer). */
@Injectable()
export class AccountsService {
  constructor(
    private readonly accounts: AccountsRepository,
    private readonly customers: CustomersService,
    private readonly paginator: Paginator,
  ) {}

  async list(scope: TenantScope, input: ListAccountsInput): Promise<Page<WhatsappAccountResource>> {
    const filters = { status: input.status, customerId: input.customerId, teamId: input.teamId };
    const page = await this.paginator.paginate({
      query: input,
      scope: `whatsapp_accounts:${scopeKey(scope)}`,
      filters: { ...filters },
      fetch: (page) => this.accounts.list(scope, filters, page),
      map: (row) => row,
    });
    return new Page(await this.toResources(scope.organizationId, page.data), page.hasMore, page.nextCursor);
  }

  async get(scope: TenantScope, id: string): Promise<WhatsappAccountResource> {
    const account = await this.accounts.findById(scope, id);
    if (!account) throw AppError.notFound('whatsapp account', id);
    const [resource] = await this.toResources(scope.organizationId, [account]);
    return resource as WhatsappAccountResource;
  }

  /** By Meta's `phone_number_id` (6–20 digits, else 400 `invalid_field_value`). */
  async getByPhoneNumberId(scope: TenantScope, phoneNumberId: string): Promise<WhatsappAccountResource> {
    if (!isMetaId(phoneNumberId)) throw AppError.invalid('phone_number_id', "'phone_number_id' must be 6 to 20 digits.");
    const account = await this.accounts.findByPhoneNumberId(scope, phoneNumberId);
    if (!account) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    const [resource] = await this.toResources(scope.organizationId, [account]);
    return resource as WhatsappAccountResource;
  }

  /** Renders accounts with their owning customer's `{id, name}`: one batch read from tenancy per call. */
  private async toResources(organizationId: string, accounts: WhatsappAccount[]): Promise<WhatsappAccountResource[]> {
    const names = await this.customers.namesOf(
      organizationId,
      accounts.flatMap((a) => (a.customerId === null ? [] : [a.customerId])),
    );
    return accounts.map((a) =>
      toAccountResource(a, a.customerId === null ? null : { id: a.customerId, name: names.get(a.customerId) ?? '' }),
    );
  }
}
