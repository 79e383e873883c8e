import { Injectable } from '@nestjs/common';
import { Database, KEYSET_ORDER, type KeysetPosition, keysetWhere, scopeWhere, type TenantScope } from '@kirim/platform';
import {
  type QualityRating,
  type ThroughputLevel,
  toQualityRating,
  toThroughputLevel,
  type WhatsappAccount,
  type WhatsappAccountStatus,
} from '../domain/account';

/** Who reads: the organization, and the customer for a customer-restricted key. */
export interface AccountFilters {
  /** One status; undefined = every status but `archived`. */
  status?: WhatsappAccountStatus | undefined;
  customerId?: string | undefined;
  teamId?: string | undefined;
}

export interface AccountConnection {
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: QualityRating;
  throughputLevel: ThroughputLevel;
  messagingLimitTier: string | null;
  businessTokenCiphertext: string;
  registrationPinCiphertext: string;
}

export interface NewAccount extends AccountConnection {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  onboardedAt: Date;
}

interface AccountRow {
  id: string;
  orgId: string;
  teamId: string;
  customerId: string | null;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string;
  throughputLevel: string;
  messagingLimitTier: string | null;
  status: WhatsappAccountStatus;
  onboardedAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

export const PUBLIC_COLUMNS = {
  id: true,
  orgId: true,
  teamId: true,
  customerId: true,
  phoneNumberId: true,
  wabaId: true,
  displayPhoneNumber: true,
  verifiedName: true,
  qualityRating: true,
  throughputLevel: true,
  messagingLimitTier: true,
  status: true,
  onboardedAt: true,
  createdAt: true,
  updatedAt: true,
} as const;

/**
 * WhatsApp accounts in PostgreSQL. Tenant reads take the scope (organization, and customer for a
 * restricted key). Owning customers' names come from tenancy's CustomersService (AccountsService).
 * The sealed token and PIN are returned only by {@link findSecrets}.
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly db: Database) {}

  async list(
    scope: TenantScope,
    filters: AccountFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<WhatsappAccount[]> {
    if (scope.customerId !== null && filters.customerId !== undefined && filters.customerId !== scope.customerId) return [];
    const rows = await this.db.tx.whatsappAccount.findMany({
      select: PUBLIC_COLUMNS,
      where: {
        ...(filters.customerId !== undefined && { customerId: filters.customerId }),
        ...scopeWhere(scope),
        ...(filters.teamId !== undefined && { teamId: filters.teamId }),
        status: filters.status ?? { not: 'archived' },
        AND: [keysetWhere(page.after)],
      },
      orderBy: KEYSET_ORDER,
      take: page.take,
    });
    return rows.map(toAccount);
  }

  async findById(scope: TenantScope, id: string): Promise<WhatsappAccount | null> {
    const row = await this.db.tx.whatsappAccount.findFirst({ select: PUBLIC_COLUMNS, where: { id, ...scopeWhere(scope) } });
    return row ? toAccount(row) : null;
  }

  async findByPhoneNumberId(scope: TenantScope, phoneNumberId: string): Promise<WhatsappAccount | null> {
    const row = await this.db.tx.whatsappAccount.findFirst({ select: PUBLIC_COLUMNS, where: { phoneNumberId, ...scopeWhere(scope) } });
    return row ? toAccount(row) : null;
  }

  /** Every account of a customer, oldest first (`whatsapp_accounts` of `GET /v1/customers/{id}`). */
  async listForCustomer(scope: TenantScope, customerId: string): Promise<WhatsappAccount[]> {
    const rows = await this.db.tx.whatsappAccount.findMany({
      select: PUBLIC_COLUMNS,
      where: { AND: [{ customerId }, scopeWhere(scope)] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toAccount);
  }

  async hasOnboardedAccount(scope: TenantScope, customerId: string): Promise<boolean> {
    return (
      (await this.db.tx.whatsappAccount.count({ where: { AND: [{ customerId, status: { not: 'archived' } }, scopeWhere(scope)] } })) > 0
    );
  }

  /**
   * Signup only, across organizations on purpose (a number belongs to one owner in all of Kirim): the
   * accounts holding this `phone_number_id` or this display number. Inside a transaction the rows are
   * locked (`FOR UPDATE`) so two completions for the same number serialise.
   */
  async findHoldersOfNumber(phoneNumberId: string, displayPhoneNumber: string): Promise<WhatsappAccount[]> {
    if (this.db.inTransaction) {
      await this.db.tx.$queryRaw`
        SELECT id FROM whatsapp_accounts WHERE phone_number_id = ${phoneNumberId} OR display_phone_number = ${displayPhoneNumber} FOR UPDATE`;
    }
    const rows = await this.db.tx.whatsappAccount.findMany({
      select: PUBLIC_COLUMNS,
      where: { OR: [{ phoneNumberId }, { displayPhoneNumber }] },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toAccount);
  }

  /** The sealed secrets of an account (for Meta calls on its behalf). */
  async findSecrets(
    scope: TenantScope,
    id: string,
  ): Promise<{ businessTokenCiphertext: string; registrationPinCiphertext: string } | null> {
    return this.db.tx.whatsappAccount.findFirst({
      select: { businessTokenCiphertext: true, registrationPinCiphertext: true },
      where: { AND: [{ id }, scopeWhere(scope)] },
    });
  }

  async create(account: NewAccount): Promise<WhatsappAccount> {
    const row = await this.db.tx.whatsappAccount.create({
      select: PUBLIC_COLUMNS,
      data: {
        id: account.id,
        orgId: account.organizationId,
        teamId: account.teamId,
        customerId: account.customerId,
        onboardedAt: account.onboardedAt,
        status: 'approved',
        ...connectionColumns(account),
      },
    });
    return toAccount(row);
  }

  /** A reconnect: the new Meta id, attributes and secrets, status back to `approved` (id and onboarded_at kept). */
  async reconnect(scope: TenantScope, id: string, connection: AccountConnection): Promise<WhatsappAccount> {
    const row = await this.db.tx.whatsappAccount.update({
      select: PUBLIC_COLUMNS,
      where: { id, AND: [scopeWhere(scope)] },
      data: { status: 'approved', ...connectionColumns(connection) },
    });
    return toAccount(row);
  }
}

function connectionColumns(c: AccountConnection) {
  return {
    phoneNumberId: c.phoneNumberId,
    wabaId: c.wabaId,
    displayPhoneNumber: c.displayPhoneNumber,
    verifiedName: c.verifiedName,
    qualityRating: c.qualityRating,
    throughputLevel: c.throughputLevel,
    messagingLimitTier: c.messagingLimitTier,
    businessTokenCiphertext: c.businessTokenCiphertext,
    registrationPinCiphertext: c.registrationPinCiphertext,
  };
}

export function toAccount(row: AccountRow): WhatsappAccount {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    phoneNumberId: row.phoneNumberId,
    wabaId: row.wabaId,
    displayPhoneNumber: row.displayPhoneNumber,
    verifiedName: row.verifiedName,
    qualityRating: toQualityRating(row.qualityRating),
    throughputLevel: toThroughputLevel(row.throughputLevel),
    messagingLimitTier: row.messagingLimitTier,
    status: row.status,
    onboardedAt: row.onboardedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
