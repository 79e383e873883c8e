import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import { PrismaService } from './prisma.service';
import type { Sql } from './sql';

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
    if (this.host.isTransactionActive()) {
      throw new Error('Database.read runs outside transactions; inside one use db.tx.$queryRaw.');
    }
    const result = await this.prisma.pool.query<T & object>(query.text, query.values as unknown[]);
    return result.rows;
  }
}
