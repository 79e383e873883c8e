import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { newId } from '../ids/ids';
import { Database } from '../persistence/database';
import { PrismaService } from '../persistence/prisma.service';
import { PlatformModule } from '../platform.module';
import { toEventResource, toStoredEvent } from './event-record';
import { OutboxWriter } from './outbox.writer';

/** The outbox's raw INSERT: the row it writes, the resource it answers, and the transaction it needs. */
describe('OutboxWriter (raw insert)', () => {
  let env: TestEnv;
  let app: INestApplicationContext;
  let db: Database;
  let prisma: PrismaService;
  let outbox: OutboxWriter;

  beforeAll(async () => {
    env = await createTestEnv();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config)] }).compile();
    app = await moduleRef.init();
    db = app.get(Database);
    prisma = app.get(PrismaService);
    outbox = app.get(OutboxWriter);
  });
  afterAll(async () => {
    await app?.close();
    await env?.close();
  });

  it('answers exactly the event the table holds (ids, nulls, JSON, previous attributes, created_at)', async () => {
    const organizationId = newId('org');
    const data = { customer: { id: 'cus_x', metadata: { nested: [1, 'two', null], 'q"uote': 'é' }, email: null } };
    const before = Date.now();
    const withPrevious = await db.transaction(() =>
      outbox.append({
        type: 'customer.updated',
        organizationId,
        teamId: 'team_1',
        customerId: 'cus_x',
        data,
        previousAttributes: { name: 'Old', email: null },
      }),
    );
    const without = await db.transaction(() =>
      outbox.append({ type: 'organization.updated', organizationId, teamId: null, customerId: null, data: {} }),
    );

    for (const appended of [withPrevious, without]) {
      const row = await prisma.event.findUniqueOrThrow({ where: { id: appended.id } });
      expect(appended).toEqual(toEventResource(toStoredEvent(row)));
      expect(row.relayedAt).toBeNull();
      expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    }
    expect(withPrevious).toMatchObject({
      object: 'event',
      type: 'customer.updated',
      organization_id: organizationId,
      team_id: 'team_1',
      customer_id: 'cus_x',
      data,
      previous_attributes: { name: 'Old', email: null },
    });
    expect(without).toMatchObject({ team_id: null, customer_id: null, data: {}, previous_attributes: null });
    // No previous attributes is SQL NULL, not JSON null.
    const nulls = await prisma.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM events WHERE id = ${without.id} AND previous_attributes IS NULL`;
    expect(nulls[0]?.n).toBe(1);
  });

  it('refuses outside a transaction and is rolled back with its transaction', async () => {
    const organizationId = newId('org');
    const event = { type: 'customer.created', organizationId, teamId: null, customerId: null, data: { a: 1 } };
    await expect(outbox.append(event)).rejects.toThrow('must be appended inside the transaction of its change');

    let appendedId: string | undefined;
    await expect(
      db.transaction(async () => {
        appendedId = (await outbox.append(event)).id;
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(appendedId).toBeDefined();
    expect(await prisma.event.count({ where: { orgId: organizationId } })).toBe(0);
  });
});
