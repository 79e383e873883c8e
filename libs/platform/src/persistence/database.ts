import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from './prisma.service';
import type { Sql } from './sql';
import type pg from 'pg';

/** The Prisma client of the current transaction, or the plain client outside one. */
export type PrismaTx = TransactionHost<TransactionalAdapterPrisma<PrismaService>>['tx'];

/**
 * What repositories (infrastructure/ only) use to reach PostgreSQL. `db.tx` is the client of the
 * transaction the caller opened (`@Transactional()` on an application-service method, or
 * `db.transaction(fn)`), so a change, its events and its idempotency record commit together.
 */
@Injectable()
export class Database {
  constructor(
    private readonly host: TransactionHost<TransactionalAdapterPrisma<PrismaService>>,
    private readonly prisma: PrismaService,
  ) {}

  get tx(): PrismaTx {
    return this.host.tx;
  }

  get inTransaction(): boolean {
    return this.host.isTransactionActive();
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.host.withTransaction(fn);
  }

  /**
   * A hot read outside any transaction, straight on the pg pool under Prisma (one statement, no query
   * interpreter: ~0.03 ms of CPU where `$queryRaw` spends ~0.2 ms). Rows come with pg's types, not
   * Prisma's: `timestamptz` → Date, `json`/`jsonb` → parsed, `int4` → number, but `int8`/`numeric` → string
   * (cast counts to `::int`). Inside a transaction it refuses: the pool's connection would not see the
   * transaction's writes; use `tx.$queryRaw` there.
   */
  async read<T>(query: Sql): Promise<T[]> {
    return (await this.onPool<T>('read', query)).rows;
  }

  /**
   * One statement that writes and is atomic on its own (e.g. a CTE that changes a row and inserts its
   * event), outside any transaction, on the pool: the rules of {@link read}. Returns the rows it returns and
   * the count of the statement's own rows (`$executeRaw`'s count).
   */
  async write<T = never>(query: Sql): Promise<{ rows: T[]; count: number }> {
    const result = await this.onPool<T>('write', query);
    return { rows: result.rows, count: result.rowCount ?? 0 };
  }

  private onPool<T>(what: 'read' | 'write', query: Sql): Promise<pg.QueryResult<T & object>> {
    if (this.host.isTransactionActive()) {
      return Promise.reject(new Error(`Database.${what} runs outside transactions; inside one use db.tx.$queryRaw.`));
    }
    return this.prisma.pool.query<T & object>(query.text, query.values as unknown[]);
  }
}
