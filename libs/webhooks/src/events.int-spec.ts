import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { Database, isId, newId, PlatformHttpModule, PlatformModule } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WebhooksHttpModule } from './webhooks-http.module';

interface EventJson {
  id: string;
  object: string;
  type: string;
  created_at: string;
  organization_id: string;
  team_id: string | null;
  customer_id: string | null;
  data: Record<string, unknown>;
  previous_attributes: Record<string, unknown> | null;
}

type Row = {
  id: string;
  orgId: string;
  teamId: string | null;
  customerId: string | null;
  type: string;
  data: unknown;
  previousAttributes: unknown;
  createdAt: Date;
};

/** The spec 06 shape, computed here independently of the code under test. */
const toJson = (r: Row): EventJson => ({
  id: r.id,
  object: 'event',
  type: r.type,
  created_at: r.createdAt.toISOString(),
  organization_id: r.orgId,
  team_id: r.teamId,
  customer_id: r.customerId,
  data: r.data as Record<string, unknown>,
  previous_attributes: (r.previousAttributes ?? null) as Record<string, unknown> | null,
});

const newestFirst = (a: EventJson, b: EventJson) =>
  a.created_at === b.created_at ? (a.id < b.id ? 1 : -1) : a.created_at < b.created_at ? 1 : -1;

const DAY = 24 * 60 * 60 * 1000;
const TYPES = ['customer.created', 'customer.updated', 'customer.setup_link.created', 'account.connected', 'customer.onboarded'] as const;

