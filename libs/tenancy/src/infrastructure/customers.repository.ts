import { Injectable } from '@nestjs/common';
import { DbNull } from '@prisma/client/runtime/client';
import { customerScopeWhere, Database, joinSql, type KeysetPosition, keysetSql, type Sql, sql, type TenantScope } from '@kirim/platform';
import type { Customer, CustomerMetadata, CustomerStatus } from '../domain/customer';

export interface NewCustomer {
  id: string;
  organizationId: string;
  teamId: string;
  name: string;
  email: string | null;
  metadata: CustomerMetadata | null;
}

export interface CustomerChanges {
  name?: string;
  email?: string | null;
  metadata?: CustomerMetadata | null;
  status?: CustomerStatus;
  archivedAt?: Date;
}

export interface CustomerFilters {
  status?: CustomerStatus | undefined;
  teamId?: string | undefined;
  email?: string | undefined;
  q?: string | undefined;
}

interface CustomerRow {
  id: string;
  orgId: string;
  teamId: string;
  name: string;
  email: string | null;
  status: CustomerStatus;
  metadata: unknown;
  archivedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Customers in PostgreSQL. Every read is scoped: by organization, and by customer when the caller's key is
 * restricted (another customer's id then reads as absent).
 */
@Injectable()
export class CustomersRepository {
  constructor(private readonly db: Database) {}

  async create(customer: NewCustomer): Promise<Customer> {
    const row = await this.db.tx.customer.create({
      data: {
        id: customer.id,
        orgId: customer.organizationId,
        teamId: customer.teamId,
        name: customer.name,
        email: customer.email,
        metadata: jsonOrDbNull(customer.metadata),
      },
    });
    return toCustomer(row);
  }

  /** `{id, name}` of the given customers of this organization (unknown ids are simply absent). */
  async namesByIds(organizationId: string, ids: readonly string[]): Promise<{ id: string; name: string }[]> {
    if (ids.length === 0) return [];
    return this.db.tx.customer.findMany({ select: { id: true, name: true }, where: { orgId: organizationId, id: { in: [...ids] } } });
  }

  async find(scope: TenantScope, id: string): Promise<Customer | null> {
    const row = await this.db.tx.customer.findFirst({ where: { AND: [{ id }, customerScopeWhere(scope)] } });
    return row ? toCustomer(row) : null;
  }

  /**
   * Reads the customer and locks its row until the transaction ends (`SELECT … FOR UPDATE`), which
   * serialises the changes of one customer and its setup links (one live link per customer).
   */
  async findForUpdate(scope: TenantScope, id: string): Promise<Customer | null> {
    if (!this.db.inTransaction) throw new Error('findForUpdate needs a transaction');
    if (scope.customerId !== null && scope.customerId !== id) return null;
    const locked = await this.db.tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM customers WHERE id = ${id} AND org_id = ${scope.organizationId} FOR UPDATE`;
    return locked.length === 0 ? null : this.find(scope, id);
  }

  async exists(organizationId: string, id: string): Promise<boolean> {
    return (await this.db.tx.customer.count({ where: { id, orgId: organizationId } })) > 0;
  }

  /**
   * Newest first, after the keyset position, at most `take` rows: one raw statement on the hot list path
   * (Prisma's findMany cost more CPU to build and map than PostgreSQL spent; decision 49), scoped like
   * every other read (organization, and the customer of a restricted key).
   */
  async list(scope: TenantScope, filters: CustomerFilters, page: { take: number; after: KeysetPosition | undefined }): Promise<Customer[]> {
    const where: Sql[] = [sql`org_id = ${scope.organizationId}`, keysetSql(page.after)];
    if (scope.customerId !== null) where.push(sql`id = ${scope.customerId}`);
    if (filters.status !== undefined) where.push(sql`status = ${filters.status}::customer_status`);
    if (filters.teamId !== undefined) where.push(sql`team_id = ${filters.teamId}`);
    if (filters.email !== undefined) where.push(sql`email = ${filters.email}`);
    if (filters.q !== undefined) where.push(sql`name ILIKE ${`%${escapeLike(filters.q)}%`}`);
    const rows = await this.db.tx.$queryRaw<CustomerRow[]>`
      SELECT id, org_id AS "orgId", team_id AS "teamId", name, email, status::text AS status, metadata,
             archived_at AS "archivedAt", created_at AS "createdAt", updated_at AS "updatedAt"
      FROM customers
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.take}`;
    return rows.map(toCustomer);
  }

  /** Changes a customer the scope sees (a customer outside it is not found: Prisma's P2025). */
  async update(scope: TenantScope, id: string, changes: CustomerChanges): Promise<Customer> {
    const { metadata, ...rest } = changes;
    const row = await this.db.tx.customer.update({
      where: { id, AND: [customerScopeWhere(scope)] },
      data: { ...rest, ...(metadata !== undefined && { metadata: jsonOrDbNull(metadata) }) },
    });
    return toCustomer(row);
  }
}

/** Prisma passes `contains` to (I)LIKE as is: `%`, `_` and `\` must match themselves. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, '\\$&');
}

/** SQL NULL for null (Prisma needs the DbNull marker on a nullable Json column). */
function jsonOrDbNull(metadata: CustomerMetadata | null) {
  return metadata === null ? DbNull : (metadata as object);
}

function toCustomer(row: CustomerRow): Customer {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    name: row.name,
    email: row.email,
    status: row.status,
    metadata: (row.metadata ?? null) as CustomerMetadata | null,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
