import { Test } from '@nestjs/testing';
import { TransactionHost } from '@nestjs-cls/transactional';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { HealthService } from '../observability/health';
import { PlatformModule } from '../platform.module';
import { Database } from './database';
import { PrismaService } from './prisma.service';
import { sql } from './sql';

describe('PlatformModule', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(() => env.close());

  it('has exactly one PrismaClient (one pool) for transactions and plain queries', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config)] }).compile();
    await moduleRef.init();
    try {
      const prisma = moduleRef.get(PrismaService);
      const host = moduleRef.get(TransactionHost);
      expect(host.tx).toBe(prisma);
      expect((moduleRef.get(HealthService) as unknown as { prisma: PrismaService }).prisma).toBe(prisma);
      expect(moduleRef.get(Database).tx).toBe(prisma);
    } finally {
      await moduleRef.close();
    }
  });

  it('Database.read runs one statement on the pool under Prisma, with bound values, and refuses inside a transaction', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config)] }).compile();
    await moduleRef.init();
    try {
      const db = moduleRef.get(Database);
      const prisma = moduleRef.get(PrismaService);
      await prisma.$queryRaw`SELECT 1`;
      expect(prisma.pool.totalCount).toBe(1); // Prisma's own statement went through this pool
      const text = "x'; SELECT 1; --";
      const rows = await db.read<{ n: number; t: string; at: Date; j: { a: number[] } }>(
        sql`SELECT 2::int AS n, ${text}::text AS t, TIMESTAMPTZ '2026-01-02T03:04:05.678Z' AS at, '{"a":[1]}'::jsonb AS j`,
      );
      expect(rows).toEqual([{ n: 2, t: text, at: new Date('2026-01-02T03:04:05.678Z'), j: { a: [1] } }]);
      // The same pool as Prisma's: one pool per process, sized by DATABASE_POOL_SIZE.
      expect(prisma.pool.options.max).toBe(env.config.DATABASE_POOL_SIZE);
      await expect(db.transaction(() => db.read(sql`SELECT 1`))).rejects.toThrow('Database.read runs outside transactions');
      // write: one statement atomic on its own; its rows and the count of the statement's own rows
      const written = await db.write<{ n: number }>(
        sql`WITH x AS (SELECT g AS n FROM generate_series(1, ${3}::int) g) SELECT n FROM x ORDER BY n`,
      );
      expect(written).toEqual({ rows: [{ n: 1 }, { n: 2 }, { n: 3 }], count: 3 });
      await expect(db.transaction(() => db.write(sql`SELECT 1`))).rejects.toThrow('Database.write runs outside transactions');
    } finally {
      await moduleRef.close();
    }
  });

  it('closing ends the pool; a client used after its app closed reopens one, as Prisma does with a pool of its own', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config)] }).compile();
    await moduleRef.init();
    const prisma = moduleRef.get(PrismaService);
    const db = moduleRef.get(Database);
    const first = prisma.pool;
    await prisma.$queryRaw`SELECT 1`;
    await moduleRef.close();
    expect(first.ended).toBe(true);
    // e.g. another app's @Transactional() in the same test process, through the static transaction host
    await expect(db.transaction(() => prisma.$queryRaw`SELECT 1 AS n`)).resolves.toEqual([{ n: 1 }]);
    await expect(db.read(sql`SELECT 2::int AS n`)).resolves.toEqual([{ n: 2 }]);
    expect(prisma.pool).not.toBe(first);
    await prisma.$disconnect();
    await prisma.pool.end();
  });
});
