import { ContractsModule } from '@kirim/contracts';
import { IdentityHttpModule } from '@kirim/identity';
import { PlatformModule } from '@kirim/platform';
import { CustomersService, TenancyHttpModule } from '@kirim/tenancy';
import { contextPorts, createTestApp, createTestEnv, type TestApp, type TestEnv } from '@kirim/testing';
import { runCli } from './cli';

describe('kirim CLI against a real database', () => {
  let env: TestEnv;
  let api: TestApp;
  let cliEnv: NodeJS.ProcessEnv;

  async function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      env: cliEnv,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    return { code, stdout, stderr, json: () => JSON.parse(stdout) };
  }

  beforeAll(async () => {
    env = await createTestEnv();
    cliEnv = Object.fromEntries(Object.entries(env.config).map(([k, v]) => [k, String(v)]));
    api = await createTestApp({
      module: class Root {},
      imports: [PlatformModule.forRoot(env.config), ContractsModule, IdentityHttpModule, TenancyHttpModule, contextPorts()],
    });
  });
  afterAll(async () => {
    await api.close();
    await env.close();
  });

  it('orgs create --json prints the bootstrap, and its key works on GET /v1/me', async () => {
    const r = await cli(
      'orgs',
      'create',
      '--name',
      'Your Platform Inc',
      '--owner-email',
      'Ops@Example.com',
      '--team',
      'Operations',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(out).toMatchObject({
      organization: { id: expect.stringMatching(/^org_/), name: 'Your Platform Inc' },
      team: { id: expect.stringMatching(/^team_/), name: 'Operations' },
      user: { id: expect.stringMatching(/^usr_/), email: 'ops@example.com' },
      owner_password: expect.stringMatching(/^.{20,}$/),
      api_key: { id: expect.stringMatching(/^key_/), secret: expect.stringMatching(/^kir_live_[A-Za-z0-9_-]{24}$/) },
    });
    const me = await api.http.get('/v1/me').set('Authorization', `Bearer ${out.api_key.secret}`);
    expect(me.status).toBe(200);
    expect(me.body.data.organization).toEqual({ id: out.organization.id, object: 'organization', name: 'Your Platform Inc' });
    expect(me.body.data.teams).toEqual([{ id: out.team.id, object: 'team', name: 'Operations' }]);
    expect(me.body.data.api_key.id).toBe(out.api_key.id);
  });

  it('orgs create without --json prints readable lines with the one-time secrets', async () => {
    const r = await cli('orgs', 'create', '--name', 'Readable', '--owner-email', 'r@example.com');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Created organization org_\w+ \(Readable\)$/m);
    expect(r.stdout).toMatch(/team_\w+ \(Default\)/);
    expect(r.stdout).toMatch(/kir_live_[A-Za-z0-9_-]{24}/);
    expect(() => JSON.parse(r.stdout)).toThrow();
  });

  it('orgs list --json: every organization, oldest first, {id, name, created_at}', async () => {
    const created = (await cli('orgs', 'create', '--name', 'Listed', '--owner-email', 'l@example.com', '--json')).json();
    const r = await cli('orgs', 'list', '--json');
    expect(r.code).toBe(0);
    const list = r.json() as Array<{ id: string; name: string; created_at: string }>;
    expect(list.at(-1)).toEqual({ id: created.organization.id, name: 'Listed', created_at: created.organization.created_at });
    expect(list.map((o) => o.created_at)).toEqual([...list.map((o) => o.created_at)].sort());
    expect((await cli('orgs', 'list')).stdout).toContain(`${created.organization.id}  `);
  });

  it('teams create and users create', async () => {
    const org = (await cli('orgs', 'create', '--name', 'T', '--owner-email', 't@example.com', '--json')).json();
    const team = await cli('teams', 'create', '--org', org.organization.id, '--name', 'Support', '--json');
    expect(team.code).toBe(0);
    expect(team.json()).toEqual({ id: expect.stringMatching(/^team_/), object: 'team', name: 'Support' });

    const user = await cli('users', 'create', '--org', org.organization.id, '--email', 'Agent@Example.com', '--name', 'Ana', '--json');
    expect(user.code).toBe(0);
    expect(user.json()).toMatchObject({
      id: expect.stringMatching(/^usr_/),
      email: 'agent@example.com',
      name: 'Ana',
      role: 'agent',
      password: expect.stringMatching(/^.{20,}$/),
    });
    const owner = await cli('users', 'create', '--org', org.organization.id, '--email', 'boss@example.com', '--role', 'owner', '--json');
    expect(owner.json().role).toBe('owner');

    const me = await api.http.get('/v1/me').set('Authorization', `Bearer ${org.api_key.secret}`);
    expect(me.body.data.teams.map((t: { name: string }) => t.name)).toEqual(['Default', 'Support']);
    const users = await api.http.get('/v1/users').set('Authorization', `Bearer ${org.api_key.secret}`);
    expect(users.body.data.map((u: { email: string }) => u.email).sort()).toEqual([
      'agent@example.com',
      'boss@example.com',
      't@example.com',
    ]);

    const duplicate = await cli('users', 'create', '--org', org.organization.id, '--email', 'AGENT@example.com');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/^error: A user with email 'agent@example.com' already exists in this organization\.\n$/);
  });

  it('keys create and keys revoke', async () => {
    const org = (await cli('orgs', 'create', '--name', 'K', '--owner-email', 'k@example.com', '--json')).json();
    const customer = await api.app
      .get(CustomersService)
      .create({ organizationId: org.organization.id, customerId: null }, { name: 'Acme' });
    const unknown = await cli('keys', 'create', '--org', org.organization.id, '--customer', 'cus_01HXYZABCDEFGHJKMNPQRSTVWX', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .*cus_01HXYZABCDEFGHJKMNPQRSTVWX.*\n$/);
    const r = await cli(
      'keys',
      'create',
      '--org',
      org.organization.id,
      '--label',
      'ci',
      '--expires-in-days',
      '30',
      '--customer',
      customer.id,
      '--json',
    );
    expect(r.code).toBe(0);
    const key = r.json();
    expect(key).toEqual({
      id: expect.stringMatching(/^key_/),
      secret: expect.stringMatching(/^kir_live_/),
      label: 'ci',
      last4: key.secret.slice(-4),
      customer_id: customer.id,
      expires_at: expect.any(String),
    });
    expect(Math.abs(Date.parse(key.expires_at) - (Date.now() + 30 * 86_400_000))).toBeLessThan(60_000);
    const me = await api.http.get('/v1/me').set('Authorization', `Bearer ${key.secret}`);
    expect(me.body.data.api_key).toMatchObject({ id: key.id, customer_id: customer.id, expires_at: key.expires_at });

    const plain = (await cli('keys', 'create', '--org', org.organization.id, '--json')).json();
    expect(plain).toMatchObject({ label: null, customer_id: null, expires_at: null });

    const revoked = await cli('keys', 'revoke', plain.id, '--json');
    expect(revoked.code).toBe(0);
    expect(revoked.json()).toMatchObject({ id: plain.id, object: 'api_key', revoked_at: expect.any(String) });
    // Another process (the api) sees it within its cache TTL; this key was never used there, so at once.
    expect((await api.http.get('/v1/me').set('Authorization', `Bearer ${plain.secret}`)).status).toBe(401);
    expect((await cli('keys', 'revoke', plain.id)).stdout).toMatch(/^Revoked API key key_\w+ at \d{4}-/);
  });

  it('failures print one line and exit non-zero', async () => {
    const unknownOrg = await cli('keys', 'create', '--org', 'org_01HXYZABCDEFGHJKMNPQRSTVWX', '--json');
    expect(unknownOrg).toMatchObject({ code: 1, stdout: '', stderr: "error: No such organization: 'org_01HXYZABCDEFGHJKMNPQRSTVWX'\n" });
    const unknownKey = await cli('keys', 'revoke', 'key_01HXYZABCDEFGHJKMNPQRSTVWX');
    expect(unknownKey).toMatchObject({ code: 1, stderr: "error: No such API key: 'key_01HXYZABCDEFGHJKMNPQRSTVWX'\n" });
    const badEmail = await cli('orgs', 'create', '--name', 'X', '--owner-email', 'nope');
    expect(badEmail).toMatchObject({ code: 1, stderr: "error: 'nope' is not a valid email address.\n" });
    const badArg = await cli('teams', 'create', '--org', 'nope', '--name', 'x');
    expect(badArg.code).toBe(2);
    expect(badArg.stderr).toMatch(/^error: [^\n]*org_[^\n]*\n$/);
  });

  it('an unreachable database is one line and exit 1', async () => {
    let stderr = '';
    const code = await runCli(['orgs', 'list'], {
      env: { ...cliEnv, DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none' },
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
    });
    expect(code).toBe(1);
    expect(stderr).toBe('error: cannot reach PostgreSQL (check DATABASE_URL and that the server is running)\n');
  });
});