describe('GET /v1/events', () => {
  let env: TestEnv;
  let t: TestApp;
  let db: Database;

  let a: OrgSession;
  let b: OrgSession;
  /** A key of organization A restricted to customer 1. */
  let restricted: { Authorization: string };
  let orgA: string;
  let cus1: string;
  let cus2: string;
  const base = Date.parse('2026-06-01T00:00:00.000Z');
  /** A's events, newest first (the expected order of the list). */
  let seeded: EventJson[] = [];
  let foreign: EventJson;

  async function seed(orgId: string, teamId: string, i: number, type: string, customerId: string | null, createdAt: Date): Promise<void> {
    await db.tx.event.create({
      data: {
        id: newId('evt'),
        orgId,
        teamId,
        customerId,
        type,
        data: { n: i, customer: customerId ? { id: customerId } : null },
        previousAttributes: type === 'customer.updated' ? { name: `old ${i}` } : undefined,
        createdAt,
      },
    });
  }

  async function eventsOf(orgId: string): Promise<EventJson[]> {
    return (await db.tx.event.findMany({ where: { orgId } })).map(toJson).sort(newestFirst);
  }

  const as = (auth: { Authorization: string }) => ({ get: (url: string) => t.http.get(url).set(auth) });
  const A = () => as(a.auth);

  async function all(url: string, client = A()): Promise<EventJson[]> {
    const out: EventJson[] = [];
    let next: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const sep = url.includes('?') ? '&' : '?';
      const res = await client.get(next ? `${url}${sep}cursor=${encodeURIComponent(next)}` : url);
      expect(res.status).toBe(200);
      out.push(...(res.body.data as EventJson[]));
      next = res.body.next_cursor as string | null;
      expect(res.body.has_more).toBe(next !== null);
      if (!next) return out;
    }
    throw new Error('too many pages');
  }

  function expectError(
    res: { status: number; body: { error?: { code?: string; param?: string } } },
    status: number,
    code: string,
    param?: string,
  ) {
    expect({ status: res.status, code: res.body.error?.code, param: res.body.error?.param }).toEqual({ status, code, param });
  }

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WebhooksHttpModule,
        contextPorts(),
      ],
    });
    db = t.app.get(Database);
    a = await createOrgSession(t.app);
    b = await createOrgSession(t.app);
    orgA = a.organizationId;
    // Two real customers (tenancy writes their customer.created events, which the log must show too).
    const customer = async (name: string) => {
      const res = await t.http.post('/v1/customers').set(a.auth).send({ name });
      expect(res.status).toBe(201);
      return res.body.data.id as string;
    };
    cus1 = await customer('One');
    cus2 = await customer('Two');
    restricted = {
      Authorization: `Bearer ${(await t.app.get(ApiKeysService).create(orgA, { customerId: cus1, label: 'restricted' })).secret}`,
    };
    // 40 more events a minute apart in the past; events 10 and 11 share a timestamp (the id breaks the tie).
    for (let i = 0; i < 40; i++) {
      const type = TYPES[i % TYPES.length] as string;
      const customerId = i % 3 === 0 ? cus1 : i % 3 === 1 ? cus2 : null;
      await seed(orgA, a.teamId, i, type, customerId, new Date(base + (i === 11 ? 10 : i) * 60_000));
    }
    await seed(b.organizationId, b.teamId, 99, 'customer.created', null, new Date(base + 5 * 60_000));
    seeded = await eventsOf(orgA);
    foreign = (await eventsOf(b.organizationId))[0] as EventJson;
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  it('shows the events tenancy wrote through the outbox (customer.created for each new customer)', async () => {
    const res = await A().get(`/v1/events?type=customer.created&customer_id=${cus1}&created_after=${new Date(base + DAY).toISOString()}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(1);
    const customer = (await t.http.get(`/v1/customers/${cus1}`).set(a.auth)).body.data as Record<string, unknown>;
    expect(res.body.data[0]).toMatchObject({ type: 'customer.created', organization_id: orgA, team_id: a.teamId, customer_id: cus1 });
    expect((res.body.data[0] as EventJson).data['customer']).toMatchObject({ id: cus1, object: 'customer', name: 'One' });
    expect(customer['id']).toBe(cus1);
  });

  it('lists the organization’s events newest first, 25 by default, in the spec 06 shape', async () => {
    const res = await A().get('/v1/events');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(25);
    expect(res.body.has_more).toBe(true);
    expect(typeof res.body.next_cursor).toBe('string');
    expect(isId('req', res.body.request_id)).toBe(true);
    expect(res.body.data).toEqual(seeded.slice(0, 25));
    expect(Object.keys(res.body.data[0]).sort()).toEqual([
      'created_at',
      'customer_id',
      'data',
      'id',
      'object',
      'organization_id',
      'previous_attributes',
      'team_id',
      'type',
    ]);
  });

  it('pages through everything with cursors, without gaps or repeats (ties on created_at included)', async () => {
    const paged = await all('/v1/events?limit=7');
    expect(paged.map((e) => e.id)).toEqual(seeded.map((e) => e.id));
    expect(paged.map((e) => e.id)).not.toContain(foreign.id);
  });

  it('a cursor only works with the filters it was made with', async () => {
    const first = await A().get('/v1/events?limit=2&type=customer.*');
    const cursor = encodeURIComponent(first.body.next_cursor as string);
    expect((await A().get(`/v1/events?limit=2&type=customer.*&cursor=${cursor}`)).status).toBe(200);
    expectError(await A().get(`/v1/events?limit=2&type=customer.created&cursor=${cursor}`), 400, 'invalid_cursor', 'cursor');
    expectError(await A().get(`/v1/events?limit=2&cursor=${cursor}`), 400, 'invalid_cursor', 'cursor');
    expectError(await as(b.auth).get(`/v1/events?limit=2&type=customer.*&cursor=${cursor}`), 400, 'invalid_cursor', 'cursor');
  });

  it('filters by exact type', async () => {
    const got = await all('/v1/events?type=customer.updated');
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual(seeded.filter((e) => e.type === 'customer.updated'));
    expect(got[0]?.previous_attributes).toEqual({ name: expect.stringMatching(/^old \d+$/) });
  });

  it('filters by prefix pattern (customer.* includes customer.setup_link.*, excludes account.*)', async () => {
    const got = await all('/v1/events?type=customer.*');
    expect(got).toEqual(seeded.filter((e) => e.type.startsWith('customer.')));
    expect(new Set(got.map((e) => e.type))).toEqual(
      new Set(['customer.created', 'customer.updated', 'customer.setup_link.created', 'customer.onboarded']),
    );
    expect(await all('/v1/events?type=customer.setup_link.*')).toEqual(seeded.filter((e) => e.type === 'customer.setup_link.created'));
    expect(await all('/v1/events?type=account.*')).toEqual(seeded.filter((e) => e.type === 'account.connected'));
  });

  it.each(['customer', 'customer.deleted', 'nope.*', '*', 'customer.*.created', ''])(
    'type=%p → 400 invalid_field_value param type',
    async (value) => {
      expectError(await A().get(`/v1/events?type=${encodeURIComponent(value)}`), 400, 'invalid_field_value', 'type');
    },
  );

  it('a repeated filter parameter → 400 invalid_field_value', async () => {
    expectError(await A().get('/v1/events?type=customer.created&type=account.connected'), 400, 'invalid_field_value', 'type');
  });

  it('filters by customer_id (and combines filters)', async () => {
    expect(await all(`/v1/events?customer_id=${cus1}`)).toEqual(seeded.filter((e) => e.customer_id === cus1));
    expect(await all(`/v1/events?customer_id=${cus2}&type=customer.*`)).toEqual(
      seeded.filter((e) => e.customer_id === cus2 && e.type.startsWith('customer.')),
    );
    expect(await all(`/v1/events?customer_id=${newId('cus')}`)).toEqual([]);
    expectError(await A().get('/v1/events?customer_id=cus_123'), 400, 'invalid_field_value', 'customer_id');
    expectError(await A().get(`/v1/events?customer_id=${orgA}`), 400, 'invalid_field_value', 'customer_id');
  });

  it('filters by time range (both bounds exclusive)', async () => {
    const after = new Date(base + 5 * 60_000).toISOString(); // event 5's created_at
    const before = new Date(base + 15 * 60_000).toISOString(); // event 15's created_at
    const got = await all(`/v1/events?created_after=${after}&created_before=${before}`);
    expect(got).toEqual(seeded.filter((e) => e.created_at > after && e.created_at < before));
    expect(got).toHaveLength(9); // events 6..14 (11 sits at minute 10), bounds excluded
  });

  it('accepts other ISO 8601 forms and answers 400 with the param for bad timestamps', async () => {
    const got = await all(`/v1/events?created_after=${encodeURIComponent('2026-06-01T07:30:00+07:00')}`); // 00:30 UTC
    expect(got).toEqual(seeded.filter((e) => e.created_at > '2026-06-01T00:30:00.000Z'));
    expect(await all('/v1/events?created_before=2026-06-01')).toEqual([]);
    expectError(await A().get('/v1/events?created_after=yesterday'), 400, 'invalid_field_value', 'created_after');
    expectError(await A().get('/v1/events?created_before=2026-02-30T00:00:00Z'), 400, 'invalid_field_value', 'created_before');
    expectError(await A().get('/v1/events?created_before=1717495200'), 400, 'invalid_field_value', 'created_before');
  });

  it('limit and unknown parameters follow the conventions', async () => {
    expectError(await A().get('/v1/events?limit=0'), 400, 'invalid_limit', 'limit');
    expectError(await A().get('/v1/events?limit=101'), 400, 'invalid_limit', 'limit');
    expectError(await A().get('/v1/events?colour=red'), 400, 'unknown_field', 'colour');
    expectError(await A().get('/v1/events?cursor=forged'), 400, 'invalid_cursor', 'cursor');
    const res = await A().get('/v1/events?limit=100');
    expect(res.body.data).toHaveLength(42);
    expect(res.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('another organization sees none of these events', async () => {
    expect(await all('/v1/events', as(b.auth))).toEqual([foreign]);
    expect(await all('/v1/events', as((await createOrgSession(t.app)).auth))).toEqual([]);
  });

  describe('GET /v1/events/{id}', () => {
    it('returns one event', async () => {
      const event = seeded[3] as EventJson;
      const res = await A().get(`/v1/events/${event.id}`);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual(event);
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });

    it('another organization’s event or an unknown id → 404; a malformed id → 400', async () => {
      expectError(await A().get(`/v1/events/${foreign.id}`), 404, 'resource_not_found');
      expectError(await as(b.auth).get(`/v1/events/${(seeded[0] as EventJson).id}`), 404, 'resource_not_found');
      expectError(await A().get(`/v1/events/${newId('evt')}`), 404, 'resource_not_found');
      expectError(await A().get('/v1/events/evt_123'), 400, 'invalid_field_value', 'id');
      expectError(await A().get(`/v1/events/${cus1}`), 400, 'invalid_field_value', 'id');
    });
  });

  describe('a customer-restricted key', () => {
    const R = () => as(restricted);

    it('lists only its customer’s events (not org-level ones, not other customers’)', async () => {
      const got = await all('/v1/events?limit=5', R());
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(seeded.filter((e) => e.customer_id === cus1));
      expect(await all(`/v1/events?customer_id=${cus2}`, R())).toEqual([]);
      expect(await all(`/v1/events?customer_id=${cus1}&type=customer.*`, R())).toEqual(
        seeded.filter((e) => e.customer_id === cus1 && e.type.startsWith('customer.')),
      );
    });

    it('reads its customer’s event; another customer’s or an org-level event → 404', async () => {
      const own = seeded.find((e) => e.customer_id === cus1) as EventJson;
      const other = seeded.find((e) => e.customer_id === cus2) as EventJson;
      const orgLevel = seeded.find((e) => e.customer_id === null) as EventJson;
      expect((await R().get(`/v1/events/${own.id}`)).body.data).toEqual(own);
      expectError(await R().get(`/v1/events/${other.id}`), 404, 'resource_not_found');
      expectError(await R().get(`/v1/events/${orgLevel.id}`), 404, 'resource_not_found');
    });

    it('cannot reuse the organization’s cursor', async () => {
      const first = await A().get('/v1/events?limit=2');
      expectError(
        await R().get(`/v1/events?limit=2&cursor=${encodeURIComponent(first.body.next_cursor as string)}`),
        400,
        'invalid_cursor',
        'cursor',
      );
    });
  });
});
