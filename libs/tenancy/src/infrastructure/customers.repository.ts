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

/** A customers row as {@link CustomerRow} (raw statements: `SELECT`/`RETURNING`). */
const CUSTOMER_COLUMNS = sql`id, org_id AS "orgId", team_id AS "teamId", name, email, status::text AS status, metadata,
  archived_at AS "archivedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Customers in PostgreSQL. Every read is scoped: by organization, and by customer when the caller's key is
 * restricted (another customer's id then reads as absent).
 */
@Injectable()
export class CustomersRepository {
  constructor(private readonly db: Database) {}

  /**
   * One raw statement (Prisma's model create cost more CPU than the INSERT; decision 49's reasoning).
   * `created_at` = `updated_at` = the process clock, as Prisma's `now()` and `@updatedAt` set them.
   */
  async create(customer: NewCustomer): Promise<Customer> {
    const now = new Date();
    const metadata = customer.metadata === null ? null : JSON.stringify(customer.metadata);
    const rows = await this.db.tx.$queryRaw<CustomerRow[]>`
      INSERT INTO customers (id, org_id, team_id, name, email, metadata, created_at, updated_at)
      VALUES (${customer.id}, ${customer.organizationId}, ${customer.teamId}, ${customer.name}, ${customer.email}::text,
              ${metadata}::jsonb, ${now}::timestamptz, ${now}::timestamptz)
      RETURNING ${CUSTOMER_COLUMNS}`;
    const row = rows[0];
    if (!row) throw new Error(`Customer ${customer.id} was not written`);
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
   * Newest first, after the keyset position, at most `take` rows: one raw statement on the pool
   * (`Database.read`: Prisma's findMany, then its `$queryRaw`, cost more CPU than PostgreSQL spent;
   * decisions 49, 63), scoped like every other read (organization, and the customer of a restricted key).
   */
  async list(scope: TenantScope, filters: CustomerFilters, page: { take: number; after: KeysetPosition | undefined }): Promise<Customer[]> {
    const where: Sql[] = [sql`org_id = ${scope.organizationId}`, keysetSql(page.after)];
    if (scope.customerId !== null) where.push(sql`id = ${scope.customerId}`);
    if (filters.status !== undefined) where.push(sql`status = ${filters.status}::customer_status`);
    if (filters.teamId !== undefined) where.push(sql`team_id = ${filters.teamId}`);
    if (filters.email !== undefined) where.push(sql`email = ${filters.email}`);
    if (filters.q !== undefined) where.push(sql`name ILIKE ${`%${escapeLike(filters.q)}%`}`);
    const rows = await this.db.read<CustomerRow>(sql`
      SELECT ${CUSTOMER_COLUMNS}
      FROM customers
      WHERE ${joinSql(where, ' AND ')}
      ORDER BY created_at DESC, id DESC
      LIMIT ${page.take}`);
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
