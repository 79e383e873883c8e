import type { Response } from 'supertest';
import { ApiKeysService, IdentityHttpModule } from '@kirim/identity';
import { newId, PlatformHttpModule, PlatformModule, PrismaService } from '@kirim/platform';
import { TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createOrgSession, createTestApp, createTestEnv, type OrgSession, type TestApp, type TestEnv } from '@kirim/testing';
import { WhatsappAccountsHttpModule } from '@kirim/whatsapp-accounts';
import { MessagingHttpModule } from '../messaging-http.module';
import { freshWaId, type SeededAccount, seedAccount, seedContact } from './helpers';

function expectError(res: Response, status: number, code: string, param?: string) {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (param !== undefined) expect(res.body.error.param).toBe(param);
}

type Account = SeededAccount & { teamId: string };
type Json = Record<string, unknown>;

/** `/v1/{phone_number_id}/contacts`: create (or find), read, list with filters, PATCH with events, labels one by one and in bulk, isolation. */
describe('contacts API', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;
  let s: OrgSession;
  let a: Account;

  beforeAll(async () => {
    env = await createTestEnv({ RATE_LIMIT_WRITE_PER_MIN: '100000', RATE_LIMIT_READ_PER_MIN: '100000' });
    t = await createTestApp({
      module: class Root {},
      imports: [
        PlatformModule.forRoot(env.config),
        PlatformHttpModule,
        IdentityHttpModule,
        TenancyHttpModule,
        WhatsappAccountsHttpModule,
        MessagingHttpModule,
        contextPorts(),
      ],
    });
    prisma = t.app.get(PrismaService);
    s = await createOrgSession(t.app);
    a = await account(s);
  });
  afterAll(async () => {
    await t?.close();
    await env?.close();
  });

  async function account(session: OrgSession, o: Parameters<typeof seedAccount>[2] = {}): Promise<Account> {
    return { ...(await seedAccount(t.app, session, o)), teamId: session.teamId };
  }
  const path = (acc: { phoneNumberId: string }, rest = '') => `/v1/${acc.phoneNumberId}/contacts${rest}`;
  const create = (session: OrgSession, acc: Account, body: Json) => t.http.post(path(acc)).set(session.auth).send(body);
  const label = async (session: OrgSession, name: string, teamId?: string) => {
    const res = await t.http
      .post('/v1/labels')
      .set(session.auth)
      .send({ name, ...(teamId !== undefined && { team_id: teamId }) });
    expect(res.status).toBe(201);
    return res.body.data as { id: string; name: string; color: string };
  };
  const eventsOf = (orgId: string, type: string) => prisma.event.findMany({ where: { orgId, type }, orderBy: { id: 'asc' } });
  const aboutContact = async (orgId: string, type: string, contactId: string) =>
    (await eventsOf(orgId, type)).filter((e) => (e.data as { contact: { id: string } }).contact.id === contactId);

  describe('create, read, update', () => {
    it('POST → 201 with the contact and contact.created; the same number again (any spelling) → 200 with it, unchanged, no event', async () => {
      const waId = freshWaId();
      const spaced = `+${waId.slice(0, 2)} ${waId.slice(2, 5)}-${waId.slice(5, 9)} (${waId.slice(9)})`;
      const res = await create(s, a, {
        phone_number: spaced,
        name: '  Budi   Santoso ',
        email: 'budi@example.com',
        metadata: { tier: 'gold' },
      });
      expect(res.status).toBe(201);
      const contact = res.body.data;
      expect(contact).toEqual({
        id: expect.stringMatching(/^ctc_[0-9A-HJKMNP-TV-Z]{26}$/),
        object: 'contact',
        account_id: a.id,
        phone_number_id: a.phoneNumberId,
        customer_id: null,
        wa_id: waId,
        phone_number: `+${waId}`,
        name: 'Budi Santoso',
        profile_name: null,
        email: 'budi@example.com',
        metadata: { tier: 'gold' },
        labels: [],
        created_at: expect.any(String),
        updated_at: contact.created_at,
      });
      const created = await aboutContact(s.organizationId, 'contact.created', contact.id);
      expect(created).toHaveLength(1);
      expect(created[0]).toMatchObject({ teamId: s.teamId, customerId: null, data: { contact } });

      for (const again of [waId, `+${waId}`]) {
        const res2 = await create(s, a, { phone_number: again, name: 'Someone else' });
        expect(res2.status).toBe(200);
        expect(res2.body.data).toEqual(contact);
      }
      expect(await aboutContact(s.organizationId, 'contact.created', contact.id)).toHaveLength(1);
      expect(await prisma.contact.count({ where: { accountId: a.id, waId } })).toBe(1);
      expect((await t.http.get(path(a, `/${contact.id}`)).set(s.auth)).body.data).toEqual(contact);
      // A contact created here is the one a send then finds (one per (account, wa_id)).
      expect(await prisma.conversation.count({ where: { contactId: contact.id } })).toBe(0);
    });

    it.each([
      [{ phone_number: '12345' }, 400, 'invalid_phone_number', 'phone_number'],
      [{ phone_number: '0812345678' }, 400, 'invalid_phone_number', 'phone_number'],
      [{ phone_number: 6281234567 }, 400, 'invalid_field_value', 'phone_number'],
      [{}, 400, 'missing_required_field', 'phone_number'],
      [{ phone_number: '+6281234567', email: 'not-an-email' }, 400, 'invalid_field_value', 'email'],
      [{ phone_number: '+6281234567', name: '   ' }, 400, 'invalid_field_value', 'name'],
      [{ phone_number: '+6281234567', name: 'x'.repeat(201) }, 400, 'invalid_field_value', 'name'],
      [{ phone_number: '+6281234567', metadata: [1] }, 400, 'invalid_field_value', 'metadata'],
      [{ phone_number: '+6281234567', metadata: { big: 'x'.repeat(16 * 1024) } }, 400, 'invalid_field_value', 'metadata'],
      [{ phone_number: '+6281234567', labels: [] }, 400, 'unknown_field', 'labels'],
    ])('POST %j → %i %s, nothing stored', async (body, status, code, param) => {
      const before = await prisma.contact.count({ where: { accountId: a.id } });
      expectError(await create(s, a, body as Json), status, code, param);
      expect(await prisma.contact.count({ where: { accountId: a.id } })).toBe(before);
    });

    it('metadata of exactly 16 KiB serialised is accepted', async () => {
      const filler = 'x'.repeat(16 * 1024 - JSON.stringify({ k: '' }).length);
      const res = await create(s, a, { phone_number: freshWaId(), metadata: { k: filler } });
      expect(res.status).toBe(201);
    });

    it('PATCH name, email, metadata → contact.updated with previous_attributes; null clears; a no-op PATCH → 200, no event', async () => {
      const contact = (await create(s, a, { phone_number: freshWaId(), name: 'Ani', metadata: { a: 1 } })).body.data;
      await new Promise((r) => setTimeout(r, 5));
      const res = await t.http
        .patch(path(a, `/${contact.id}`))
        .set(s.auth)
        .send({ name: 'Ani W.', email: 'ani@example.com', metadata: { b: 2 } });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ name: 'Ani W.', email: 'ani@example.com', metadata: { b: 2 } });
      expect(res.body.data.updated_at > contact.updated_at).toBe(true);
      let updated = await aboutContact(s.organizationId, 'contact.updated', contact.id);
      expect(updated).toHaveLength(1);
      expect(updated[0]).toMatchObject({
        data: { contact: res.body.data },
        previousAttributes: { name: 'Ani', email: null, metadata: { a: 1 } },
      });

      const noop = await t.http
        .patch(path(a, `/${contact.id}`))
        .set(s.auth)
        .send({ name: ' Ani   W. ', metadata: { b: 2 } });
      expect(noop.status).toBe(200);
      expect(noop.body.data).toEqual(res.body.data);
      expect(
        (
          await t.http
            .patch(path(a, `/${contact.id}`))
            .set(s.auth)
            .send({})
        ).body.data,
      ).toEqual(res.body.data);
      expect(await aboutContact(s.organizationId, 'contact.updated', contact.id)).toHaveLength(1);

      const cleared = await t.http
        .patch(path(a, `/${contact.id}`))
        .set(s.auth)
        .send({ email: null, metadata: null, name: null });
      expect(cleared.body.data).toMatchObject({ name: null, email: null, metadata: null });
      updated = await aboutContact(s.organizationId, 'contact.updated', contact.id);
      expect(updated).toHaveLength(2);
      expect(updated[1]?.previousAttributes).toEqual({ name: 'Ani W.', email: 'ani@example.com', metadata: { b: 2 } });

      expectError(
        await t.http
          .patch(path(a, `/${contact.id}`))
          .set(s.auth)
          .send({ phone_number: '+62811' }),
        400,
        'unknown_field',
      );
      expectError(
        await t.http
          .patch(path(a, `/${contact.id}`))
          .set(s.auth)
          .send({ email: 'nope' }),
        400,
        'invalid_field_value',
        'email',
      );
      expectError(
        await t.http
          .patch(path(a, `/${contact.id}`))
          .set(s.auth)
          .send({ metadata: 'x' }),
        400,
        'invalid_field_value',
        'metadata',
      );
      expectError(
        await t.http
          .patch(path(a, `/${newId('ctc')}`))
          .set(s.auth)
          .send({ name: 'X' }),
        404,
        'resource_not_found',
      );
      expectError(
        await t.http.patch(path(a, '/cnv_01J00000000000000000000000')).set(s.auth).send({ name: 'X' }),
        400,
        'invalid_field_value',
        'id',
      );
      expectError(await t.http.get(path(a, `/${newId('ctc')}`)).set(s.auth), 404, 'resource_not_found');
      expectError(await t.http.get(path({ phoneNumberId: '12ab' })).set(s.auth), 400, 'invalid_field_value', 'phone_number_id');
    });
  });

  describe('list', () => {
    it('newest first, walked by cursor (every contact once); filters phone_number (with or without +), q (escaped), label_id', async () => {
      const acc = await account(s);
      const made: { id: string; wa_id: string }[] = [];
      const specs = [
        { name: 'Budi 100%' },
        { name: 'Citra_x', email: 'citra@shop.test' },
        { name: 'Dewi' },
        { email: 'eko@example.com' },
        {},
        { name: 'budi kecil' },
        { name: 'Fajar' },
      ];
      for (const spec of specs) made.push((await create(s, acc, { phone_number: freshWaId(), ...spec })).body.data);
      await prisma.contact.update({ where: { id: made[4]?.id as string }, data: { profileName: 'Gita WA' } });

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await t.http
          .get(path(acc))
          .query({ limit: 3, ...(cursor !== null && { cursor }) })
          .set(s.auth);
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((c: { id: string }) => c.id));
        cursor = res.body.next_cursor;
      } while (cursor !== null);
      expect(seen).toEqual(made.map((c) => c.id).reverse());

      const ids = async (query: Json) => {
        const res = await t.http.get(path(acc)).query(query).set(s.auth);
        expect(res.status).toBe(200);
        return res.body.data.map((c: { id: string }) => c.id);
      };
      const [m0, m1, m2, m3, m4, m5] = made as [
        (typeof made)[0],
        (typeof made)[0],
        (typeof made)[0],
        (typeof made)[0],
        (typeof made)[0],
        (typeof made)[0],
      ];
      expect(await ids({ phone_number: `+${m2.wa_id}` })).toEqual([m2.id]);
      expect(await ids({ phone_number: m2.wa_id })).toEqual([m2.id]);
      expect(await ids({ phone_number: `+${m2.wa_id.slice(0, 2)} ${m2.wa_id.slice(2)}` })).toEqual([m2.id]);
      expect(await ids({ q: 'BUDI' })).toEqual([m5.id, m0.id]);
      expect(await ids({ q: '100%' })).toEqual([m0.id]);
      expect(await ids({ q: '%' })).toEqual([m0.id]);
      expect(await ids({ q: '_' })).toEqual([m1.id]);
      expect(await ids({ q: 'shop.test' })).toEqual([m1.id]);
      expect(await ids({ q: 'gita' })).toEqual([m4.id]);
      expect(await ids({ q: `+${m3.wa_id.slice(0, 8)}` })).toContain(m3.id);
      expect(await ids({ q: m3.wa_id.slice(-6) })).toEqual([m3.id]);

      const vip = await label(s, `VIP ${newId('lbl').slice(-6)}`);
      for (const c of [m1, m3])
        await t.http
          .post(path(acc, `/${c.id}/labels`))
          .set(s.auth)
          .send({ label_id: vip.id });
      expect(await ids({ label_id: vip.id })).toEqual([m3.id, m1.id]);
      expect(await ids({ label_id: vip.id, q: 'citra' })).toEqual([m1.id]);
      expect(await ids({ label_id: newId('lbl') })).toEqual([]);

      expectError(await t.http.get(path(acc)).query({ phone_number: '123' }).set(s.auth), 400, 'invalid_phone_number', 'phone_number');
      expectError(
        await t.http
          .get(path(acc))
          .query({ q: 'x'.repeat(201) })
          .set(s.auth),
        400,
        'invalid_field_value',
        'q',
      );
      expectError(await t.http.get(path(acc)).query({ q: '' }).set(s.auth), 400, 'invalid_field_value', 'q');
      expectError(await t.http.get(path(acc)).query({ label_id: 'vip' }).set(s.auth), 400, 'invalid_field_value', 'label_id');
      expectError(await t.http.get(path(acc)).query({ colour: 'x' }).set(s.auth), 400, 'unknown_field');
      const page = await t.http.get(path(acc)).query({ limit: 2 }).set(s.auth);
      expectError(
        await t.http.get(path(acc)).query({ limit: 2, q: 'budi', cursor: page.body.next_cursor }).set(s.auth),
        400,
        'invalid_cursor',
      );
    });
  });

  describe('labels', () => {
    it('POST …/labels attaches (200, contact.updated with the old labels), again is a no-op; DELETE detaches, again is a no-op', async () => {
      const contact = (await create(s, a, { phone_number: freshWaId() })).body.data;
      const zeta = await label(s, `Zeta ${newId('lbl').slice(-6)}`);
      const alpha = await label(s, `alpha ${newId('lbl').slice(-6)}`);
      const summary = (l: typeof zeta) => ({ id: l.id, name: l.name, color: l.color });

      const first = await t.http
        .post(path(a, `/${contact.id}/labels`))
        .set(s.auth)
        .send({ label_id: zeta.id });
      expect(first.status).toBe(200);
      expect(first.body.data.labels).toEqual([summary(zeta)]);
      const second = await t.http
        .post(path(a, `/${contact.id}/labels`))
        .set(s.auth)
        .send({ label_id: alpha.id });
      // Ordered by name ignoring case.
      expect(second.body.data.labels).toEqual([summary(alpha), summary(zeta)]);
      const again = await t.http
        .post(path(a, `/${contact.id}/labels`))
        .set(s.auth)
        .send({ label_id: alpha.id });
      expect(again.status).toBe(200);
      expect(again.body.data).toEqual(second.body.data);
      let events = await aboutContact(s.organizationId, 'contact.updated', contact.id);
      expect(events.map((e) => e.previousAttributes)).toEqual([{ labels: [] }, { labels: [summary(zeta)] }]);
      expect(events[1]?.data).toEqual({ contact: second.body.data });

      const detached = await t.http.delete(path(a, `/${contact.id}/labels/${zeta.id}`)).set(s.auth);
      expect(detached.status).toBe(200);
      expect(detached.body.data.labels).toEqual([summary(alpha)]);
      const detachedAgain = await t.http.delete(path(a, `/${contact.id}/labels/${zeta.id}`)).set(s.auth);
      expect(detachedAgain.status).toBe(200);
      expect(detachedAgain.body.data).toEqual(detached.body.data);
      events = await aboutContact(s.organizationId, 'contact.updated', contact.id);
      expect(events).toHaveLength(3);
      expect(events[2]?.previousAttributes).toEqual({ labels: [summary(alpha), summary(zeta)] });
      expect((await t.http.get(path(a, `/${contact.id}`)).set(s.auth)).body.data).toEqual(detached.body.data);

      expectError(
        await t.http
          .post(path(a, `/${contact.id}/labels`))
          .set(s.auth)
          .send({}),
        400,
        'missing_required_field',
        'label_id',
      );
      expectError(
        await t.http
          .post(path(a, `/${contact.id}/labels`))
          .set(s.auth)
          .send({ label_id: 'x' }),
        400,
        'invalid_field_value',
        'label_id',
      );
      expectError(await t.http.delete(path(a, `/${contact.id}/labels/nope`)).set(s.auth), 400, 'invalid_field_value', 'label_id');
      expectError(
        await t.http
          .post(path(a, `/${contact.id}/labels`))
          .set(s.auth)
          .send({ label_id: newId('lbl') }),
        404,
        'resource_not_found',
      );
      expectError(await t.http.delete(path(a, `/${contact.id}/labels/${newId('lbl')}`)).set(s.auth), 404, 'resource_not_found');
      expectError(
        await t.http
          .post(path(a, `/${newId('ctc')}/labels`))
          .set(s.auth)
          .send({ label_id: alpha.id }),
        404,
        'resource_not_found',
      );
    });

    it('a label of another team of the organization, or of another organization → 404, nothing attached', async () => {
      const session = await createOrgSession(t.app, { teams: 2 });
      const acc = await account(session); // the account is in the first team
      const contact = (await create(session, acc, { phone_number: freshWaId() })).body.data;
      const otherTeam = await label(session, 'Elsewhere', session.teamIds[1]);
      const otherOrg = await label(s, `Foreign ${newId('lbl').slice(-6)}`);
      for (const l of [otherTeam, otherOrg]) {
        expectError(
          await t.http
            .post(path(acc, `/${contact.id}/labels`))
            .set(session.auth)
            .send({ label_id: l.id }),
          404,
          'resource_not_found',
        );
        expectError(await t.http.delete(path(acc, `/${contact.id}/labels/${l.id}`)).set(session.auth), 404, 'resource_not_found');
        expectError(
          await t.http
            .post(path(acc, '/bulk_label'))
            .set(session.auth)
            .send({ contact_ids: [contact.id], label_id: l.id, operation: 'attach' }),
          404,
          'resource_not_found',
        );
      }
      expect(await prisma.contactLabel.count({ where: { contactId: contact.id } })).toBe(0);
    });

    it('bulk_label: 1,000 ids, some foreign (another account, another organization, unknown) → only this account’s change; {applied, skipped}; one event per changed contact', async () => {
      const session = await createOrgSession(t.app);
      const mine = await account(session);
      const sibling = await account(session);
      const foreign = await account(s);
      const seed = async (acc: Account, n: number) => {
        const rows = Array.from({ length: n }, () => ({
          id: newId('ctc'),
          orgId: acc.organizationId,
          teamId: acc.teamId,
          customerId: acc.customerId,
          accountId: acc.id,
          waId: freshWaId(),
        }));
        await prisma.contact.createMany({ data: rows });
        return rows.map((r) => r.id);
      };
      const own = await seed(mine, 600);
      const ids = [
        ...own,
        ...(await seed(sibling, 200)),
        ...(await seed(foreign, 100)),
        ...Array.from({ length: 100 }, () => newId('ctc')),
      ];
      expect(ids).toHaveLength(1000);
      const tag = await label(session, 'Bulk');
      // Already carrying it: skipped.
      await t.http
        .post(path(mine, `/${own[0]}/labels`))
        .set(session.auth)
        .send({ label_id: tag.id });
      const updatedBefore = (await eventsOf(session.organizationId, 'contact.updated')).length;

      const bulk = (body: Json) => t.http.post(path(mine, '/bulk_label')).set(session.auth).send(body);
      const attached = await bulk({ contact_ids: ids, label_id: tag.id, operation: 'attach' });
      expect(attached.status).toBe(200);
      expect(attached.body.data).toEqual({ applied: 599, skipped: 401 });
      expect(await prisma.contactLabel.count({ where: { labelId: tag.id } })).toBe(600);
      expect(await prisma.contactLabel.count({ where: { labelId: tag.id, contact: { accountId: mine.id } } })).toBe(600);
      const events = (await eventsOf(session.organizationId, 'contact.updated')).slice(updatedBefore);
      expect(events).toHaveLength(599);
      expect(new Set(events.map((e) => (e.data as { contact: { id: string } }).contact.id))).toEqual(new Set(own.slice(1)));
      expect(events[0]).toMatchObject({
        teamId: session.teamId,
        previousAttributes: { labels: [] },
        data: { contact: { labels: [{ id: tag.id, name: 'Bulk', color: 'gray' }], phone_number_id: mine.phoneNumberId } },
      });
      const sample = await t.http.get(path(mine, `/${own[5]}`)).set(session.auth);
      expect((events.find((e) => (e.data as { contact: { id: string } }).contact.id === own[5])?.data as Json).contact).toEqual(
        sample.body.data,
      );
      expect(
        await prisma.event.count({
          where: { orgId: s.organizationId, type: 'contact.updated', data: { path: ['contact', 'id'], equals: ids[850] } },
        }),
      ).toBe(0);

      // Again: everything skipped, nothing emitted. Repeated ids count as skipped.
      expect((await bulk({ contact_ids: ids, label_id: tag.id, operation: 'attach' })).body.data).toEqual({ applied: 0, skipped: 1000 });
      expect((await bulk({ contact_ids: [own[1], own[1], own[2]], label_id: tag.id, operation: 'detach' })).body.data).toEqual({
        applied: 2,
        skipped: 1,
      });
      const detached = await bulk({ contact_ids: ids, label_id: tag.id, operation: 'detach' });
      expect(detached.body.data).toEqual({ applied: 598, skipped: 402 });
      expect(await prisma.contactLabel.count({ where: { labelId: tag.id } })).toBe(0);
      const detachEvents = (await eventsOf(session.organizationId, 'contact.updated')).slice(updatedBefore + 599);
      expect(detachEvents).toHaveLength(600);
      expect(detachEvents.at(-1)).toMatchObject({
        previousAttributes: { labels: [{ id: tag.id, name: 'Bulk', color: 'gray' }] },
        data: { contact: { labels: [] } },
      });
    }, 60_000);

    it('bulk_label refuses a bad body with 400 and an unknown label with 404, changing nothing', async () => {
      const contact = (await create(s, a, { phone_number: freshWaId() })).body.data;
      const tag = await label(s, `Check ${newId('lbl').slice(-6)}`);
      const bulk = (body: Json) => t.http.post(path(a, '/bulk_label')).set(s.auth).send(body);
      const before = { links: await prisma.contactLabel.count(), events: await prisma.event.count() };
      expectError(await bulk({ contact_ids: [], label_id: tag.id, operation: 'attach' }), 400, 'invalid_field_value', 'contact_ids');
      expectError(
        await bulk({ contact_ids: Array.from({ length: 1001 }, () => newId('ctc')), label_id: tag.id, operation: 'attach' }),
        400,
        'invalid_field_value',
        'contact_ids',
      );
      expectError(await bulk({ contact_ids: [contact.id, 'cnv_x'], label_id: tag.id, operation: 'attach' }), 400, 'invalid_field_value');
      expectError(
        await bulk({ contact_ids: [contact.id], label_id: tag.id, operation: 'toggle' }),
        400,
        'invalid_field_value',
        'operation',
      );
      expectError(await bulk({ contact_ids: [contact.id], label_id: tag.id }), 400, 'missing_required_field', 'operation');
      expectError(await bulk({ contact_ids: [contact.id], operation: 'attach' }), 400, 'missing_required_field', 'label_id');
      expectError(await bulk({ contact_ids: [contact.id], label_id: newId('lbl'), operation: 'attach' }), 404, 'resource_not_found');
      expect({ links: await prisma.contactLabel.count(), events: await prisma.event.count() }).toEqual(before);
    });
  });

  describe('isolation', () => {
    /** Every contacts endpoint on `acc`'s number with `contactId` and `labelId`, as `session`: each must answer 404. */
    const everyEndpoint = (acc: { phoneNumberId: string }, contactId: string, labelId: string) => [
      () => t.http.get(path(acc)),
      () => t.http.post(path(acc)).send({ phone_number: freshWaId() }),
      () => t.http.get(path(acc, `/${contactId}`)),
      () => t.http.patch(path(acc, `/${contactId}`)).send({ name: 'Taken' }),
      () => t.http.post(path(acc, `/${contactId}/labels`)).send({ label_id: labelId }),
      () => t.http.delete(path(acc, `/${contactId}/labels/${labelId}`)),
      () => t.http.post(path(acc, '/bulk_label')).send({ contact_ids: [contactId], label_id: labelId, operation: 'attach' }),
    ];

    it("another organization's number → 404 on every endpoint; its contact through my own number → 404; nothing changes", async () => {
      const other = await createOrgSession(t.app);
      const theirs = await account(other);
      const contact = (await create(other, theirs, { phone_number: freshWaId(), name: 'Theirs' })).body.data;
      const theirLabel = await label(other, 'Theirs');
      const myLabel = await label(s, `Mine ${newId('lbl').slice(-6)}`);
      const before = {
        contacts: await prisma.contact.count(),
        links: await prisma.contactLabel.count(),
        events: await prisma.event.count(),
      };
      for (const call of everyEndpoint(theirs, contact.id, theirLabel.id)) expectError(await call().set(s.auth), 404, 'resource_not_found');
      for (const call of everyEndpoint(a, contact.id, myLabel.id).slice(2, 6))
        expectError(await call().set(s.auth), 404, 'resource_not_found');
      expect(
        (
          await t.http
            .post(path(a, '/bulk_label'))
            .set(s.auth)
            .send({ contact_ids: [contact.id], label_id: myLabel.id, operation: 'attach' })
        ).body.data,
      ).toEqual({ applied: 0, skipped: 1 });
      expect({
        contacts: await prisma.contact.count(),
        links: await prisma.contactLabel.count(),
        events: await prisma.event.count(),
      }).toEqual(before);
      expect((await t.http.get(path(theirs, `/${contact.id}`)).set(other.auth)).body.data).toEqual(contact);
    });

    it("a key restricted to customer A: customer B's number (and the team's own) → 404 everywhere; its own number works", async () => {
      const session = await createOrgSession(t.app);
      const customerOf = async (name: string) =>
        (await t.http.post('/v1/customers').set(session.auth).send({ name })).body.data as { id: string };
      const [ca, cb] = [await customerOf('A'), await customerOf('B')];
      const accA = await account(session, { customerId: ca.id });
      const accB = await account(session, { customerId: cb.id });
      const own = await account(session);
      const key = await t.app.get(ApiKeysService).create(session.organizationId, { customerId: ca.id, label: 'restricted' });
      const restricted = { Authorization: `Bearer ${key.secret}` };
      const tag = await label(session, 'Shared');
      const contactB = (await create(session, accB, { phone_number: freshWaId() })).body.data;
      const contactOwn = (await create(session, own, { phone_number: freshWaId() })).body.data;
      const before = {
        contacts: await prisma.contact.count(),
        links: await prisma.contactLabel.count(),
        events: await prisma.event.count(),
      };
      for (const [acc, contact] of [
        [accB, contactB],
        [own, contactOwn],
      ] as const) {
        for (const call of everyEndpoint(acc, contact.id, tag.id)) expectError(await call().set(restricted), 404, 'resource_not_found');
        for (const call of everyEndpoint(accA, contact.id, tag.id).slice(2, 6))
          expectError(await call().set(restricted), 404, 'resource_not_found');
      }
      expect({
        contacts: await prisma.contact.count(),
        links: await prisma.contactLabel.count(),
        events: await prisma.event.count(),
      }).toEqual(before);

      const mine = await t.http.post(path(accA)).set(restricted).send({ phone_number: freshWaId() });
      expect(mine.status).toBe(201);
      expect(mine.body.data.customer_id).toBe(ca.id);
      expect((await aboutContact(session.organizationId, 'contact.created', mine.body.data.id))[0]?.customerId).toBe(ca.id);
      const labelled = await t.http
        .post(path(accA, `/${mine.body.data.id}/labels`))
        .set(restricted)
        .send({ label_id: tag.id });
      expect(labelled.status).toBe(200);
      expect(labelled.body.data.labels).toEqual([{ id: tag.id, name: 'Shared', color: 'gray' }]);
      expect((await t.http.get(path(accA)).set(restricted)).body.data.map((c: { id: string }) => c.id)).toEqual([mine.body.data.id]);
    });
  });

  it('a contact seeded by the send path shows its labels too (one per (account, wa_id))', async () => {
    const parties = await seedContact(t.app, a, freshWaId(), null);
    const tag = await label(s, `Seeded ${newId('lbl').slice(-6)}`);
    const res = await t.http
      .post(path(a, `/${parties.contactId}/labels`))
      .set(s.auth)
      .send({ label_id: tag.id });
    expect(res.body.data.labels).toEqual([{ id: tag.id, name: tag.name, color: 'gray' }]);
  });
});
