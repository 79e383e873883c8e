import { Injectable } from '@nestjs/common';
import type { WhatsappAccountResource } from '@kirim/contracts';
import { AppError, type Page, Paginator } from '@kirim/platform';
import { isMetaId, type WhatsappAccountStatus } from '../domain/account';
import { type AccountScope, AccountsRepository } from '../infrastructure/accounts.repository';
import { toAccountResource } from './resources';

export type { AccountScope };

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
    private readonly paginator: Paginator,
  ) {}

  list(scope: AccountScope, input: ListAccountsInput): Promise<Page<WhatsappAccountResource>> {
    const filters = { status: input.status, customerId: input.customerId, teamId: input.teamId };
    return this.paginator.paginate({
      query: input,
      scope: `whatsapp_accounts:${scope.organizationId}:${scope.customerId ?? '*'}`,
      filters: { ...filters },
      fetch: (page) => this.accounts.list(scope, filters, page),
      map: (row) => toAccountResource(row, row.customer),
    });
  }

  async get(scope: AccountScope, id: string): Promise<WhatsappAccountResource> {
    const account = await this.accounts.findById(scope, id);
    if (!account) throw AppError.notFound('whatsapp account', id);
    return toAccountResource(account, account.customer);
  }

  /** By Meta's `phone_number_id` (6–20 digits, else 400 `invalid_field_value`). */
  async getByPhoneNumberId(scope: AccountScope, phoneNumberId: string): Promise<WhatsappAccountResource> {
    if (!isMetaId(phoneNumberId)) throw AppError.invalid('phone_number_id', "'phone_number_id' must be 6 to 20 digits.");
    const account = await this.accounts.findByPhoneNumberId(scope, phoneNumberId);
    if (!account) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    return toAccountResource(account, account.customer);
  }
}
