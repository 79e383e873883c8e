import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { newId } from '../ids/ids';
import { Database } from '../persistence/database';
import { isUniqueViolation } from '../persistence/prisma-errors';
import { PrismaService } from '../persistence/prisma.service';
import { PlatformModule } from '../platform.module';
import { IDEMPOTENCY_TTL_MS } from './idempotency-key';
import { IdempotencyService, type NewIdempotencyRecord } from './idempotency.service';

/** The raw statements of the idempotency records: what they write, what they read back, how they fail. */
describe('IdempotencyService (raw statements)', () => {
  let env: TestEnv;
  let app: INestApplicationContext;
  let db: Database;
  let prisma: PrismaService;
  let records: IdempotencyService;

  beforeAll(async () => {
    env = await createTestEnv();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config)] }).compile();
    app = await moduleRef.init();
    db = app.get(Database);
    prisma = app.get(PrismaService);
    records = app.get(IdempotencyService);
  });
  afterAll(async () => {
    await app?.close();
    await env?.close();
  });

  function record(overrides: Partial<NewIdempotencyRecord> = {}): NewIdempotencyRecord {
    return {
      scope: { organizationId: newId('org'), customerId: null },
      key: 'k',
      fingerprint: 'fp',
      statusCode: 201,
      requestId: newId('req'),
      response: { kind: 'ok', body: { data: { id: 'cus_1', note: 'ü' } }, enveloped: true },
      ...overrides,
    };
  }

  it('save writes every column (sealed response, the restriction as customer_scope) and find reads it back', async () => {
    const customerId = newId('cus');
    const saved = record({ scope: { organizationId: newId('org'), customerId }, statusCode: 422 });
    const before = Date.now();
    await db.transaction(() => records.save(saved));

    const row = await prisma.idempotencyRecord.findUniqueOrThrow({
      where: { orgId_customerScope_key: { orgId: saved.scope.organizationId, customerScope: customerId, key: 'k' } },
    });
    expect(row).toMatchObject({ fingerprint: 'fp', statusCode: 422, requestId: saved.requestId });
    expect(row.responseCiphertext).not.toContain('cus_1'); // sealed
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(row.createdAt.getTime()).toBeLessThanOrEqual(Date.now());

    const found = await db.transaction(() => records.find(saved.scope, 'k'));
    expect(found).toEqual({
      fingerprint: 'fp',
      statusCode: 422,
      requestId: saved.requestId,
      createdAt: row.createdAt,
      response: saved.response,
    });
    // Another key space (unrestricted) does not see it.
    expect(await db.transaction(() => records.find({ organizationId: saved.scope.organizationId, customerId: null }, 'k'))).toBeNull();
    // lockAndFind maps the same row the same way.
    expect(await db.transaction(() => records.lockAndFind(saved.scope, 'k'))).toEqual({ locked: true, record: found });
  });

  it('a second save of the same (scope, key) fails as a unique violation and rolls back its transaction', async () => {
    const first = record();
    await db.transaction(() => records.save(first));
    let failure: unknown;
    try {
      await db.transaction(() => records.save({ ...first, fingerprint: 'other' }));
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeDefined();
    expect(isUniqueViolation(failure)).toBe(true);
    expect((await db.transaction(() => records.find(first.scope, 'k')))?.fingerprint).toBe('fp');
  });

  it('find deletes a record past the retention and answers null', async () => {
    const old = record();
    await prisma.idempotencyRecord.create({
      data: {
        orgId: old.scope.organizationId,
        key: 'k',
        fingerprint: 'fp',
        statusCode: 201,
        responseCiphertext: 'not read',
        requestId: old.requestId,
        createdAt: new Date(Date.now() - IDEMPOTENCY_TTL_MS - 60_000),
      },
    });
    expect(await db.transaction(() => records.find(old.scope, 'k'))).toBeNull();
    expect(await prisma.idempotencyRecord.count({ where: { orgId: old.scope.organizationId } })).toBe(0);
  });
});
