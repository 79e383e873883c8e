import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Database, newId, PlatformModule, PrismaService } from '@kirim/platform';
import { createTestEnv, type TestEnv } from '@kirim/testing';
import { CustomersRepository, type NewCustomer } from './customers.repository';

/** The raw INSERT of `create`: every column written, and the row it answers mapped like every other read. */
describe('CustomersRepository.create (raw insert)', () => {
  let env: TestEnv;
  let app: INestApplicationContext;
  let db: Database;
  let prisma: PrismaService;
  let customers: CustomersRepository;

  beforeAll(async () => {
    env = await createTestEnv();
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule.forRoot(env.config)],
      providers: [CustomersRepository],
    }).compile();
    app = await moduleRef.init();
    db = app.get(Database);
    prisma = app.get(PrismaService);
    customers = app.get(CustomersRepository);
  });
  afterAll(async () => {
    await app?.close();
    await env?.close();
  });

  const scopeOf = (customer: NewCustomer) => ({ organizationId: customer.organizationId, customerId: null });

  it.each([
    ['with email and metadata', { email: 'a@example.com', metadata: { plan: 'pro', tags: ['x', 'y'], n: 1.5, ok: true, none: null } }],
    ['without either', { email: null, metadata: null }],
  ])('answers the stored customer, %s', async (_, fields) => {
    const input: NewCustomer = { id: newId('cus'), organizationId: newId('org'), teamId: newId('team'), name: 'Acme "Ü"', ...fields };
    const before = Date.now();
    const created = await db.transaction(() => customers.create(input));

    expect(created).toEqual({
      id: input.id,
      organizationId: input.organizationId,
      teamId: input.teamId,
      name: input.name,
      email: fields.email,
      status: 'pending',
      metadata: fields.metadata,
      archivedAt: null,
      createdAt: expect.any(Date),
      updatedAt: created.createdAt,
    });
    expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(created.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    // The read path (a Prisma model query) sees the same customer.
    expect(await customers.find(scopeOf(input), input.id)).toEqual(created);
    // No metadata is SQL NULL (like Prisma's DbNull), not JSON null.
    const sqlNull = await prisma.$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM customers WHERE id = ${input.id} AND metadata IS NULL`;
    expect(sqlNull[0]?.n).toBe(fields.metadata === null ? 1 : 0);
  });

  it('a duplicate id fails inside the transaction and nothing is written twice', async () => {
    const input: NewCustomer = {
      id: newId('cus'),
      organizationId: newId('org'),
      teamId: newId('team'),
      name: 'A',
      email: null,
      metadata: null,
    };
    await db.transaction(() => customers.create(input));
    await expect(db.transaction(() => customers.create({ ...input, name: 'B' }))).rejects.toMatchObject({ code: 'P2010' });
    expect((await customers.find(scopeOf(input), input.id))?.name).toBe('A');
  });
});
