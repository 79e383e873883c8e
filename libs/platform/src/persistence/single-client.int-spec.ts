import { Test } from '@nestjs/testing';
import { TransactionHost } from '@nestjs-cls/transactional';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { HealthService } from '../observability/health';
import { PlatformModule } from '../platform.module';
import { Database } from './database';
import { PrismaService } from './prisma.service';

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
});
