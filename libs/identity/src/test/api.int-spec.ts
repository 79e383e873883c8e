import { PlatformModule } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import type { CustomerDirectory } from '../application/customer-directory';
import { UsersService } from '../application/users.service';
import { IdentityHttpModule } from '../identity-http.module';
import type { Response } from 'supertest';

const KNOWN_CUSTOMER = 'cus_01HXYZABCDEFGHJKMNPQRSTVWX';
const UNKNOWN_CUSTOMER = 'cus_01HXYZABCDEFGHJKMNPQRSTVWY';

/** Stands in for the tenancy context's answer to the CUSTOMER_DIRECTORY port: one known customer. */
const fakeCustomers: CustomerDirectory = { exists: (_org: string, id: string) => Promise.resolve(id === KNOWN_CUSTOMER) };

type Res = Pick<Response, 'status' | 'body' | 'headers'>;

function expectError(res: Res, status: number, code: string, param?: string) {
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.request_id).toBe(res.headers['x-request-id']);
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('identity HTTP API', () => {
  let env: TestEnv;
  let t: TestApp;
  let s: OrgSession;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({
      module: class Root {},
      imports: [PlatformModule.forRoot(env.config), IdentityHttpModule, contextPorts({ customerDirectory: fakeCustomers })],
    });
  });
  beforeEach(async () => {
    s = await createOrgSession(t.app, { name: 'Your Platform Inc', teams: 2 });
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  describe('GET /v1/me', () => {
    it('introspects the calling key, exactly as spec 02 shows', async () => {
      const res = await t.http.get('/v1/me').set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        data: {
          object: 'me',
          organization: { id: s.organizationId, object: 'organization', name: 'Your Platform Inc' },
          teams: [
            { id: s.teamIds[0], object: 'team', name: 'Default' },
            { id: s.teamIds[1], object: 'team', name: 'Team 2' },
          ],
          api_key: { id: s.apiKeyId, object: 'api_key', label: 'default', last4: s.apiKey.slice(-4), customer_id: null, expires_at: null },
          rate_limits: { write_per_minute: 600, read_per_minute: 6000 },
        },
        request_id: res.headers['x-request-id'],
      });
    });

    it('shows a restricted key its customer and expiry', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000);
      const created = await t.http
        .post('/v1/api_keys')
        .set(s.auth)
        .send({ label: 'shop', customer_id: KNOWN_CUSTOMER, expires_at: expiresAt.toISOString() });
      expect(created.status).toBe(201);
      const res = await t.http.get('/v1/me').set('Authorization', `Bearer ${created.body.data.secret}`);
      expect(res.status).toBe(200);
      expect(res.body.data.api_key).toEqual({
        id: created.body.data.id,
        object: 'api_key',
        label: 'shop',
        last4: created.body.data.secret.slice(-4),
        customer_id: KNOWN_CUSTOMER,
        expires_at: expiresAt.toISOString(),
      });
    });
  });

  describe('API keys', () => {
    it('POST creates a key and shows its secret once; it works; GET lists it without the secret', async () => {
      const res = await t.http.post('/v1/api_keys').set(s.auth).send({ label: 'production' });
      expect(res.status).toBe(201);
      const key = res.body.data;
      expect(key).toEqual({
        id: expect.stringMatching(/^key_[0-9A-Z]{26}$/),
        object: 'api_key',
        label: 'production',
        last4: key.secret.slice(-4),
        customer_id: null,
        expires_at: null,
        revoked_at: null,
        created_at: expect.stringMatching(ISO_MS),
        secret: expect.stringMatching(/^kir_live_[A-Za-z0-9_-]{24}$/),
      });
      expect((await t.http.get('/v1/me').set('Authorization', `Bearer ${key.secret}`)).body.data.api_key.id).toBe(key.id);

      const list = await t.http.get('/v1/api_keys').set(s.auth);
      expect(list.status).toBe(200);
      expect(list.body).toEqual({ data: expect.any(Array), has_more: false, next_cursor: null, request_id: list.headers['x-request-id'] });
      expect(list.body.data.map((k: { id: string }) => k.id)).toEqual([key.id, s.apiKeyId]); // newest first
      const { secret: _secret, ...withoutSecret } = key;
      expect(list.body.data[0]).toEqual(withoutSecret);
      expect(JSON.stringify(list.body)).not.toContain(key.secret);
      expect(JSON.stringify(list.body)).not.toContain(s.apiKey);
      expect(JSON.stringify(list.body)).not.toContain('secret');
    });

    it('GET honours limit (1-100) and refuses others with invalid_limit', async () => {
      await t.http.post('/v1/api_keys').set(s.auth).send({});
      const one = await t.http.get('/v1/api_keys?limit=1').set(s.auth);
      expect(one.status).toBe(200);
      expect(one.body.data).toHaveLength(1);
      for (const limit of ['0', '101', 'x', '1.5', '']) {
        expectError(await t.http.get(`/v1/api_keys?limit=${limit}`).set(s.auth), 400, 'invalid_limit', 'limit');
      }
      expectError(await t.http.get('/v1/api_keys?colour=red').set(s.auth), 400, 'unknown_field', 'colour');
    });

    it('lists only the calling organization’s keys', async () => {
      const other = await createOrgSession(t.app);
      const ids = (await t.http.get('/v1/api_keys').set(other.auth)).body.data.map((k: { id: string }) => k.id);
      expect(ids).toEqual([other.apiKeyId]);
    });

    it('POST validates label, customer_id and expires_at', async () => {
      expectError(
        await t.http
          .post('/v1/api_keys')
          .set(s.auth)
          .send({ expires_at: new Date(Date.now() - 1000).toISOString() }),
        400,
        'invalid_field_value',
        'expires_at',
      );
      expectError(await t.http.post('/v1/api_keys').set(s.auth).send({ expires_at: 'tomorrow' }), 400, 'invalid_field_value', 'expires_at');
      expectError(
        await t.http.post('/v1/api_keys').set(s.auth).send({ expires_at: '2099-01-01T00:00:00' }),
        400,
        'invalid_field_value',
        'expires_at',
      );
      expectError(await t.http.post('/v1/api_keys').set(s.auth).send({ label: '' }), 400, 'invalid_field_value', 'label');
      expectError(
        await t.http
          .post('/v1/api_keys')
          .set(s.auth)
          .send({ label: 'x'.repeat(201) }),
        400,
        'invalid_field_value',
        'label',
      );
      expectError(
        await t.http.post('/v1/api_keys').set(s.auth).send({ customer_id: 'cus_nope' }),
        400,
        'invalid_field_value',
        'customer_id',
      );
      expectError(
        await t.http
          .post('/v1/api_keys')
          .set(s.auth)
          .send({ scopes: ['all'] }),
        400,
        'unknown_field',
        'scopes',
      );
      const ok = await t.http.post('/v1/api_keys').set(s.auth).send({ expires_at: '2099-01-01T00:00:00+02:00' });
      expect(ok.status).toBe(201);
      expect(ok.body.data.expires_at).toBe('2098-12-31T22:00:00.000Z');
    });

    it('POST with a customer_id the customer directory does not know → 404 resource_not_found', async () => {
      expectError(await t.http.post('/v1/api_keys').set(s.auth).send({ customer_id: UNKNOWN_CUSTOMER }), 404, 'resource_not_found');
      expect((await t.http.post('/v1/api_keys').set(s.auth).send({ customer_id: KNOWN_CUSTOMER })).status).toBe(201);
    });

    it('DELETE revokes a key (200 with revoked_at) and the key stops working; again is harmless', async () => {
      const other = (await t.http.post('/v1/api_keys').set(s.auth).send({ label: 'old' })).body.data;
      const res = await t.http.delete(`/v1/api_keys/${other.id}`).set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ ...other, secret: undefined, revoked_at: expect.stringMatching(ISO_MS) });
      expect(res.body.data).not.toHaveProperty('secret');
      expectError(await t.http.get('/v1/me').set('Authorization', `Bearer ${other.secret}`), 401, 'invalid_api_key');
      const again = await t.http.delete(`/v1/api_keys/${other.id}`).set(s.auth);
      expect(again.status).toBe(200);
      expect(again.body.data.revoked_at).toBe(res.body.data.revoked_at);
      const listed = (await t.http.get('/v1/api_keys').set(s.auth)).body.data.find((k: { id: string }) => k.id === other.id);
      expect(listed.revoked_at).toBe(res.body.data.revoked_at);
    });

    it('a key can revoke itself', async () => {
      const res = await t.http.delete(`/v1/api_keys/${s.apiKeyId}`).set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body.data.id).toBe(s.apiKeyId);
      expect(res.body.data.revoked_at).toMatch(ISO_MS);
      expectError(await t.http.get('/v1/me').set(s.auth), 401, 'invalid_api_key');
    });

    it('DELETE of another organization’s key or an unknown one → 404; a malformed id → 400 param id', async () => {
      const other = await createOrgSession(t.app);
      expectError(await t.http.delete(`/v1/api_keys/${other.apiKeyId}`).set(s.auth), 404, 'resource_not_found');
      expect((await t.http.get('/v1/me').set(other.auth)).status).toBe(200); // untouched
      expectError(await t.http.delete('/v1/api_keys/key_01HXYZABCDEFGHJKMNPQRSTVWX').set(s.auth), 404, 'resource_not_found');
      expectError(await t.http.delete('/v1/api_keys/key_123').set(s.auth), 400, 'invalid_field_value', 'id');
      expectError(await t.http.delete(`/v1/api_keys/${s.organizationId}`).set(s.auth), 400, 'invalid_field_value', 'id');
    });

    it('a customer-restricted key cannot manage keys → 403 customer_scope_forbidden', async () => {
      const restricted = await createOrgSession(t.app, { customerId: KNOWN_CUSTOMER });
      expect((await t.http.get('/v1/me').set(restricted.auth)).body.data.api_key.customer_id).toBe(KNOWN_CUSTOMER);
      expectError(await t.http.get('/v1/api_keys').set(restricted.auth), 403, 'customer_scope_forbidden');
      expectError(await t.http.post('/v1/api_keys').set(restricted.auth).send({ label: 'x' }), 403, 'customer_scope_forbidden');
      expectError(await t.http.post('/v1/api_keys').set(restricted.auth).send({ bogus: 1 }), 403, 'customer_scope_forbidden');
      expectError(await t.http.delete(`/v1/api_keys/${restricted.apiKeyId}`).set(restricted.auth), 403, 'customer_scope_forbidden');
      expect((await t.http.get('/v1/me').set(restricted.auth)).status).toBe(200); // not revoked
    });
  });

  describe('GET /v1/users', () => {
    it('lists the organization’s users, newest first', async () => {
      const { user } = await t.app
        .get(UsersService)
        .create(s.organizationId, { email: '  Agent@Example.COM ', name: 'Ana', role: 'agent' });
      const res = await t.http.get('/v1/users').set(s.auth);
      expect(res.status).toBe(200);
      expect(res.body.has_more).toBe(false);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.data).toEqual([
        { id: user.id, object: 'user', email: 'agent@example.com', name: 'Ana', role: 'agent', created_at: expect.stringMatching(ISO_MS) },
        {
          id: expect.stringMatching(/^usr_/),
          object: 'user',
          email: expect.stringMatching(/^owner-.*@example\.test$/),
          name: null,
          role: 'owner',
          created_at: expect.stringMatching(ISO_MS),
        },
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/password/i);
      expect((await t.http.get('/v1/users?limit=1').set(s.auth)).body.data).toHaveLength(1);
    });

    it('never shows another organization’s users', async () => {
      const other = await createOrgSession(t.app);
      await t.app.get(UsersService).create(other.organizationId, { email: 'someone@example.com', role: 'agent' });
      const emails = (await t.http.get('/v1/users').set(s.auth)).body.data.map((u: { email: string }) => u.email);
      expect(emails).not.toContain('someone@example.com');
      expect(emails).toHaveLength(1);
    });
  });
});
