import { ApiKeysService } from '@kirim/identity';
import { PrismaService } from '@kirim/platform';
import { createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import type { Response } from 'supertest';
import { AppModule } from '../app/app.module';

/**
 * Idempotency keys are scoped to the organization AND the caller's customer restriction (spec 01): a
 * replay is authorized like a fresh request, and a stored response only reaches a principal of its scope.
 */
describe('idempotency scope: a replay is authorized like a fresh request', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let org: OrgSession;
  let n = 0;
  const key = () => `scope-key-${++n}`;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp(AppModule.forRoot(env.config));
    prisma = t.app.get(PrismaService);
    org = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  const auth = (secret: string) => ({ Authorization: `Bearer ${secret}` });
  const customer = async (session = org): Promise<string> => {
    const res = await t.http.post('/v1/customers').set(session.auth).send({ name: 'Acme' });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const restrictedTo = async (customerId: string, session = org) =>
    auth((await t.app.get(ApiKeysService).create(session.organizationId, { customerId, label: 'restricted' })).secret);
  const post = (path: string, headers: Record<string, string>, idempotencyKey: string, body: object = {}) =>
    t.http.post(path).set(headers).set('Idempotency-Key', idempotencyKey).send(body);
  const expectError = (res: Response, status: number, code: string) => {
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(res.headers['idempotent-replayed']).not.toBe('true');
  };
  const linkCount = (customerId: string) => prisma.customerSetupLink.count({ where: { customerId } });

  describe('setup links', () => {
    it('the probe: a key restricted to customer 1 replaying the org key’s request for customer 2 → 404, no setup_url', async () => {
      const [c1, c2] = [await customer(), await customer()];
      const k = key();
      const first = await post(`/v1/customers/${c2}/setup_links`, org.auth, k);
      expect(first.status).toBe(201);
      const setupUrl = first.body.data.setup_url as string;

      const replay = await post(`/v1/customers/${c2}/setup_links`, await restrictedTo(c1), k);
      expectError(replay, 404, 'resource_not_found');
      expect(JSON.stringify(replay.body)).not.toContain(setupUrl);
      expect(JSON.stringify(replay.headers)).not.toContain(first.body.data.id);
      expect(await linkCount(c2)).toBe(1);
    });

    it('a key restricted to customer 2 gets its own key space: a fresh link, not the org key’s stored one', async () => {
      const c2 = await customer();
      const k = key();
      const first = await post(`/v1/customers/${c2}/setup_links`, org.auth, k);
      const mine = await post(`/v1/customers/${c2}/setup_links`, await restrictedTo(c2), k);
      expect(mine.status).toBe(201);
      expect(mine.headers['idempotent-replayed']).toBe('false');
      expect(mine.body.data.id).not.toBe(first.body.data.id);
      expect(mine.body.data.setup_url).not.toBe(first.body.data.setup_url);
    });

    it('a restricted key’s stored response is not served to the unrestricted key either (separate spaces)', async () => {
      const c1 = await customer();
      const k = key();
      const first = await post(`/v1/customers/${c1}/setup_links`, await restrictedTo(c1), k);
      const org2 = await post(`/v1/customers/${c1}/setup_links`, org.auth, k);
      expect(org2.headers['idempotent-replayed']).toBe('false');
      expect(org2.body.data.setup_url).not.toBe(first.body.data.setup_url);
    });

    it('same scope (another key restricted to the same customer, or the same key): replayed, no second link', async () => {
      const c1 = await customer();
      const k = key();
      const first = await post(`/v1/customers/${c1}/setup_links`, await restrictedTo(c1), k);
      for (const headers of [await restrictedTo(c1), await restrictedTo(c1)]) {
        const again = await post(`/v1/customers/${c1}/setup_links`, headers, k);
        expect(again.status).toBe(201);
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body.data).toEqual(first.body.data);
      }
      expect(await linkCount(c1)).toBe(1);
    });

    it('another organization replaying the key → 404 like a fresh request', async () => {
      const c1 = await customer();
      const k = key();
      expect((await post(`/v1/customers/${c1}/setup_links`, org.auth, k)).status).toBe(201);
      const other = await createOrgSession(t.app);
      expectError(await post(`/v1/customers/${c1}/setup_links`, other.auth, k), 404, 'resource_not_found');
    });
  });

  describe('customers', () => {
    it('a restricted key replaying the org key’s create customer → 403 customer_scope_forbidden, nothing leaked', async () => {
      const c1 = await customer();
      const k = key();
      const first = await post('/v1/customers', org.auth, k, { name: 'Replayed' });
      expect(first.status).toBe(201);
      const replay = await post('/v1/customers', await restrictedTo(c1), k, { name: 'Replayed' });
      expectError(replay, 403, 'customer_scope_forbidden');
      expect(JSON.stringify(replay.body)).not.toContain(first.body.data.id);
    });

    it('another organization replaying → a fresh customer of its own; the same key again replays', async () => {
      const k = key();
      const first = await post('/v1/customers', org.auth, k, { name: 'Mine' });
      const other = await createOrgSession(t.app);
      const theirs = await post('/v1/customers', other.auth, k, { name: 'Mine' });
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBe('false');
      expect(theirs.body.data.id).not.toBe(first.body.data.id);
      const again = await post('/v1/customers', org.auth, k, { name: 'Mine' });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.data.id).toBe(first.body.data.id);
    });
  });

  describe('api keys', () => {
    it('a restricted key replaying the org key’s create key → 403, the new secret is not leaked', async () => {
      const c1 = await customer();
      const k = key();
      const first = await post('/v1/api_keys', org.auth, k, { label: 'ci' });
      expect(first.status).toBe(201);
      const secret = first.body.data.secret as string;
      const replay = await post('/v1/api_keys', await restrictedTo(c1), k, { label: 'ci' });
      expectError(replay, 403, 'customer_scope_forbidden');
      expect(JSON.stringify(replay.body)).not.toContain(secret);
      const again = await post('/v1/api_keys', org.auth, k, { label: 'ci' });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.data.secret).toBe(secret);
    });

    it('a revoked key replaying its own request → 401, not the stored secret', async () => {
      const other = await createOrgSession(t.app);
      const second = await t.app.get(ApiKeysService).create(other.organizationId, { label: 'second' });
      const k = key();
      const first = await post('/v1/api_keys', auth(second.secret), k, { label: 'made by second' });
      expect(first.status).toBe(201);
      await t.app.get(ApiKeysService).revoke(other.organizationId, second.id);
      const replay = await post('/v1/api_keys', auth(second.secret), k, { label: 'made by second' });
      expectError(replay, 401, 'invalid_api_key');
      expect(JSON.stringify(replay.body)).not.toContain(first.body.data.secret);
    });
  });
});
