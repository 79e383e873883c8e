import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterPrisma } from '@nestjs-cls/transactional-adapter-prisma';
import type { PrismaService } from './prisma.service';

/** The Prisma client of the current transaction, or the plain client outside one. */
export type PrismaTx = TransactionHost<TransactionalAdapterPrisma<PrismaService>>['tx'];

/**
 * What repositories (infrastructure/ only) use to reach PostgreSQL. `db.tx` is the client of the
 * transaction the caller opened (`@Transactional()` on an application-service method, or
 * `db.transaction(fn)`), so a change, its events and its idempotency record commit together.
 */
@Injectable()
export class Database {
  constructor(private readonly host: TransactionHost<TransactionalAdapterPrisma<PrismaService>>) {}

  get tx(): PrismaTx {
    return this.host.tx;
  }

  get inTransaction(): boolean {
    return this.host.isTransactionActive();
  }

  transaction<T>(fn: () => Promise<T>): Promise<T> {
    return this.host.withTransaction(fn);
  }
}
