import { PlatformModule, PrismaService } from '@kirim/platform';
import { contextPorts, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { verify } from '@node-rs/argon2';
import { ApiKeysService } from '../application/api-keys.service';
import { OrganizationsService } from '../application/organizations.service';
import { TeamsService } from '../application/teams.service';
import { UsersService } from '../application/users.service';
import { IdentityModule } from '../identity.module';

describe('identity application services', () => {
  let env: TestEnv;
  let t: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    env = await createTestEnv();
    t = await createTestApp({ module: class Root {}, imports: [PlatformModule.forRoot(env.config), IdentityModule, contextPorts()] });
    prisma = t.app.get(PrismaService);
  });
  afterAll(async () => {
    await t.close();
    await env.close();
  });

  it('OrganizationsService.create makes org, default team, owner (argon2id) and a key in one go', async () => {
    const r = await t.app.get(OrganizationsService).create({ name: ' Acme ', ownerEmail: ' Ops@Example.com ' });
    expect(r.organization).toEqual({
      id: expect.stringMatching(/^org_/),
      object: 'organization',
      name: 'Acme',
      created_at: expect.any(String),
    });
    expect(r.team).toEqual({ id: expect.stringMatching(/^team_/), name: 'Default' });
    expect(r.user).toEqual({ id: expect.stringMatching(/^usr_/), email: 'ops@example.com', role: 'owner' });
    expect(r.ownerPassword.length).toBeGreaterThanOrEqual(20);
    expect(r.apiKey).toEqual({
      id: expect.stringMatching(/^key_/),
      secret: expect.stringMatching(/^kir_live_/),
      label: 'default',
      last4: r.apiKey.secret.slice(-4),
      customer_id: null,
      expires_at: null,
    });

    const user = await prisma.user.findUniqueOrThrow({ where: { id: r.user.id } });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verify(user.passwordHash, r.ownerPassword)).toBe(true);
    const key = await prisma.apiKey.findUniqueOrThrow({ where: { id: r.apiKey.id } });
    expect(key.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(key)).not.toContain(r.apiKey.secret);
    expect(key.last4).toBe(r.apiKey.secret.slice(-4));
  });

  it('OrganizationsService.create names the first team and owner when asked', async () => {
    const r = await t.app
      .get(OrganizationsService)
      .create({ name: 'B', ownerEmail: 'b@example.com', ownerName: 'Bo', teamName: 'Operations' });
    expect(r.team.name).toBe('Operations');
    expect((await prisma.user.findUniqueOrThrow({ where: { id: r.user.id } })).name).toBe('Bo');
  });

  it('OrganizationsService.create leaves nothing behind when it fails', async () => {
    const before = await prisma.organization.count();
    await expect(t.app.get(OrganizationsService).create({ name: 'Bad', ownerEmail: 'not-an-email' })).rejects.toMatchObject({
      code: 'invalid_field_value',
      param: 'email',
    });
    // Fails inside the transaction (the key's customer directory is fine; force a failure after the org insert).
    jest.spyOn(t.app.get(ApiKeysService), 'create').mockRejectedValueOnce(new Error('boom'));
    await expect(t.app.get(OrganizationsService).create({ name: 'Half', ownerEmail: 'half@example.com' })).rejects.toThrow('boom');
    expect(await prisma.organization.count()).toBe(before);
    expect(await prisma.user.count({ where: { email: 'half@example.com' } })).toBe(0);
  });

  it('OrganizationsService.list is oldest first; get throws resource_not_found for an unknown id', async () => {
    const orgs = t.app.get(OrganizationsService);
    const first = await orgs.create({ name: 'First', ownerEmail: 'f@example.com' });
    const second = await orgs.create({ name: 'Second', ownerEmail: 's@example.com' });
    const ids = (await orgs.list()).map((o) => o.id);
    expect(ids.indexOf(first.organization.id)).toBeLessThan(ids.indexOf(second.organization.id));
    expect(await orgs.get(first.organization.id)).toEqual(first.organization);
    await expect(orgs.get('org_01HXYZABCDEFGHJKMNPQRSTVWX')).rejects.toMatchObject({ code: 'resource_not_found' });
  });

  it('TeamsService: create, list oldest first, find scoped to the organization', async () => {
    const a = await t.app.get(OrganizationsService).create({ name: 'A', ownerEmail: 'a@example.com' });
    const b = await t.app.get(OrganizationsService).create({ name: 'B', ownerEmail: 'b2@example.com' });
    const teams = t.app.get(TeamsService);
    const second = await teams.create(a.organization.id, 'Support');
    expect(second).toEqual({ id: expect.stringMatching(/^team_/), object: 'team', name: 'Support' });
    expect(await teams.listForOrganization(a.organization.id)).toEqual([{ id: a.team.id, object: 'team', name: 'Default' }, second]);
    expect(await teams.find(a.organization.id, second.id)).toEqual(second);
    expect(await teams.find(b.organization.id, second.id)).toBeNull();
    await expect(teams.create(a.organization.id, ' ')).rejects.toMatchObject({ code: 'invalid_field_value', param: 'name' });
  });

  it('UsersService.create: normalised email, unique per organization (case-insensitive), role checked', async () => {
    const a = await t.app.get(OrganizationsService).create({ name: 'U', ownerEmail: 'owner@u.example' });
    const b = await t.app.get(OrganizationsService).create({ name: 'V', ownerEmail: 'owner@v.example' });
    const users = t.app.get(UsersService);
    const { user, password } = await users.create(a.organization.id, { email: 'Agent@U.example', role: 'agent' });
    expect(user).toEqual({
      id: expect.stringMatching(/^usr_/),
      object: 'user',
      email: 'agent@u.example',
      name: null,
      role: 'agent',
      created_at: expect.any(String),
    });
    expect(password.length).toBeGreaterThanOrEqual(20);
    await expect(users.create(a.organization.id, { email: ' AGENT@u.example', role: 'agent' })).rejects.toMatchObject({
      code: 'invalid_field_value',
      param: 'email',
    });
    await expect(users.create(a.organization.id, { email: 'OWNER@u.example', role: 'owner' })).rejects.toMatchObject({
      code: 'invalid_field_value',
      param: 'email',
    });
    expect((await users.create(b.organization.id, { email: 'agent@u.example', role: 'agent' })).user.email).toBe('agent@u.example');
    await expect(users.create(a.organization.id, { email: 'x@u.example', role: 'admin' as 'agent' })).rejects.toMatchObject({
      code: 'invalid_field_value',
      param: 'role',
    });
  });

  it('ApiKeysService.revokeById finds the key in any organization; unknown → resource_not_found', async () => {
    const a = await t.app.get(OrganizationsService).create({ name: 'K', ownerEmail: 'k@example.com' });
    const keys = t.app.get(ApiKeysService);
    expect((await keys.revokeById(a.apiKey.id)).revoked_at).not.toBeNull();
    await expect(keys.authenticate(a.apiKey.secret)).rejects.toMatchObject({ code: 'invalid_api_key' });
    await expect(keys.revokeById('key_01HXYZABCDEFGHJKMNPQRSTVWX')).rejects.toMatchObject({ code: 'resource_not_found' });
  });
});
