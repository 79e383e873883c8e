import { Body, Controller, HttpCode, Injectable, Module, Post, UseGuards } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import {
  AppError,
  CurrentPrincipal,
  Database,
  IdempotencyService,
  isId,
  newId,
  PlatformHttpModule,
  PlatformModule,
  type Principal,
  PrismaService,
  Public,
  Transactional,
} from '@kirim/platform';
import { createTestApp, createTestEnv, FakePrincipalGuard, type TestApp, type TestEnv } from '@kirim/testing';
import { randomBytes } from 'node:crypto';

class WidgetDto {
  @IsString() @MaxLength(50) name!: string;
  @IsOptional() @IsString() mode?: string;
}

/** A service with its own @Transactional() write, as the contexts' application services have. */
@Injectable()
class WidgetService {
  calls = 0;
  failuresLeft = 0;
  constructor(private readonly db: Database) {}

  @Transactional()
  async create(orgId: string, name: string, mode?: string): Promise<{ id: string; object: string; name: string; secret: string }> {
    this.calls++;
    const id = newId('evt');
    await this.db.tx.event.create({ data: { id, orgId, type: 'widget.created', data: { name } } });
    if (mode === 'slow') await this.db.tx.$executeRaw`SELECT pg_sleep(0.3)`;
    if (mode === 'reject') throw new AppError('customer_archived', 'The customer is archived.', { headers: { 'X-Test': 'kept' } });
    if (mode === 'flaky' && this.failuresLeft-- > 0) throw new Error('transient fault');
    return { id, object: 'widget', name, secret: `sk_${randomBytes(12).toString('hex')}` };
  }
}

@Controller('v1/widgets')
@UseGuards(FakePrincipalGuard)
class WidgetsController {
  constructor(private readonly widgets: WidgetService) {}

  @Post()
  create(@Body() body: WidgetDto, @CurrentPrincipal() principal: Principal) {
    return this.widgets.create(principal.organizationId, body.name, body.mode);
  }

  @Post('send')
  @HttpCode(202)
  send(@Body() body: WidgetDto, @CurrentPrincipal() principal: Principal) {
    return this.widgets.create(principal.organizationId, body.name, body.mode);
  }

  @Post('public')
  @Public()
  publicCreate(@Body() body: WidgetDto) {
    return this.widgets.create('org_public', body.name, body.mode);
  }
}

@Module({ controllers: [WidgetsController], providers: [WidgetService] })
class WidgetsModule {}

