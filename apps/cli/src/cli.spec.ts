import { runCli } from './cli';

/** Usage errors are caught before any connection is made: no database needed. */
async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: {},
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

describe('kirim CLI usage errors', () => {
  it.each([
    [['orgs', 'create', '--owner-email', 'a@example.com'], /--name/],
    [['orgs', 'create', '--name', 'A', '--owner-email', 'a@example.com', '--colour', 'red'], /unknown option '--colour'/],
    [['orgs'], /missing command/],
    [['nope'], /unknown command 'nope'/],
    [[], /missing command/],
    [['teams', 'create', '--org', 'org_123', '--name', 'x'], /org_/],
    [['users', 'create', '--org', 'org_01HXYZABCDEFGHJKMNPQRSTVWX', '--email', 'a@b.co', '--role', 'admin'], /owner, agent/],
    [['keys', 'create', '--org', 'org_01HXYZABCDEFGHJKMNPQRSTVWX', '--expires-in-days', '0'], /days/],
    [['keys', 'create', '--org', 'org_01HXYZABCDEFGHJKMNPQRSTVWX', '--customer', 'cus_x'], /cus_/],
    [['keys', 'revoke', 'org_01HXYZABCDEFGHJKMNPQRSTVWX'], /key_/],
    [['keys', 'revoke'], /missing required argument/],
  ])('%j → one line on stderr, exit 2', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: [^\n]+\n$/);
    expect(r.stderr).toMatch(message);
  });

  it('a missing configuration is one line and exit 1', async () => {
    const r = await cli('orgs', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: Invalid configuration: DATABASE_URL is required; ENCRYPTION_KEY is required; KEY_PEPPER is required\n');
  });

  it('--help prints usage to stdout and exits 0', async () => {
    const r = await cli('keys', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/create/);
    expect(r.stdout).toMatch(/revoke/);
    expect(r.stderr).toBe('');
  });
});
