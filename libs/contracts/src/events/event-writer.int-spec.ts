import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Database, newId, PlatformModule } from '@kirim/platform';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { ContractsModule } from '../contracts.module';
import type { CustomerResource } from '../resources/resources';
import { EventWriter } from './event-writer';

/**
 * The transactional outbox (spec 06 § Events): an event is committed exactly when the change it
 * describes is, through the caller's transaction; appending outside a transaction is refused.
 */
describe('EventWriter: the transactional outbox', () => {
  let env: TestEnv;
  let app: INestApplicationContext;
  let db: Database;
  let events: EventWriter;

  const organizationId = newId('org');
  const teamId = newId('team');

  function customer(id: string): CustomerResource {
    const now = new Date().toISOString();
    return {
      id,
      object: 'customer',
      name: 'Acme',
      email: null,
      status: 'pending',
      metadata: null,
      team_id: teamId,
      archived_at: null,
      created_at: now,
      updated_at: now,
    };
  }

  /** "The change": a row of a platform table, written through the same transaction as its event. */
  function writeChange(key: string) {
    return db.tx.idempotencyRecord.create({
      data: { orgId: organizationId, key, fingerprint: 'f', statusCode: 201, responseCiphertext: 'x', requestId: newId('req') },
    });
  }

  async function state(key: string, customerId: string) {
    const [row, event] = await Promise.all([
      db.tx.idempotencyRecord.findUnique({ where: { orgId_customerScope_key: { orgId: organizationId, customerScope: '', key } } }),
      db.tx.event.findFirst({ where: { orgId: organizationId, customerId } }),
    ]);
    return { row, event };
  }

  beforeAll(async () => {
    env = await createTestEnv();
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule.forRoot(env.config), ContractsModule] }).compile();
    app = await moduleRef.init();
    db = app.get(Database);
    events = app.get(EventWriter);
  });
  afterAll(async () => {
    await app?.close();
    await env?.close();
  });

  it('commits the event together with the change', async () => {
    const customerId = newId('cus');
    const data = { customer: customer(customerId) };
    const appended = await db.transaction(async () => {
      await writeChange('commit');
      return events.append('customer.created', { organizationId, teamId, customerId }, data);
    });

    const { row, event } = await state('commit', customerId);
    expect(row).not.toBeNull();
    expect(event).not.toBeNull();
    expect(appended).toEqual({
      id: event?.id,
      object: 'event',
      type: 'customer.created',
      created_at: event?.createdAt.toISOString(),
      organization_id: organizationId,
      team_id: teamId,
      customer_id: customerId,
      data,
      previous_attributes: null,
    });
    expect(appended.id).toMatch(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(event?.data).toEqual(data);
    expect(event?.relayedAt).toBeNull();
  });

  it('stores previous_attributes for *.updated events', async () => {
    const customerId = newId('cus');
    const appended = await db.transaction(() =>
      events.append('customer.updated', { organizationId, teamId, customerId }, { customer: customer(customerId) }, { name: 'Old' }),
    );
    const stored = await db.tx.event.findUniqueOrThrow({ where: { id: appended.id } });
    expect(stored.previousAttributes).toEqual({ name: 'Old' });
    expect(appended.previous_attributes).toEqual({ name: 'Old' });
  });

  it('a failure after the writes rolls back both the change and its event', async () => {
    const customerId = newId('cus');
    let appendedId: string | undefined;
    await expect(
      db.transaction(async () => {
        await writeChange('rollback');
        appendedId = (await events.append('customer.created', { organizationId, teamId, customerId }, { customer: customer(customerId) }))
          .id;
        // Both are visible inside the transaction…
        expect((await state('rollback', customerId)).event?.id).toBe(appendedId);
        throw new Error('forced failure after the writes');
      }),
    ).rejects.toThrow('forced failure after the writes');

    expect(appendedId).toBeDefined();
    // …and neither survives it.
    expect(await state('rollback', customerId)).toEqual({ row: null, event: null });
    expect(await db.tx.event.count({ where: { id: appendedId } })).toBe(0);
  });

  it('refuses to append outside a transaction and writes nothing', async () => {
    const customerId = newId('cus');
    expect(db.inTransaction).toBe(false);
    await expect(
      events.append('customer.created', { organizationId, teamId, customerId }, { customer: customer(customerId) }),
    ).rejects.toThrow(/must be appended inside the transaction/);
    expect(await db.tx.event.count({ where: { customerId } })).toBe(0);
  });
});