describe('Idempotency-Key on POST', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let widgets: WidgetService;
  let n = 0;
  /** A fresh organization per test: buckets, keys and effects never overlap. */
  const org = () => `org_${++n}_${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), PlatformHttpModule, WidgetsModule] });
    prisma = t.app.get(PrismaService);
    widgets = t.app.get(WidgetService);
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  const post = (orgId: string, key: string | undefined, body: object, path = '/v1/widgets') => {
    const req = t.http.post(path).set('x-test-org', orgId);
    return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
  };
  const effects = (orgId: string) => prisma.event.count({ where: { orgId } });

  it('first request: processed, stored encrypted, Idempotent-Replayed: false', async () => {
    const o = org();
    const res = await post(o, 'k1', { name: 'a' });
    expect(res.status).toBe(201);
    expect(res.headers['idempotent-replayed']).toBe('false');
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
    const record = await prisma.idempotencyRecord.findUniqueOrThrow({
      where: { orgId_customerScope_key: { orgId: o, customerScope: '', key: 'k1' } },
    });
    expect(record.statusCode).toBe(201);
    expect(record.requestId).toBe(res.headers['x-request-id']);
    expect(record.responseCiphertext).not.toContain(res.body.data.secret);
    expect(record.responseCiphertext).not.toContain(res.body.data.id);
  });

  it('replay: identical data (one-time secret included), current request id, no second effect, not wrapped twice', async () => {
    const o = org();
    const first = await post(o, 'k', { name: 'a' });
    const calls = widgets.calls;
    const again = await post(o, 'k', { name: 'a' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['idempotent-original-request-id']).toBe(first.headers['x-request-id']);
    expect(again.body).toEqual({ data: first.body.data, request_id: again.headers['x-request-id'] });
    expect(again.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    expect(widgets.calls).toBe(calls);
    expect(await effects(o)).toBe(1);
  });

  it('keeps the status of @HttpCode on first answer and replay', async () => {
    const o = org();
    const first = await post(o, 'k', { name: 'a' }, '/v1/widgets/send');
    const again = await post(o, 'k', { name: 'a' }, '/v1/widgets/send');
    expect([first.status, again.status]).toEqual([202, 202]);
    expect(again.body.data).toEqual(first.body.data);
    expect((await prisma.idempotencyRecord.findFirstOrThrow({ where: { orgId: o } })).statusCode).toBe(202);
  });

  it('the fingerprint ignores key order in the body', async () => {
    const o = org();
    await post(o, 'k', { name: 'a', mode: 'x' });
    const again = await post(o, 'k', { mode: 'x', name: 'a' });
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  it('same key, different body or path → 422 idempotency_key_reuse, no effect', async () => {
    const o = org();
    await post(o, 'k', { name: 'a' });
    const other = await post(o, 'k', { name: 'b' });
    expect(other.status).toBe(422);
    expect(other.body.error).toMatchObject({
      code: 'idempotency_key_reuse',
      param: 'Idempotency-Key',
      request_id: other.headers['x-request-id'],
    });
    const otherPath = await post(o, 'k', { name: 'a' }, '/v1/widgets/send');
    expect(otherPath.status).toBe(422);
    expect(await effects(o)).toBe(1);
  });

  it('two concurrent requests with one key → exactly one effect, the other 409 idempotency_in_progress or a replay', async () => {
    const o = org();
    const [a, b] = await Promise.all([post(o, 'k', { name: 'a', mode: 'slow' }), post(o, 'k', { name: 'a', mode: 'slow' })]);
    const statuses = [a.status, b.status].sort((x, y) => x - y);
    expect(statuses[0]).toBe(201);
    expect([201, 409]).toContain(statuses[1]);
    const loser = a.status === 409 ? a : b.status === 409 ? b : undefined;
    if (loser) expect(loser.body.error.code).toBe('idempotency_in_progress');
    else expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].sort()).toEqual(['false', 'true']);
    expect(await effects(o)).toBe(1);
    // Once the first has committed, the key replays.
    const later = await post(o, 'k', { name: 'a', mode: 'slow' });
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(await effects(o)).toBe(1);
  });

  it('a 500 is not stored: its effect rolled back, and a retry runs and succeeds', async () => {
    const o = org();
    widgets.failuresLeft = 1;
    const failed = await post(o, 'k', { name: 'a', mode: 'flaky' });
    expect(failed.status).toBe(500);
    expect(failed.body.error.code).toBe('internal_error');
    expect(await effects(o)).toBe(0);
    expect(await prisma.idempotencyRecord.count({ where: { orgId: o } })).toBe(0);
    const retry = await post(o, 'k', { name: 'a', mode: 'flaky' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('false');
    expect(await effects(o)).toBe(1);
  });

  it('a 4xx is stored without its effect and replayed (same code, message, headers; current request id)', async () => {
    const o = org();
    const first = await post(o, 'k', { name: 'a', mode: 'reject' });
    expect(first.status).toBe(409);
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(await effects(o)).toBe(0);
    const calls = widgets.calls;
    const again = await post(o, 'k', { name: 'a', mode: 'reject' });
    expect(widgets.calls).toBe(calls);
    expect(again.status).toBe(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['idempotent-original-request-id']).toBe(first.headers['x-request-id']);
    expect(again.headers['x-test']).toBe('kept');
    expect(again.body).toEqual({ error: { ...first.body.error, request_id: again.headers['x-request-id'] } });
    expect(await effects(o)).toBe(0);
  });

  it('a validation error of the body is a 4xx too: stored and replayed', async () => {
    const o = org();
    const first = await post(o, 'k', { name: 'a', extra: 1 });
    expect(first.body.error.code).toBe('unknown_field');
    const again = await post(o, 'k', { name: 'a', extra: 1 });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.error.param).toBe('extra');
  });

  it('keys are per organization: the same key in two organizations makes two effects', async () => {
    const [o1, o2] = [org(), org()];
    const a = await post(o1, 'shared', { name: 'a' });
    const b = await post(o2, 'shared', { name: 'a' });
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']]).toEqual(['false', 'false']);
    expect(a.body.data.id).not.toBe(b.body.data.id);
    expect([await effects(o1), await effects(o2)]).toEqual([1, 1]);
  });

  it('without the header every POST is processed; unauthenticated routes ignore it', async () => {
    const o = org();
    await post(o, undefined, { name: 'a' });
    const second = await post(o, undefined, { name: 'a' });
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(await effects(o)).toBe(2);
    const pub = await t.http.post('/v1/widgets/public').set('Idempotency-Key', 'k').send({ name: 'a' });
    expect(pub.status).toBe(201);
    expect(pub.headers['idempotent-replayed']).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(256)],
    ['non-ASCII', 'clé'],
  ])('%s key → 400 invalid_field_value param Idempotency-Key, nothing runs', async (_name, key) => {
    const o = org();
    const res = await post(o, key, { name: 'a' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_field_value', param: 'Idempotency-Key' });
    expect(await effects(o)).toBe(0);
  });

  it('a record past 24 h no longer replays: the key starts afresh', async () => {
    const o = org();
    await post(o, 'k', { name: 'a' });
    await prisma.idempotencyRecord.updateMany({ where: { orgId: o }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    const again = await post(o, 'k', { name: 'b' });
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('false');
    expect(await effects(o)).toBe(2);
  });

  it('a holder that commits between the lock-and-read snapshot and the lock is replayed, not a 500 (one retry)', async () => {
    const o = org();
    const first = await post(o, 'k', { name: 'a' });
    expect(first.status).toBe(201);
    // Simulate the race of lockAndFind's single statement: the lock is taken but the snapshot predates the
    // other request's commit, so the record is not seen once. The insert of the record then conflicts.
    const records = t.app.get(IdempotencyService);
    const real = records.lockAndFind.bind(records);
    const spy = jest
      .spyOn(records, 'lockAndFind')
      .mockImplementationOnce(async (scope, key) => ({ ...(await real(scope, key)), record: null }));
    try {
      const calls = widgets.calls;
      const again = await post(o, 'k', { name: 'a' });
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.headers['idempotent-original-request-id']).toBe(first.headers['x-request-id']);
      expect(again.body.data).toEqual(first.body.data);
      expect(widgets.calls).toBe(calls + 1); // ran once, rolled back, then replayed
      expect(await effects(o)).toBe(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('purgeExpired deletes only records older than 24 h', async () => {
    const o = org();
    const hours = (h: number) => new Date(Date.now() - h * 3600_000);
    const row = (key: string, createdAt: Date) => ({
      orgId: o,
      key,
      fingerprint: 'f',
      statusCode: 201,
      responseCiphertext: 'x',
      requestId: newId('req'),
      createdAt,
    });
    await prisma.idempotencyRecord.createMany({
      data: [row('old', hours(25)), row('older', hours(100)), row('young', hours(23)), row('new', new Date())],
    });
    const purged = await t.app.get(IdempotencyService).purgeExpired();
    expect(purged).toBeGreaterThanOrEqual(2);
    const left = await prisma.idempotencyRecord.findMany({ where: { orgId: o }, select: { key: true } });
    expect(left.map((r) => r.key).sort()).toEqual(['new', 'young']);
    expect(isId('req', (await prisma.idempotencyRecord.findFirstOrThrow({ where: { orgId: o } })).requestId)).toBe(true);
  });
});
