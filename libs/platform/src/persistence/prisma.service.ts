import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { PrismaClient } from '../generated/prisma/client';

type AdapterFactory = NonNullable<ConstructorParameters<typeof PrismaClient>[0]>['adapter'];

/**
 * The one PrismaClient of a process (Prisma 7 through the pg driver adapter: no native engine), and the pg
 * pool under it, which `Database.read` also uses for hot reads outside transactions (decision 63).
 *
 * Closing the client ends the pool; like Prisma with a pool of its own, the client reopens one when it is
 * used again (several apps in one test process share @nestjs-cls/transactional's static transaction host,
 * so an app's `@Transactional()` may run on the client of another app that closed).
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly pools: { current: pg.Pool; open: () => pg.Pool };

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const options: pg.PoolConfig = { connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE };
    const pools = {
      current: new pg.Pool(options),
      open: (): pg.Pool => {
        if (pools.current.ended) pools.current = new pg.Pool(options);
        return pools.current;
      },
    };
    const adapter: AdapterFactory = {
      provider: 'postgres',
      adapterName: '@prisma/adapter-pg',
      connect: () => new PrismaPg(pools.open()).connect(),
    };
    super({ adapter });
    this.pools = pools;
  }

  /** The pool Prisma's statements run on (reopened after a close, as Prisma reconnects). */
  get pool(): pg.Pool {
    return this.pools.open();
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // The adapter does not end a pool it was given.
    if (!this.pools.current.ended) await this.pools.current.end();
  }
}
