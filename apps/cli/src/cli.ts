import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ApiKeysService, OrganizationsService, TeamsService, USER_ROLES, type UserRole, UsersService } from '@kirim/identity';
import { AppError, ConfigError, type IdPrefix, isDependencyDown, isId, loadConfig } from '@kirim/platform';
import { CliModule } from './cli.module';

export interface CliIo {
  /** Environment the configuration is read from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

/** Exit codes: 0 success, 1 failure (e.g. unknown organization, invalid email), 2 usage error. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * `kirim <command>` in-process: parses `argv` (the arguments after the program name), runs the command
 * against the services of a Nest application context and returns the exit code. Results go to stdout
 * (JSON with `--json`), errors to stderr as one line `error: <message>`.
 */
export async function runCli(argv: readonly string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const out = (json: boolean, value: unknown, lines: () => string[]) =>
    stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${lines().join('\n')}\n`);
  const run = (fn: (app: INestApplicationContext) => Promise<void>) => withContext(env, fn);

  const program = new Command('kirim')
    .description('Operate a self-hosted Kirim: organizations, teams, users and API keys.')
    .exitOverride()
    // Commander's own error text may span lines (suggestions, help); ours is one line, written below.
    .configureOutput({ writeOut: (s) => void stdout.write(s), writeErr: () => undefined, outputError: () => undefined })
    .showSuggestionAfterError(false);

  const orgs = program.command('orgs').description('Organizations');
  orgs
    .command('create')
    .description('Create an organization with its first team, an owner user and a first API key')
    .requiredOption('--name <name>', 'organization name')
    .requiredOption('--owner-email <email>', "the owner's email")
    .option('--owner-name <name>', "the owner's name")
    .option('--team <name>', 'name of the first team', 'Default')
    .option('--json', 'print JSON')
    .action((o: { name: string; ownerEmail: string; ownerName?: string; team: string; json?: boolean }) =>
      run(async (app) => {
        const r = await app
          .get(OrganizationsService)
          .create({ name: o.name, ownerEmail: o.ownerEmail, ownerName: o.ownerName, teamName: o.team });
        const json = { organization: r.organization, team: r.team, user: r.user, owner_password: r.ownerPassword, api_key: r.apiKey };
        out(!!o.json, json, () => [
          `Created organization ${r.organization.id} (${r.organization.name})`,
          `  team      ${r.team.id} (${r.team.name})`,
          `  owner     ${r.user.id} ${r.user.email}`,
          `  password  ${r.ownerPassword}   (shown once)`,
          `  API key   ${r.apiKey.id} ${r.apiKey.secret}   (shown once)`,
        ]);
      }),
    );
  orgs
    .command('list')
    .description('List organizations, oldest first')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      run(async (app) => {
        const list = (await app.get(OrganizationsService).list()).map(({ id, name, created_at }) => ({ id, name, created_at }));
        out(!!o.json, list, () => (list.length ? list.map((x) => `${x.id}  ${x.created_at}  ${x.name}`) : ['No organizations.']));
      }),
    );

  program
    .command('teams')
    .description('Teams')
    .command('create')
    .description('Add a team to an organization')
    .requiredOption('--org <id>', 'organization (org_…)', idArg('org'))
    .requiredOption('--name <name>', 'team name')
    .option('--json', 'print JSON')
    .action((o: { org: string; name: string; json?: boolean }) =>
      run(async (app) => {
        await app.get(OrganizationsService).get(o.org);
        const team = await app.get(TeamsService).create(o.org, o.name);
        out(!!o.json, team, () => [`Created team ${team.id} (${team.name}) in ${o.org}`]);
      }),
    );

  program
    .command('users')
    .description('Users')
    .command('create')
    .description('Add a user to an organization; prints a one-time password')
    .requiredOption('--org <id>', 'organization (org_…)', idArg('org'))
    .requiredOption('--email <email>', 'email (unique in the organization)')
    .option('--name <name>', 'display name')
    .addOption(new Option('--role <role>', 'role').choices(USER_ROLES).default('agent'))
    .option('--json', 'print JSON')
    .action((o: { org: string; email: string; name?: string; role: UserRole; json?: boolean }) =>
      run(async (app) => {
        await app.get(OrganizationsService).get(o.org);
        const { user, password } = await app.get(UsersService).create(o.org, { email: o.email, name: o.name, role: o.role });
        out(!!o.json, { ...user, password }, () => [
          `Created user ${user.id} ${user.email} (${user.role}) in ${o.org}`,
          `  password  ${password}   (shown once)`,
        ]);
      }),
    );

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('Create an API key; prints its plaintext once')
    .requiredOption('--org <id>', 'organization (org_…)', idArg('org'))
    .option('--customer <id>', 'restrict the key to one customer (cus_…)', idArg('cus'))
    .option('--expires-in-days <n>', 'expire the key after n days (1-36500)', daysArg)
    .option('--label <label>', 'label shown in listings')
    .option('--json', 'print JSON')
    .action((o: { org: string; customer?: string; expiresInDays?: number; label?: string; json?: boolean }) =>
      run(async (app) => {
        await app.get(OrganizationsService).get(o.org);
        const expiresAt = o.expiresInDays === undefined ? null : new Date(Date.now() + o.expiresInDays * 86_400_000);
        const k = await app.get(ApiKeysService).create(o.org, { label: o.label, customerId: o.customer, expiresAt });
        const json = { id: k.id, secret: k.secret, label: k.label, last4: k.last4, customer_id: k.customer_id, expires_at: k.expires_at };
        out(!!o.json, json, () => [
          `Created API key ${k.id}${k.label ? ` (${k.label})` : ''} in ${o.org}`,
          `  secret    ${k.secret}   (shown once)`,
          ...(k.customer_id ? [`  customer  ${k.customer_id}`] : []),
          ...(k.expires_at ? [`  expires   ${k.expires_at}`] : []),
        ]);
      }),
    );
  keys
    .command('revoke')
    .description('Revoke an API key (effective everywhere within 5 s)')
    .argument('<key>', 'the key id (key_…)', idArg('key'))
    .option('--json', 'print JSON')
    .action((keyId: string, o: { json?: boolean }) =>
      run(async (app) => {
        const k = await app.get(ApiKeysService).revokeById(keyId);
        out(!!o.json, k, () => [`Revoked API key ${k.id} at ${k.revoked_at ?? ''}`]);
      }),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return fail(error, stderr);
  }
}

async function withContext(env: NodeJS.ProcessEnv, fn: (app: INestApplicationContext) => Promise<void>): Promise<void> {
  // Logs would mix with --json output on stdout: the CLI reports through its own one-line errors.
  const config = { ...loadConfig(env), LOG_LEVEL: 'silent' as const };
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: false, abortOnError: false });
  try {
    await fn(app);
  } finally {
    await app.close();
  }
}

function fail(error: unknown, stderr: { write(text: string): unknown }): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    const message = error.code === 'commander.help' ? 'missing command; run with --help for usage' : error.message.replace(/^error: /, '');
    stderr.write(`error: ${firstLine(message)}\n`);
    return EXIT_USAGE;
  }
  const message =
    error instanceof AppError || error instanceof ConfigError
      ? error.message
      : isDependencyDown(error)
        ? 'cannot reach PostgreSQL (check DATABASE_URL and that the server is running)'
        : error instanceof Error
          ? error.message
          : String(error);
  stderr.write(`error: ${firstLine(message)}\n`);
  return EXIT_FAILURE;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() || 'unknown error';
}

function idArg(prefix: IdPrefix) {
  return (value: string): string => {
    if (!isId(prefix, value)) throw new InvalidArgumentError(`expected a well-formed ${prefix}_ id.`);
    return value;
  };
}

function daysArg(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > 36_500) throw new InvalidArgumentError('expected a whole number of days from 1 to 36500.');
  return days;
}
