import type { Response } from 'supertest';
import { EventWriter } from '@kirim/contracts';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { SetupLinksService } from '../application/setup-links.service';
import { TenancyHttpModule } from '../tenancy-http.module';

/** supertest's response (its `body` is untyped JSON). */
type Res = Response;

function expectError(res: Res, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

const HOUR = 3_600_000;

type LinkBody = { id: string; expires_at: string; setup_url: string; [field: string]: unknown };
const ONBOARDING = 'https://onboard.kirim.test';

describe('setup links API', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  /** Every response body and event of this file, to prove no token ever leaks. */
  const seen: string[] = [];
  const tokens: string[] = [];

  beforeAll(async () => {
    env = await createTestEnv({ ONBOARDING_PUBLIC_URL: `${ONBOARDING}/` });
    t = await createTestApp({
      module: class Root {},
      imports: [PlatformModule.forRoot(env.config), PlatformHttpModule, IdentityHttpModule, TenancyHttpModule, contextPorts()],
    });
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const record = (res: Res): Res => {
    seen.push(JSON.stringify(res.body));
    return res;
  };
  const customer = async (session = s) => {
    const res = await t.http.post('/v1/customers').set(session.auth).send({ name: 'Acme' });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  };
  const links = (customerId: string) => `/v1/customers/${customerId}/setup_links`;
  const createLink = async (customerId: string, body: Record<string, unknown> = {}, session = s) => {
    const res = await t.http.post(links(customerId)).set(session.auth).send(body);
    expect(res.status).toBe(201);
    const token = (res.body.data.setup_url as string).split('/onboard/')[1] ?? '';
    tokens.push(token);
    return { link: res.body.data as LinkBody, token };
  };
  const list = async (customerId: string, query: Record<string, string> = {}, session = s) =>
    record(await t.http.get(links(customerId)).query(query).set(session.auth));
  const patch = async (customerId: string, linkId: string, body: unknown, session = s) =>
    record(
      await t.http
        .patch(`${links(customerId)}/${linkId}`)
        .set(session.auth)
        .send(body as object),
    );
  const revoke = async (customerId: string, linkId: string, session = s) =>
    record(await t.http.delete(`${links(customerId)}/${linkId}`).set(session.auth));
  const statusOf = async (customerId: string, linkId: string) =>
    ((await list(customerId)).body.data as { id: string; status: string }[]).find((l) => l.id === linkId)?.status;
  const expireInDb = (linkId: string) =>
    prisma.customerSetupLink.update({ where: { id: linkId }, data: { expiresAt: new Date(Date.now() - 1000) } });

  describe('POST /v1/customers/{id}/setup_links', () => {
    it('creates an active link (201) with setup_url = ONBOARDING_PUBLIC_URL/onboard/<token>, and customer.setup_link.created without it', async () => {
      const cus = await customer();
      const before = Date.now();
      const { link, token } = await createLink(cus, {
        success_redirect_url: 'https://platform.example/ok',
        failure_redirect_url: 'http://localhost:3000/ko',
      });
      expect(token).toMatch(/^csl_[A-Za-z0-9_-]{24}$/);
      expect(link).toEqual({
        id: expect.stringMatching(/^csl_[0-9A-HJKMNP-TV-Z]{26}$/),
        object: 'customer_setup_link',
        customer_id: cus,
        status: 'active',
        token_last4: token.slice(-4),
        expires_at: expect.any(String),
        consumed_at: null,
        revoked_at: null,
        success_redirect_url: 'https://platform.example/ok',
        failure_redirect_url: 'http://localhost:3000/ko',
        account_id: null,
        created_at: expect.any(String),
        setup_url: `${ONBOARDING}/onboard/${token}`,
      });
      expect(link['id']).not.toBe(token);
      const lifetime = new Date(link['expires_at']).getTime() - before;
      expect(lifetime).toBeGreaterThanOrEqual(168 * HOUR - 1000);
      expect(lifetime).toBeLessThanOrEqual(168 * HOUR + 5000);

      const events = await prisma.event.findMany({ where: { orgId: s.organizationId, customerId: cus }, orderBy: { id: 'asc' } });
      expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.setup_link.created']);
      const { setup_url: _url, ...withoutUrl } = link;
      expect(events[1]?.data).toEqual({ setup_link: withoutUrl });
      expect(events[1]).toMatchObject({ teamId: s.teamId, customerId: cus });
    });

    it('stores the token only as an argon2id hash found by an 8-character prefix', async () => {
      const cus = await customer();
      const { link, token } = await createLink(cus);
      const row = await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } });
      expect(row.tokenHash).toMatch(/^\$argon2id\$/);
      expect(row.tokenPrefix).toBe(token.slice(4, 12));
      expect(JSON.stringify(row)).not.toContain(token.slice(4));
    });

    it('expires_in_hours: 1 and 720 are fine, 0 and 721 (and non-integers) are 400', async () => {
      const cus = await customer();
      for (const hours of [1, 720]) {
        const before = Date.now();
        const { link } = await createLink(cus, { expires_in_hours: hours });
        const lifetime = new Date(link['expires_at']).getTime() - before;
        expect(Math.abs(lifetime - hours * HOUR)).toBeLessThan(5000);
      }
      for (const hours of [0, 721, -5, 1.5, '24']) {
        expectError(
          await t.http.post(links(cus)).set(s.auth).send({ expires_in_hours: hours }),
          400,
          'invalid_field_value',
          'expires_in_hours',
        );
      }
    });

    it('redirect URLs follow the rules at create: 400 invalid_redirect_url with param', async () => {
      const cus = await customer();
      for (const good of [
        'https://example.com/x?y=1',
        'http://localhost:8080/cb',
        'http://127.0.0.1/cb',
        'http://[::1]/cb',
        'http://shop.localhost/cb',
      ]) {
        expect((await createLink(cus, { success_redirect_url: good, failure_redirect_url: good })).link['failure_redirect_url']).toBe(good);
      }
      const bad = [
        '/relative',
        'example.com/cb',
        'http://example.com/cb',
        'ftp://example.com/cb',
        'https://example.com/cb#frag',
        'https://user:pw@example.com/cb',
        'https://user@example.com/cb',
        `https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`,
      ];
      for (const url of bad) {
        for (const param of ['success_redirect_url', 'failure_redirect_url']) {
          expectError(
            await t.http
              .post(links(cus))
              .set(s.auth)
              .send({ [param]: url }),
            400,
            'invalid_redirect_url',
            param,
          );
        }
      }
      const longest = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
      expect((await createLink(cus, { success_redirect_url: longest })).link['success_redirect_url']).toBe(longest);
      expectError(
        await t.http.post(links(cus)).set(s.auth).send({ success_redirect_url: 5 }),
        400,
        'invalid_field_value',
        'success_redirect_url',
      );
      expectError(await t.http.post(links(cus)).set(s.auth).send({ token: 'x' }), 400, 'unknown_field', 'token');
    });

    it('revokes the customer’s earlier active links (one live link per customer), not other customers’', async () => {
      const cus = await customer();
      const otherCus = await customer();
      const { link: other } = await createLink(otherCus);
      const { link: first } = await createLink(cus);
      const { link: expired } = await createLink(cus);
      await expireInDb(expired.id); // reads as expired: stays expired, is not revoked
      const { link: second } = await createLink(cus);
      const listed = (await list(cus)).body.data as Record<string, unknown>[];
      expect(listed.map((l) => [l['id'], l['status']])).toEqual([
        [second.id, 'active'],
        [expired.id, 'expired'],
        [first.id, 'revoked'],
      ]);
      expect(listed[2]?.['revoked_at']).toEqual(expect.any(String));
      expect(listed[1]?.['revoked_at']).toBeNull();
      expect(await statusOf(otherCus, other.id)).toBe('active');
      const types = (await prisma.event.findMany({ where: { customerId: cus }, orderBy: { id: 'asc' } })).map((e) => e.type);
      expect(types).toEqual([
        'customer.created',
        'customer.setup_link.created',
        'customer.setup_link.created',
        'customer.setup_link.created',
      ]);
    });

    it('concurrent creates for one customer still leave exactly one active link', async () => {
      const cus = await customer();
      const results = await Promise.all(Array.from({ length: 4 }, () => t.http.post(links(cus)).set(s.auth).send({})));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      results.forEach((r) => tokens.push(String(r.body.data.setup_url).split('/onboard/')[1] ?? ''));
      const listed = (await list(cus)).body.data as { status: string }[];
      expect(listed.map((l) => l.status).sort()).toEqual(['active', 'revoked', 'revoked', 'revoked']);
    });

    it('an Idempotency-Key replay returns the same setup_url without a second link (stored encrypted)', async () => {
      const cus = await customer();
      const send = () => t.http.post(links(cus)).set(s.auth).set('Idempotency-Key', `link-${cus}`).send({ expires_in_hours: 2 });
      const first = await send();
      const replay = await send();
      expect(first.status).toBe(201);
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body.data).toEqual(first.body.data);
      const token = String(first.body.data.setup_url).split('/onboard/')[1] ?? '';
      tokens.push(token);
      expect((await list(cus)).body.data).toHaveLength(1);
      const stored = await prisma.idempotencyRecord.findMany({ where: { orgId: s.organizationId } });
      expect(stored.length).toBeGreaterThan(0);
      expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    });

    it('leaves neither the new link, the revocation nor the event when the event write fails', async () => {
      const cus = await customer();
      const { link: first } = await createLink(cus);
      jest.spyOn(t.app.get(EventWriter), 'append').mockRejectedValueOnce(new Error('forced'));
      expectError(await t.http.post(links(cus)).set(s.auth).send({}), 500, 'internal_error');
      const listed = (await list(cus)).body.data as { id: string; status: string }[];
      expect(listed.map((l) => [l.id, l.status])).toEqual([[first.id, 'active']]);
      expect(await prisma.event.count({ where: { customerId: cus, type: 'customer.setup_link.created' } })).toBe(1);
    });

    it('an archived customer cannot get a link (409 customer_archived); archiving revoked its active link', async () => {
      const cus = await customer();
      const { link } = await createLink(cus);
      await t.http.delete(`/v1/customers/${cus}`).set(s.auth).expect(200);
      expect(await statusOf(cus, link.id)).toBe('revoked');
      expectError(await t.http.post(links(cus)).set(s.auth).send({}), 409, 'customer_archived');
      expectError(await patch(cus, link.id, { success_redirect_url: null }), 409, 'customer_archived');
      expectError(await revoke(cus, link.id), 409, 'customer_archived');
    });
  });

  describe('GET /v1/customers/{id}/setup_links', () => {
    it('lists at most the 50 most recent, newest first, and filters by (effective) status', async () => {
      const cus = await customer();
      const base = Date.now() - 100 * HOUR;
      const rows = Array.from({ length: 55 }, (_, i) => ({
        id: `csl_01J${String(i).padStart(23, '0')}`,
        orgId: s.organizationId,
        customerId: cus,
        tokenPrefix: `p${i}`,
        tokenHash: 'x',
        tokenLast4: 'abcd',
        status: (i % 3 === 0 ? 'revoked' : 'consumed') as 'revoked' | 'consumed',
        expiresAt: new Date(base + 200 * HOUR),
        createdAt: new Date(base + i * 1000),
      }));
      await prisma.customerSetupLink.createMany({ data: rows });
      const { link: live } = await createLink(cus, {}); // newest; revokes nothing (the others are terminal)
      const res = await list(cus);
      expect(res.status).toBe(200);
      const ids = (res.body.data as { id: string }[]).map((l) => l.id);
      expect(ids).toHaveLength(50);
      expect(ids[0]).toBe(live.id);
      expect(ids.slice(1)).toEqual(
        rows
          .map((r) => r.id)
          .reverse()
          .slice(0, 49),
      );
      expect(res.body).toMatchObject({ has_more: false, next_cursor: null });

      const revoked = (await list(cus, { status: 'revoked' })).body.data as { id: string; status: string }[];
      expect(revoked.every((l) => l.status === 'revoked')).toBe(true);
      expect(revoked).toHaveLength(rows.filter((r) => r.status === 'revoked').length);
      expect(((await list(cus, { status: 'active' })).body.data as { id: string }[]).map((l) => l.id)).toEqual([live.id]);
      expectError(await list(cus, { status: 'dead' }), 400, 'invalid_field_value', 'status');
    });

    it('shows expired as soon as expires_at passed; the active filter excludes it, the expired filter includes it', async () => {
      const cus = await customer();
      const { link } = await createLink(cus);
      await expireInDb(link.id);
      expect(await statusOf(cus, link.id)).toBe('expired');
      expect((await list(cus, { status: 'active' })).body.data).toEqual([]);
      expect(((await list(cus, { status: 'expired' })).body.data as { id: string }[]).map((l) => l.id)).toEqual([link.id]);
      // the sweep persists it
      expect(await t.app.get(SetupLinksService).expireDue()).toBeGreaterThanOrEqual(1);
      expect((await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } })).status).toBe('expired');
      expect(((await list(cus, { status: 'expired' })).body.data as { id: string }[]).map((l) => l.id)).toEqual([link.id]);
    });
  });

  describe('PATCH and DELETE /v1/customers/{id}/setup_links/{link_id}', () => {
    it('PATCH changes (and null clears) the redirect URLs of an active link, under the same rules', async () => {
      const cus = await customer();
      const { link } = await createLink(cus, { success_redirect_url: 'https://a.example/ok' });
      const res = await patch(cus, link.id, { failure_redirect_url: 'https://a.example/ko' });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        success_redirect_url: 'https://a.example/ok',
        failure_redirect_url: 'https://a.example/ko',
        status: 'active',
      });
      expect(res.body.data).not.toHaveProperty('setup_url');
      expect((await patch(cus, link.id, { success_redirect_url: null })).body.data.success_redirect_url).toBeNull();
      expectError(
        await patch(cus, link.id, { success_redirect_url: 'http://example.com' }),
        400,
        'invalid_redirect_url',
        'success_redirect_url',
      );
      expectError(
        await patch(cus, link.id, { failure_redirect_url: 'https://x.example/#' }),
        400,
        'invalid_redirect_url',
        'failure_redirect_url',
      );
      expectError(await patch(cus, link.id, { expires_in_hours: 5 }), 400, 'unknown_field', 'expires_in_hours');
      expectError(await patch(cus, link.id, { status: 'revoked' }), 400, 'unknown_field', 'status');
    });

    it('DELETE revokes an active link (200 with the revoked link)', async () => {
      const cus = await customer();
      const { link } = await createLink(cus);
      const res = await revoke(cus, link.id);
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ id: link.id, status: 'revoked', revoked_at: expect.any(String), consumed_at: null });
    });

    it('PATCH and DELETE of a link write no event (no event type exists for them)', async () => {
      const cus = await customer();
      const { link } = await createLink(cus);
      expect((await patch(cus, link.id, { success_redirect_url: 'https://a.example/' })).status).toBe(200);
      expect((await revoke(cus, link.id)).status).toBe(200);
      const types = (await prisma.event.findMany({ where: { customerId: cus }, orderBy: { id: 'asc' } })).map((e) => e.type);
      expect(types).toEqual(['customer.created', 'customer.setup_link.created']);
    });

    it.each(['revoked', 'expired', 'expired (persisted)', 'consumed'] as const)(
      'a %s link can be neither patched nor revoked: 409 setup_link_not_active',
      async (state) => {
        const cus = await customer();
        const { link } = await createLink(cus);
        if (state === 'revoked') await revoke(cus, link.id);
        if (state.startsWith('expired')) await expireInDb(link.id);
        if (state === 'expired (persisted)') await t.app.get(SetupLinksService).expireDue();
        if (state === 'consumed') {
          await prisma.customerSetupLink.update({ where: { id: link.id }, data: { status: 'consumed', consumedAt: new Date() } });
        }
        const before = await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } });
        expectError(await patch(cus, link.id, { success_redirect_url: 'https://a.example/x' }), 409, 'setup_link_not_active');
        expectError(await revoke(cus, link.id), 409, 'setup_link_not_active');
        expect(await prisma.customerSetupLink.findUniqueOrThrow({ where: { id: link.id } })).toEqual(before);
      },
    );

    it('400 for malformed ids, 404 for a link of another customer', async () => {
      const cus = await customer();
      const otherCus = await customer();
      const { link } = await createLink(otherCus);
      expectError(await revoke(cus, 'csl_1'), 400, 'invalid_field_value', 'link_id');
      expectError(await revoke(cus, 'cus_01J00000000000000000000000'), 400, 'invalid_field_value', 'link_id');
      expectError(await revoke(cus, link.id), 404, 'resource_not_found');
      expectError(await patch(cus, link.id, {}), 404, 'resource_not_found');
      expect(await statusOf(otherCus, link.id)).toBe('active');
    });
  });

  describe('tenant isolation', () => {
    it('every setup-link endpoint answers 404 with another organization’s ids', async () => {
      const other = await createOrgSession(t.app);
      const theirCus = await customer(other);
      const { link: theirLink } = await createLink(theirCus, {}, other);
      const mine = await customer();
      const { link: myLink } = await createLink(mine);
      for (const res of [
        await list(theirCus),
        record(await t.http.post(links(theirCus)).set(s.auth).send({})),
        await patch(theirCus, theirLink.id, { success_redirect_url: null }),
        await revoke(theirCus, theirLink.id),
        await patch(mine, theirLink.id, { success_redirect_url: null }),
        await revoke(mine, theirLink.id),
        await patch(theirCus, myLink.id, {}),
        await revoke(theirCus, myLink.id),
      ]) {
        expectError(res, 404, 'resource_not_found');
      }
      expect(await statusOf(mine, myLink.id)).toBe('active');
      expect((await list(theirCus, {}, other)).body.data).toEqual([expect.objectContaining({ id: theirLink.id, status: 'active' })]);
    });

    it('a customer-restricted key reaches only its customer’s links', async () => {
      const org = await createOrgSession(t.app);
      const mine = await customer(org);
      const sibling = await customer(org);
      const { link: siblingLink } = await createLink(sibling, {}, org);
      const key = await t.app.get(ApiKeysService).create(org.organizationId, { customerId: mine, label: 'restricted' });
      const auth = { Authorization: `Bearer ${key.secret}` };
      const restricted = { ...org, auth };

      const { link } = await createLink(mine, {}, restricted);
      expect((await list(mine, {}, restricted)).body.data).toEqual([expect.objectContaining({ id: link.id })]);
      expect((await revoke(mine, link.id, restricted)).status).toBe(200);
      expectError(await list(sibling, {}, restricted), 404, 'resource_not_found');
      expectError(record(await t.http.post(links(sibling)).set(auth).send({})), 404, 'resource_not_found');
      expectError(await patch(sibling, siblingLink.id, {}, restricted), 404, 'resource_not_found');
      expectError(await revoke(sibling, siblingLink.id, restricted), 404, 'resource_not_found');
    });
  });

  it('no token ever appears in a read, a list, an error or an event', async () => {
    const cus = await customer();
    const { link } = await createLink(cus);
    record(await t.http.get(`/v1/customers/${cus}`).set(s.auth));
    await list(cus);
    await patch(cus, link.id, { success_redirect_url: 'https://a.example/' });
    await revoke(cus, link.id);
    const events = await prisma.event.findMany({ where: { orgId: s.organizationId } });
    const haystack = [...seen, ...events.map((e) => JSON.stringify(e))].join('\n');
    expect(tokens.length).toBeGreaterThan(0); // this test's token, plus those of the tests before it
    for (const token of tokens) {
      expect(token).toMatch(/^csl_[A-Za-z0-9_-]{24}$/);
      expect(haystack).not.toContain(token.slice(4));
      expect(haystack).not.toContain('/onboard/');
    }
    expect(haystack).not.toContain('setup_url');
    expect(haystack).not.toContain('token_hash');
  });
});
