import { Controller, Get, Module, Query, UseGuards } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import {
  CurrentPrincipal,
  Database,
  KEYSET_ORDER,
  keysetWhere,
  ListQueryDto,
  newId,
  Paginator,
  PlatformHttpModule,
  PlatformModule,
  type Principal,
  PrismaService,
} from '@kirim/platform';
import { createTestApp, createTestEnv, FakePrincipalGuard, type TestApp, type TestEnv } from '@kirim/testing';

class EventsQuery extends ListQueryDto {
  @IsOptional() @IsString() type?: string;
}

@Controller('v1/test-events')
@UseGuards(FakePrincipalGuard)
class EventsController {
  constructor(
    private readonly paginator: Paginator,
    private readonly db: Database,
  ) {}

  @Get()
  list(@Query() query: EventsQuery, @CurrentPrincipal() principal: Principal) {
    const orgId = principal.organizationId;
    const filters = { type: query.type };
    return this.paginator.paginate({
      query,
      scope: `test-events:${orgId}`,
      filters,
      fetch: ({ take, after }) =>
        this.db.tx.event.findMany({
          where: { AND: [{ orgId, ...(query.type === undefined ? {} : { type: query.type }) }, keysetWhere(after)] },
          orderBy: KEYSET_ORDER,
          take,
        }),
      map: (row) => ({ id: row.id, object: 'event', type: row.type, created_at: row.createdAt.toISOString() }),
    });
  }

  @Get('other-org')
  listOtherOrg(@Query() query: ListQueryDto) {
    return this.paginator.paginate({
      query,
      scope: 'test-events:org_b',
      filters: { type: undefined },
      fetch: () => Promise.resolve([]),
      map: (row: { id: string; createdAt: Date }) => row.id,
    });
  }
}

@Module({ controllers: [EventsController] })
class EventsModule {}

interface Item {
  id: string;
  type: string;
  created_at: string;
}

describe('Pagination: keyset, signed cursors bound to filters', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  let expected: { id: string; createdAt: number; type: string }[];

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), PlatformHttpModule, EventsModule] });
    prisma = t.app.get(PrismaService);
    // 250 rows in groups of 3 sharing one millisecond (ties), ids not in insertion order, two types.
    const ids = Array.from({ length: 250 }, () => newId('evt')).reverse();
    const rows = ids.map((id, i) => ({
      id,
      orgId: 'org_a',
      type: i % 2 === 0 ? 'even' : 'odd',
      data: {},
      createdAt: new Date(base + Math.floor(i / 3) * 1000 + 0.123 * 1000),
    }));
    await prisma.event.createMany({ data: rows });
    await prisma.event.createMany({ data: [{ id: newId('evt'), orgId: 'org_other', type: 'even', data: {}, createdAt: new Date(base) }] });
    expected = rows
      .map((r) => ({ id: r.id, createdAt: r.createdAt.getTime(), type: r.type }))
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  const get = (query: Record<string, string>) => t.http.get('/v1/test-events').query(query).set('x-test-org', 'org_a');

  async function walk(limit: number, filters: Record<string, string> = {}, between?: () => Promise<void>): Promise<Item[]> {
    const seen: Item[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const res = await get({ ...filters, limit: String(limit), ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
      expect(res.body.data.length).toBeLessThanOrEqual(limit);
      seen.push(...(res.body.data as Item[]));
      cursor = res.body.next_cursor as string | null;
      expect(res.body.has_more).toBe(cursor !== null);
      if (!cursor) return seen;
      if (between) await between();
    }
    throw new Error('did not terminate');
  }

  it('returns every row exactly once, newest first (created_at desc, id desc), across pages', async () => {
    const seen = await walk(7);
    expect(seen.map((i) => i.id)).toEqual(expected.map((e) => e.id));
    expect(seen[0]?.created_at).toBe(new Date(expected[0]?.createdAt ?? 0).toISOString());
  });

  it('defaults to 25 and allows 100; the last page has has_more false and next_cursor null', async () => {
    const first = await get({});
    expect(first.body.data).toHaveLength(25);
    expect(first.body.has_more).toBe(true);
    const big = await get({ limit: '100' });
    expect(big.body.data).toHaveLength(100);
    const all = await walk(100);
    expect(all).toHaveLength(250);
    const exact = await walk(50); // 250 = 5 × 50: the fifth page is the last one
    expect(exact).toHaveLength(250);
  });

  it('is stable when new rows are inserted between page requests', async () => {
    let n = 0;
    const insertNewer = async () => {
      n++;
      await prisma.event.createMany({
        data: [0, 1, 2].map(() => ({ id: newId('evt'), orgId: 'org_a', type: 'even', data: {}, createdAt: new Date(Date.now() + n) })),
      });
    };
    const seen = await walk(20, {}, insertNewer);
    expect(n).toBeGreaterThan(5);
    expect(seen.map((i) => i.id)).toEqual(expected.map((e) => e.id));
    await prisma.event.deleteMany({ where: { orgId: 'org_a', createdAt: { gt: new Date(base + 10_000_000) } } });
  });

  it('applies filters across pages', async () => {
    const seen = await walk(9, { type: 'odd' });
    expect(seen.map((i) => i.id)).toEqual(expected.filter((e) => e.type === 'odd').map((e) => e.id));
  });

  it.each(['0', '101', 'abc', '1.5', '', '-1'])('limit=%p → 400 invalid_limit', async (limit) => {
    const res = await get({ limit });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_limit');
    expect(res.body.error.param).toBe('limit');
  });

  it('a forged or damaged cursor → 400 invalid_cursor', async () => {
    const { body } = await get({ limit: '5' });
    const cursor = body.next_cursor as string;
    const [payload, signature] = cursor.split('.') as [string, string];
    const forgedPayload = Buffer.from(JSON.stringify([Date.now(), 'evt_01HXYZABCDEFGHJKMNPQRSTVWX'])).toString('base64url');
    for (const bad of [`${forgedPayload}.${signature}`, `${payload}.${signature.slice(1)}`, 'abc', `${payload}x.${signature}`]) {
      const res = await get({ limit: '5', cursor: bad });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_cursor', param: 'cursor' });
    }
  });

  it('a cursor reused with other filters or another scope → 400 invalid_cursor', async () => {
    const { body } = await get({ limit: '5' });
    const cursor = body.next_cursor as string;
    expect((await get({ limit: '5', cursor })).status).toBe(200);
    const withFilter = await get({ limit: '5', cursor, type: 'odd' });
    expect(withFilter.status).toBe(400);
    expect(withFilter.body.error.code).toBe('invalid_cursor');
    const filtered = await get({ limit: '5', type: 'odd' });
    const dropped = await get({ limit: '5', cursor: filtered.body.next_cursor as string });
    expect(dropped.body.error.code).toBe('invalid_cursor');
    const otherScope = await t.http.get('/v1/test-events/other-org').query({ cursor }).set('x-test-org', 'org_a');
    expect(otherScope.status).toBe(400);
    expect(otherScope.body.error.code).toBe('invalid_cursor');
    // The limit is not part of the binding: the next page may be asked with another page size.
    expect((await get({ limit: '50', cursor })).status).toBe(200);
  });

  it('unknown query parameters are refused, not ignored', async () => {
    const res = await get({ sort: 'asc' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'unknown_field', param: 'sort' });
  });
});
