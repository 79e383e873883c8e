#!/usr/bin/env node
// `npm run bench`: Kirim's benchmark (spec 08), with a baseline measured in the same run. See README.md.
//   build (Nx) → fresh database kirim_bench_<ts> + migrations → baseline server, Meta sandbox, worker, api
//   (production settings, one process each) → seed (CLI + one INSERT … SELECT per table; 50 connected
//   accounts at the sandbox and in PostgreSQL, messaging.mjs) → every scenario at full load and at a fixed
//   rate, each load in its own autocannon process; webhooks.mjs's delivery scenario with its own receiver
//   process → RSS → results JSON (+ README table).
// Options:
//   --smoke            a few seconds of load in all: small seed, 1 s per load at 10 connections and 50 req/s,
//                      10-POST inbound bursts (inbound, webhooks), no targets; exit 0 unless something
//                      errored or answered non-2xx (what `npm test` runs). Writes results/local/smoke.json.
//   --duration <s>     seconds per measured load (10)        --warmup <s>   seconds of warm-up load (3)
//   --connections <n>  connections at full load (100)        --rate <n>     req/s of the fixed-rate load (200)
//   --only <a,b>       only these scenarios (the baseline always runs)
//   --profile          run each api scenario against its own api started with --cpu-prof (the messaging
//                      scenarios also with such a worker), and print where the CPU went (self time by
//                      package); profiles in results/profiles/
//   --keep-db          keep the bench database (and Redis keys) afterwards
//   --no-build         use dist/ as it is          --check-targets   exit 1 when a target is missed
//   --api-node-flags="<flags>"  node flags of the api instead of API_NODE_FLAGS (tools/stack/lib.mjs, what
//                      `npm start` uses), to try V8 heap settings; "" = none
//   --worker-node-flags="<flags>"  the same for the worker (WORKER_NODE_FLAGS)
// Environment: DATABASE_ADMIN_URL (postgresql://postgres@127.0.0.1:5432/postgres), REDIS_URL
// (redis://127.0.0.1:6379), ENCRYPTION_KEY / KEY_PEPPER (else .env, written as `npm start` does).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  API_NODE_FLAGS,
  WORKER_NODE_FLAGS,
  ensureDotEnv,
  freePort,
  ignore,
  loadDotEnv,
  redisAnswers,
  root,
  run,
  sandboxEnv,
  sleep,
} from '../stack/lib.mjs';
import {
  evaluateMessaging,
  MESSAGING_SCENARIOS,
  MESSAGING_SEED,
  MESSAGING_SEED_SMOKE,
  messagingTable,
  seedMessaging,
} from './messaging.mjs';
import { analyseProfile, formatProfile } from './profile.mjs';
import { WEBHOOK_SCENARIOS, webhooksTable } from './webhooks.mjs';

const benchDir = join(root, 'tools', 'bench');
const resultsDir = join(benchDir, 'results');
const localDir = join(resultsDir, 'local'); // git-ignored: smoke and partial runs, app logs
const profilesDir = join(resultsDir, 'profiles'); // git-ignored
const readme = join(benchDir, 'README.md');

const { values: opts } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    connections: { type: 'string' },
    rate: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'keep-db': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'check-targets': { type: 'boolean', default: false },
    'api-node-flags': { type: 'string' },
    'worker-node-flags': { type: 'string' },
  },
});
const smoke = opts.smoke;
const duration = Number(opts.duration ?? (smoke ? 1 : 10));
const warmup = Number(opts.warmup ?? (smoke ? 0 : 3));
// The smoke run checks that everything answers, not speed: a light load that leaves the machine to others.
const connections = Number(opts.connections ?? (smoke ? 10 : 100));
const rate = Number(opts.rate ?? (smoke ? 50 : 200));
const seedSize = smoke ? { customers: 200, events: 1000 } : { customers: 10_000, events: 100_000 };
const PAGE = 25;
const apiNodeFlags = opts['api-node-flags'] === undefined ? API_NODE_FLAGS : opts['api-node-flags'].split(' ').filter(Boolean);
const workerNodeFlags = opts['worker-node-flags'] === undefined ? WORKER_NODE_FLAGS : opts['worker-node-flags'].split(' ').filter(Boolean);

/**
 * The scenarios, in the order they run (reads before writes: the POSTs add customers and events).
 * `target`: the spec-08 targets, as ratios to the baseline's full-load req/s and p99 at the fixed rate.
 */
const SCENARIOS = [
  { name: 'baseline', label: 'baseline (INSERT + LPUSH)', server: 'baseline', path: '/' },
  { name: 'me', label: 'GET /v1/me', path: '/v1/me', target: { ratio: 0.5 } },
  {
    name: 'customers-page-1',
    label: 'GET /v1/customers?limit=25 (page 1)',
    path: '/v1/customers?limit=25',
    target: { ratio: 0.35, p99: 20 },
  },
  {
    name: 'customers-page-400',
    label: 'GET /v1/customers?limit=25 (page 400)',
    path: (ctx) => `/v1/customers?limit=25&cursor=${encodeURIComponent(ctx.lastCursor)}`,
    target: { ratio: 0.35, p99: 20, sameAs: 'customers-page-1' },
  },
  { name: 'events', label: 'GET /v1/events?limit=25', path: '/v1/events?limit=25' },
  {
    name: 'customers-create',
    label: 'POST /v1/customers (Idempotency-Key)',
    method: 'POST',
    path: '/v1/customers',
    body: { name: 'Bench customer', metadata: { source: 'bench' } },
    idempotencyKey: true,
    target: { ratio: 0.2, p99: 50 },
  },
  // messages-send, messages-e2e, messages-cap, inbound: messaging.mjs (each with its own `run`).
  ...MESSAGING_SCENARIOS,
  // webhooks: webhooks.mjs (the inbound burst delivered to a local receiver, with a hanging endpoint beside it).
  ...WEBHOOK_SCENARIOS,
];
/** "page 400 costs what page 1 costs": at least this share of page 1's req/s. */
const SAME_COST_SHARE = 0.9;

const say = (line = '') => process.stdout.write(`${line}\n`);
class Fatal extends Error {}
const fail = (message) => {
  throw new Fatal(message);
};

const children = new Set();
const cleanups = [];
let cleaningUp = false;

// ------------------------------------------------------------------------------------------- facts

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu_model: cpus[0]?.model?.trim() ?? 'unknown',
    memory_mb: Math.round(os.totalmem() / 2 ** 20),
    os: `${os.type()} ${os.release()}`,
    load_average_at_start: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

function git() {
  const out = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = out(['rev-parse', 'HEAD']);
  const dirty = out(['status', '--porcelain', '--untracked-files=no', '--', 'apps', 'libs', 'prisma']).length > 0;
  return { commit, dirty };
}

const packageVersion = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

// --------------------------------------------------------------------------------------- processes

/** Starts a long-running child with its output in a log file. Resolves when `ready()` says so. */
function startChild(name, args, env, logFile) {
  const fd = openSync(logFile, 'a'); // appended: --profile restarts the api
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  children.add(child);
  child.on('exit', () => children.delete(child));
  return { name, child, logFile, pid: child.pid };
}

const tail = (file, lines = 30) => (existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '');

async function waitHttp(proc, url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null)
      fail(`${proc.name} exited with code ${proc.child.exitCode} before ${url} answered:\n${tail(proc.logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(200);
  }
  fail(`${proc.name}: ${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last}):\n${tail(proc.logFile)}`);
}

function stopChild(proc, ms = 15_000) {
  const child = proc?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), resolve()), ms);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_rss_mb: Math.round(kb('VmHWM') / 1024) };
  } catch {
    return { rss_mb: null, peak_rss_mb: null };
  }
}

/**
 * CPU seconds a process has used (utime + stime from /proc/<pid>/stat). Unlike req/s, CPU per request
 * barely moves when other work shares the machine: the figure to compare across noisy runs.
 */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** A load, with the CPU the server (and the worker) spent per 2xx answer during it, in µs. */
async function measuredLoad(spec, pids) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const result = await load(spec);
  result.cpu_us_per_request = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, result.ok_2xx ? Math.round(((cpuSeconds(pid) - before[k]) / result.ok_2xx) * 1e6) : null]),
  );
  return result;
}

/** One autocannon run in its own process (tools/bench/load.mjs). */
async function load(spec) {
  // A large spec (the messaging scenarios' 1,000 variants) goes through a file: argv has a size limit.
  let arg = JSON.stringify(spec);
  const specFile = arg.length > 32_000 && join(localDir, `load-spec-${process.pid}.json`);
  if (specFile) {
    writeFileSync(specFile, arg);
    arg = `@${specFile}`;
  }
  const r = await run(process.execPath, [join(benchDir, 'load.mjs'), arg], { track: (c) => children.add(c) });
  if (specFile) rmSync(specFile, { force: true });
  const line = r.stdout.trim().split('\n').pop();
  if (r.code !== 0 || !line?.startsWith('{')) fail(`load generator failed (exit ${r.code}):\n${r.output.trimEnd()}`);
  return JSON.parse(line);
}

// ------------------------------------------------------------------------------------- environment

async function createDatabase(adminUrl, name) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    fail(`PostgreSQL: ${adminUrl} does not answer (${error.message}); set DATABASE_ADMIN_URL`);
  }
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const version = (await admin.query('SHOW server_version')).rows[0].server_version;
    return version;
  } finally {
    await admin.end();
  }
}

async function dropDatabase(adminUrl, name) {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function redisVersion(url) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  client.on('error', ignore);
  try {
    await client.connect();
    return /redis_version:(\S+)/.exec(await client.info('server'))?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

/** Deletes every key under the prefix (bounded: SCAN in pages, at most 10,000 pages). */
async function dropRedisKeys(url, prefix) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  client.on('error', ignore);
  try {
    let cursor = '0';
    for (let i = 0; i < 10_000; i++) {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await client.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    client.disconnect();
  }
}

// -------------------------------------------------------------------------------------------- seed

/**
 * Customers and events straight into PostgreSQL, matching prisma/schema (one INSERT … SELECT over
 * unnest(ids, timestamps) per table). Ids are `cus_`/`evt_` + a ULID whose time part is the row's created_at,
 * so ids and timestamps sort together and keyset cursors work; events are marked relayed so the
 * worker's outbox relay leaves them alone.
 */
async function seedRows(databaseUrl, { orgId, teamId }, { customers, events }) {
  const { default: pg } = await import('pg');
  const { monotonicFactory } = await import('ulid');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const start = Date.now() - 60 * 60 * 1000; // an hour ago: inside the event log's 30-day window
    const ulid = monotonicFactory();
    const customerIds = [];
    const customerTimes = [];
    for (let i = 0; i < customers; i++) {
      const at = start + i * 100;
      customerIds.push(`cus_${ulid(at)}`);
      customerTimes.push(new Date(at).toISOString());
    }
    await client.query(
      `INSERT INTO customers (id, org_id, team_id, name, email, status, metadata, created_at, updated_at)
       SELECT t.id, $1, $2, 'Bench customer ' || t.n, 'bench' || t.n || '@example.com', 'active',
              jsonb_build_object('seq', t.n), t.at, t.at
       FROM unnest($3::text[], $4::timestamptz[]) WITH ORDINALITY AS t(id, at, n)`,
      [orgId, teamId, customerIds, customerTimes],
    );
    const eventIds = [];
    const eventTimes = [];
    for (let i = 0; i < events; i++) {
      const at = start + i * 30;
      eventIds.push(`evt_${ulid(at)}`);
      eventTimes.push(new Date(at).toISOString());
    }
    await client.query(
      `INSERT INTO events (id, org_id, team_id, customer_id, type, data, created_at, relayed_at)
       SELECT t.id, $1, $2, c.id, 'customer.updated',
              jsonb_build_object('customer', jsonb_build_object(
                'id', c.id, 'object', 'customer', 'name', c.name, 'email', c.email, 'status', c.status,
                'metadata', c.metadata, 'team_id', c.team_id, 'archived_at', NULL,
                'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'updated_at', to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
              t.at, now()
       FROM unnest($3::text[], $4::timestamptz[]) WITH ORDINALITY AS t(id, at, n)
       JOIN (SELECT *, row_number() OVER (ORDER BY id) AS k FROM customers WHERE org_id = $1) c
         ON c.k = 1 + (t.n - 1) % $5::int`,
      [orgId, teamId, eventIds, eventTimes, customers],
    );
    await client.query('ANALYZE customers; ANALYZE events');
  } finally {
    await client.end();
  }
}

/**
 * Follows next_cursor to the last page of the customer list (page `total / 25`); returns its cursor and
 * page number. Walks 100 rows a request while it can: a cursor is bound to the filters, not the limit.
 */
async function lastPageCursor(apiUrl, apiKey, total) {
  const page = Math.ceil(total / PAGE);
  const skip = (page - 1) * PAGE;
  let cursor = null;
  for (let seen = 0; seen < skip; ) {
    const limit = skip - seen >= 100 ? 100 : PAGE;
    const url = `${apiUrl}/v1/customers?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(10_000) });
    const body = await res.json().catch(() => null);
    if (res.status !== 200 || !body?.next_cursor || body.data?.length !== limit)
      fail(`walking the customer list: after ${seen} rows, ${url} answered ${res.status} ${JSON.stringify(body)?.slice(0, 300)}`);
    cursor = body.next_cursor;
    seen += limit;
  }
  return { cursor, page };
}

/**
 * The bench database's counters (pg_stat_database): transactions, rows read and written. Only this run
 * uses that database, so their growth over a load is what its requests cost PostgreSQL (plus the worker's
 * polling, negligible next to thousands of requests).
 */
async function dbStats(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      `SELECT xact_commit + xact_rollback AS xacts, tup_returned + tup_fetched AS rows_read,
              tup_inserted + tup_updated + tup_deleted AS rows_written
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]));
  } finally {
    await client.end();
  }
}

function perRequest(before, after, requests) {
  if (!requests) return null;
  const out = {};
  for (const k of Object.keys(after)) out[k] = Math.round(((after[k] - before[k]) / requests) * 100) / 100;
  return out;
}

// ------------------------------------------------------------------------------------------ report

const fmt = (n, digits = 0) =>
  n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits });
const pct = (r) => (r === null || r === undefined ? '–' : `${Math.round(r * 1000) / 10} %`);

/** Ratios to the baseline and every target of a scenario, against the same run's figures. */
function evaluate(results, baselineRps) {
  for (const s of results.scenarios) {
    const def = SCENARIOS.find((d) => d.name === s.name);
    if (!s.max) {
      // the messaging and webhook scenarios with their own shape
      s.targets = def?.evaluate ? def.evaluate(s, smoke) : evaluateMessaging(s, smoke);
      continue;
    }
    const failed = s.runs.some((r) => r.failed);
    // The paired baseline (measured just before) when there is one, else the run's mean baseline.
    const reference = s.paired_baseline?.req_per_s ?? baselineRps;
    s.ratio_to_baseline = Math.round((s.max.req_per_s / reference) * 1000) / 1000;
    s.ratio_to_run_baseline = Math.round((s.max.req_per_s / baselineRps) * 1000) / 1000;
    // The same ratio from CPU per request (baseline server's µs / api's µs): what one core would serve.
    const baseCpu = (s.paired_baseline ?? results.scenarios.find((o) => o.name === 'baseline').max).cpu_us_per_request?.server;
    const ownCpu = s.max.cpu_us_per_request?.server;
    s.cpu_ratio_to_baseline = baseCpu && ownCpu ? Math.round((baseCpu / ownCpu) * 1000) / 1000 : null;
    const checks = [];
    if (def.target && !smoke) {
      const t = def.target;
      if (t.ratio !== undefined)
        checks.push({ what: `≥ ${pct(t.ratio)} of baseline req/s`, ok: !failed && s.ratio_to_baseline >= t.ratio });
      if (t.p99 !== undefined)
        checks.push({
          what: `p99 ≤ ${t.p99} ms at ${rate} req/s${s.rate.rate_reached ? '' : ' (rate not reached)'}`,
          ok: !failed && s.rate.rate_reached && s.rate.latency_ms.p99 <= t.p99,
        });
      const other = t.sameAs && results.scenarios.find((o) => o.name === t.sameAs);
      if (other) {
        s.ratio_to_page_1 = Math.round((s.max.req_per_s / other.max.req_per_s) * 1000) / 1000;
        checks.push({
          what: `≥ ${pct(SAME_COST_SHARE)} of page 1's req/s (${pct(s.ratio_to_page_1)})`,
          ok: !failed && s.ratio_to_page_1 >= SAME_COST_SHARE,
        });
      }
    }
    s.targets = checks;
  }
  if (!smoke) {
    const limit = 300;
    results.memory.targets = [
      { what: `api RSS ≤ ${limit} MB`, ok: results.memory.api.rss_mb !== null && results.memory.api.rss_mb <= limit },
      { what: `worker RSS ≤ ${limit} MB`, ok: results.memory.worker.rss_mb !== null && results.memory.worker.rss_mb <= limit },
    ];
  }
}

function cpuCell(r) {
  const c = r.cpu_us_per_request;
  if (!c) return '';
  return `${fmt(c.server)}${c.worker !== undefined ? ` (+ ${fmt(c.worker)})` : ''}`;
}

function table(results) {
  const lines = [
    `| scenario | load | req/s (2xx) | vs paired baseline | CPU µs/req (+ worker) | vs baseline by CPU | p50 ms | p99 ms | non-2xx / errors | PG xacts / rows read per req | target |`,
    `|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|`,
  ];
  for (const s of results.scenarios.filter((o) => o.max)) {
    for (const r of s.runs) {
      const loadLabel = r.mode === 'max' ? `${r.connections} conn.` : `${rate} req/s${r.rate_reached ? '' : ' (not reached)'}`;
      const bad = r.non_2xx + r.errors + r.timeouts;
      const targets = (s.targets ?? [])
        .filter((t) => (r.mode === 'max' ? !t.what.startsWith('p99') : t.what.startsWith('p99')))
        .map((t) => `${t.ok ? '✅' : '❌'} ${t.what}`)
        .join('; ');
      lines.push(
        `| ${s.label} | ${loadLabel} | ${fmt(r.req_per_s)} | ${s.name === 'baseline' ? '' : r.mode === 'max' ? `${pct(s.ratio_to_baseline)}${s.paired_baseline ? ` of ${fmt(s.paired_baseline.req_per_s)}` : ''}` : ''} | ${cpuCell(r)} | ${r.mode === 'max' && s.name !== 'baseline' ? pct(s.cpu_ratio_to_baseline) : ''} | ${fmt(r.latency_ms.p50, 1)} | ${fmt(r.latency_ms.p99, 1)} | ${bad ? `**${fmt(r.non_2xx)} / ${fmt(r.errors + r.timeouts)}** (failed)` : '0 / 0'} | ${r.db_per_request ? `${r.db_per_request.xacts} / ${fmt(r.db_per_request.rows_read, 1)}` : ''} | ${targets} |`,
      );
    }
  }
  const end = results.baseline_end;
  if (end)
    lines.push(
      `| baseline again, at the end | ${end.connections} conn. | ${fmt(end.req_per_s)} | drift ${pct(results.baseline_drift)} | | | ${fmt(end.latency_ms.p50, 1)} | ${fmt(end.latency_ms.p99, 1)} | ${end.failed ? '**failed**' : '0 / 0'} | | mean of the two: ${fmt(results.baseline_req_per_s)} req/s |`,
    );
  const m = results.memory;
  const memTarget = (what) =>
    (m.targets ?? [])
      .filter((t) => t.what.startsWith(what))
      .map((t) => `${t.ok ? '✅' : '❌'} ${t.what}`)
      .join('');
  lines.push(
    `| api RSS after the runs | | ${fmt(m.api.rss_mb)} MB (peak ${fmt(m.api.peak_rss_mb)} MB) | | | | | | | | ${memTarget('api')} |`,
  );
  lines.push(
    `| worker RSS after the runs | | ${fmt(m.worker.rss_mb)} MB (peak ${fmt(m.worker.peak_rss_mb)} MB) | | | | | | | | ${memTarget('worker')} |`,
  );
  if (m.meta_sandbox)
    lines.push(
      `| meta-sandbox RSS after the runs | | ${fmt(m.meta_sandbox.rss_mb)} MB (peak ${fmt(m.meta_sandbox.peak_rss_mb)} MB) | | | | | | | | |`,
    );
  const own = messagingTable(results.scenarios, { fmt, smoke: results.kind === 'smoke' });
  const hooks = webhooksTable(results.scenarios, { fmt, smoke: results.kind === 'smoke' });
  return (
    lines.join('\n') +
    (own ? `\n\nMessaging (${MESSAGING_NOTE}):\n\n${own}` : '') +
    (hooks ? `\n\nWebhooks (${WEBHOOKS_NOTE}):\n\n${hooks}` : '')
  );
}

/** What the messaging table's figures are, printed above it. */
const MESSAGING_NOTE =
  "50 connected accounts, STANDARD, one worker; latencies from the 202 as the load generator saw it to the sandbox's receive time, joined on the wamid; CPU over the load and the dispatch or processing after it, per message";

/** What the webhooks table's figures are. */
const WEBHOOKS_NOTE =
  "the inbound burst of `inbound`, each message.received delivered to a local receiver (its own process); latency = receive time − the event's created_at; CPU from the burst's start to the last delivery";

/** One console line of a messaging scenario. */
function describeMessaging(s) {
  if (s.skipped) return `${s.label.padEnd(42)} ${s.skipped}`;
  const failed = s.runs
    .filter((r) => r.failed)
    .map(
      (r) =>
        `  FAILED (${r.mode}: ${r.ok_2xx} 2xx, ${r.non_2xx} non-2xx ${JSON.stringify(r.status_codes)}, ${r.errors} errors, ${r.timeouts} timeouts)`,
    )
    .join('');
  const cpu = (r) =>
    `api ${fmt(r.cpu_us_per_request?.server)} / worker ${fmt(r.cpu_us_per_request?.worker)} / sandbox ${fmt(r.cpu_us_per_request?.sandbox)} µs CPU per message`;
  if (s.name === 'messages-send') {
    const { max, rate: fixed } = s;
    return (
      `${s.label.padEnd(42)} ${fmt(max.req_per_s).padStart(7)} req/s  p50 ${fmt(max.latency_ms.p50, 1)} p99 ${fmt(max.latency_ms.p99, 1)} ms, ${cpu(max)}` +
      ` (dispatched ${fmt(max.dispatch.drain_s, 1)} s after the load)` +
      (max.db_per_request
        ? ` (PostgreSQL per request: ${max.db_per_request.xacts} transactions, ${max.db_per_request.rows_read} rows read)`
        : '') +
      ` | at ${rate}/s: ${fmt(fixed.req_per_s)} req/s p50 ${fmt(fixed.latency_ms.p50, 1)} p99 ${fmt(fixed.latency_ms.p99, 1)} ms` +
      (s.paired_baseline ? ` | paired baseline ${fmt(s.paired_baseline.req_per_s)} req/s` : '') +
      failed
    );
  }
  if (s.name === 'messages-e2e') {
    const r = s.rate;
    return (
      `${s.label.padEnd(42)} at ${fmt(r.target_rate)} msg/s: ${fmt(r.req_per_s)} accepted/s (API p99 ${fmt(r.latency_ms.p99, 1)} ms); 202 → received p50 ${fmt(r.e2e.ms.p50, 1)} p99 ${fmt(r.e2e.ms.p99, 1)} max ${fmt(r.e2e.ms.max)} ms; ` +
      `${fmt(r.e2e.arrived)} of ${fmt(r.e2e.accepted)} arrived; ${cpu(r)}; worker RSS ${fmt(s.memory_after.worker.rss_mb)} MB` +
      failed
    );
  }
  if (s.name === 'messages-cap') {
    const c = s.hot.cap;
    const cold = s.cold.cold;
    return (
      `${s.label.padEnd(42)} hot: ${fmt(c.arrived)} of ${fmt(c.queued)} arrived in ${fmt(c.drain_s, 1)} s (${fmt(c.per_s, 1)}/s), max ${fmt(c.max_attempts_in_1s)} sends in 1 s, ${fmt(c.refused_130429)} refused; ` +
      `cold: ${fmt(cold.arrived)} sends, 202 → received p50 ${fmt(cold.ms.p50, 1)} max ${fmt(cold.ms.max, 1)} ms; ${cpu(s.hot)}; worker RSS ${fmt(s.memory_after.worker.rss_mb)} MB` +
      failed
    );
  }
  if (s.name === 'inbound') {
    const { burst: b, rate: r } = s;
    return (
      `${s.label.padEnd(42)} burst: ${fmt(b.inbound.messages_stored)} messages processed at ${fmt(b.inbound.per_s)}/s (${fmt(b.req_per_s)} POSTs/s acked, p99 ${fmt(b.latency_ms.p99, 1)} ms), ${cpu(b)}; ` +
      `at ${fmt(r.target_rate * 50)} msg/s: ack p50 ${fmt(r.latency_ms.p50, 1)} p99 ${fmt(r.latency_ms.p99, 1)} ms, processed ${fmt(r.inbound.lag_after_load_ms)} ms after the load; worker RSS ${fmt(s.memory_after.worker.rss_mb)} MB` +
      failed
    );
  }
  return s.label;
}

function describeRun(results) {
  const { machine: m, versions: v, git: g } = results;
  return [
    `${results.date}, commit \`${g.commit.slice(0, 10)}\`${g.dirty ? ' (with uncommitted changes)' : ''}; ${m.cores} cores (${m.cpu_model}), ${fmt(m.memory_mb / 1024, 1)} GB; ` +
      `Node ${v.node}, PostgreSQL ${v.postgresql}, Redis ${v.redis}, autocannon ${v.autocannon}; ` +
      `${results.settings.duration_s} s per load after ${results.settings.warmup_s} s warm-up; api node flags: ${results.settings.api_node_flags?.length ? results.settings.api_node_flags.map((f) => `\`${f}\``).join(' ') : 'none'}; worker node flags: ${results.settings.worker_node_flags?.length ? results.settings.worker_node_flags.map((f) => `\`${f}\``).join(' ') : 'none'}; ${fmt(results.seed.customers)} customers, ${fmt(results.seed.events)} events stored${results.seed.messaging ? `, ${results.seed.messaging.accounts} connected accounts with ${fmt(results.seed.messaging.contacts)} contacts` : ''}; load average at start ${m.load_average_at_start.join(' ')}.`,
  ].join('\n');
}

function updateReadme(results) {
  if (!existsSync(readme)) return;
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:table:start -->';
  const end = '<!-- bench:table:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) return;
  const block = `${start}\n${describeRun(results)}\n\n${table(results)}\n${end}`;
  writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
}

// -------------------------------------------------------------------------------------------- main

async function main() {
  const t0 = Date.now();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void cleanup().then(() => process.exit(130)));
  process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

  const only = opts.only?.split(',').map((s) => s.trim());
  if (only)
    for (const name of only)
      if (!SCENARIOS.some((s) => s.name === name)) fail(`--only: no scenario "${name}" (${SCENARIOS.map((s) => s.name).join(', ')})`);
  const selected = SCENARIOS.filter((s) => s.name === 'baseline' || !only || only.includes(s.name));
  const full = !smoke && !only && !opts.profile;

  if (ensureDotEnv()) say('Config: wrote .env with fresh ENCRYPTION_KEY and KEY_PEPPER');
  await loadDotEnv();
  mkdirSync(localDir, { recursive: true });
  for (const log of ['api.log', 'worker.log', 'baseline.log', 'meta-sandbox.log']) rmSync(join(localDir, log), { force: true });
  const adminUrl = process.env.DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl))) fail(`Redis: ${redisUrl} does not answer; set REDIS_URL`);

  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const dbName = `kirim_bench_${stamp}_${process.pid}`;
  const prefix = `kirim:bench:${stamp}:${process.pid}:`;
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();

  const results = {
    kind: smoke ? 'smoke' : full ? 'full' : 'partial',
    date: new Date().toISOString(),
    machine: machine(),
    versions: { node: process.version, postgresql: '?', redis: await redisVersion(redisUrl), autocannon: packageVersion('autocannon') },
    git: git(),
    settings: {
      duration_s: duration,
      warmup_s: warmup,
      api_node_flags: apiNodeFlags,
      worker_node_flags: workerNodeFlags,
      connections,
      rate_per_s: rate,
      api_processes: 1,
      worker_processes: 1,
      node_env: 'production',
      log_level: 'info',
    },
    seed: seedSize,
    scenarios: [],
    memory: {},
    profiles: [],
  };

  if (!opts['no-build']) {
    say('Build: npx nx run-many -t build -p api worker meta-sandbox cli …');
    const started = Date.now();
    const r = await run('npx', ['nx', 'run-many', '-t', 'build', '-p', 'api', 'worker', 'meta-sandbox', 'cli', '--outputStyle=static'], {
      env: { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' },
      track: (c) => children.add(c),
    });
    if (r.code !== 0) fail(`build failed:\n${r.output.trimEnd().split('\n').slice(-40).join('\n')}`);
    say(`Build: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  for (const app of ['api', 'worker', 'meta-sandbox', 'cli'])
    if (!existsSync(join(root, 'dist', 'apps', app, 'main.js'))) fail(`dist/apps/${app}/main.js is missing: build first`);

  results.versions.postgresql = await createDatabase(adminUrl, dbName);
  cleanups.push(async () => {
    if (opts['keep-db']) return say(`Kept database ${dbName} and Redis keys ${prefix}*`);
    await dropDatabase(adminUrl, dbName).catch((e) => say(`could not drop ${dbName}: ${e.message}`));
    await dropRedisKeys(redisUrl, prefix).catch((e) => say(`could not delete Redis keys ${prefix}*: ${e.message}`));
  });
  const m = results.machine;
  const v = results.versions;
  say(`Machine: ${m.cores} cores, ${m.cpu_model}, ${fmt(m.memory_mb)} MB; load average ${m.load_average_at_start.join(' ')}`);
  say(
    `Versions: Node ${v.node}, PostgreSQL ${v.postgresql}, Redis ${v.redis}, autocannon ${v.autocannon}; commit ${results.git.commit.slice(0, 10)}${results.git.dirty ? ' (dirty)' : ''}`,
  );
  say(`Database: ${dbName}; Redis prefix ${prefix}`);

  // Ports first: the api and the worker talk to the sandbox, the sandbox posts Meta's webhooks to the api.
  const basePort = await freePort(43100);
  const workerPort = await freePort(43110);
  const apiPort = await freePort(43120);
  const sandboxPort = await freePort(43130);
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const env = {
    // Kirim's Meta settings pointed at the sandbox (META_GRAPH_URL, app id and secret, …), as `npm start`
    // does; the real environment wins, except that the Graph URL must be this run's sandbox.
    ...sandboxEnv(sandboxPort),
    ...process.env,
    META_GRAPH_URL: sandboxUrl,
    META_SANDBOX_PUBLIC_URL: sandboxUrl,
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: prefix,
    RATE_LIMIT_WRITE_PER_MIN: '1000000000',
    RATE_LIMIT_READ_PER_MIN: '1000000000',
    KIRIM_ENV_FILE: join(root, '.env'),
    // The webhooks scenario's receiver is http://127.0.0.1 (no subscription exists before it runs).
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  };
  const migrated = await run(process.execPath, ['tools/prisma/migrate.mjs', 'deploy'], { env, track: (c) => children.add(c) });
  if (migrated.code !== 0) fail(`migrations failed:\n${migrated.output}`);

  // Servers: baseline, Meta sandbox, worker, api (each its own process, logs in results/local/).
  const baseline = startChild(
    'baseline',
    [join(benchDir, 'baseline.mjs')],
    { ...env, BASELINE_PORT: String(basePort) },
    join(localDir, 'baseline.log'),
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  // The sandbox's webhooks (statuses, inbound) go to this run's api, signed with the shared META_APP_SECRET.
  const sandbox = startChild(
    'meta-sandbox',
    ['dist/apps/meta-sandbox/main.js'],
    { ...env, META_SANDBOX_PORT: String(sandboxPort), META_SANDBOX_WEBHOOK_URL: `${apiUrl}/webhooks/meta` },
    join(localDir, 'meta-sandbox.log'),
  );
  const startWorker = (profileDir) =>
    startChild(
      'worker',
      [
        ...workerNodeFlags,
        ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : []),
        'dist/apps/worker/main.js',
      ],
      { ...env, WORKER_PORT: String(workerPort) },
      join(localDir, 'worker.log'),
    );
  let worker = startWorker();
  const apiEnv = { ...env, API_PORT: String(apiPort), WORKER_PORT: String(workerPort) };
  const startApi = (profileDir) =>
    startChild(
      'api',
      [
        ...apiNodeFlags,
        ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : []),
        'dist/apps/api/main.js',
      ],
      apiEnv,
      join(localDir, 'api.log'),
    );
  let api = startApi();
  cleanups.push(() => Promise.all([stopChild(api), stopChild(worker), stopChild(baseline), stopChild(sandbox)]));
  await waitHttp(baseline, `http://127.0.0.1:${basePort}/`);
  await waitHttp(sandbox, `${sandboxUrl}/_sandbox/health`);
  await waitHttp(worker, `http://127.0.0.1:${workerPort}/health`);
  await waitHttp(api, `${apiUrl}/v1/health`);
  say(
    `Started: baseline :${basePort} (pid ${baseline.pid}), meta-sandbox :${sandboxPort} (pid ${sandbox.pid}), ` +
      `worker :${workerPort} (pid ${worker.pid}), api :${apiPort} (pid ${api.pid})`,
  );

  // Seed: an organization with its team and API key through the CLI, then the rows.
  const seeded = await run(
    process.execPath,
    ['dist/apps/cli/main.js', 'orgs', 'create', '--name', 'Bench', '--owner-email', 'bench@example.com', '--json'],
    { env },
  );
  let org;
  try {
    org = JSON.parse(seeded.stdout);
  } catch {
    fail(`seeding: kirim orgs create failed:\n${seeded.output}`);
  }
  const apiKey = org.api_key.secret;
  const seedStarted = Date.now();
  await seedRows(databaseUrl, { orgId: org.organization.id, teamId: org.team.id }, seedSize);
  const seededSeconds = (Date.now() - seedStarted) / 1000;
  const last = await lastPageCursor(apiUrl, apiKey, seedSize.customers);
  results.seed.last_page = last.page;
  say(
    `Seed: ${fmt(seedSize.customers)} customers, ${fmt(seedSize.events)} events in ${seededSeconds.toFixed(1)} s; ` +
      `the cursor of page ${last.page} in ${((Date.now() - seedStarted) / 1000 - seededSeconds).toFixed(1)} s`,
  );
  const ctx = { lastCursor: last.cursor };

  // The messaging seed: 50 connected accounts (sandbox + PostgreSQL) with contacts in their 24 h window.
  let messaging;
  if (selected.some((s) => s.messaging)) {
    const started = Date.now();
    const size = smoke ? MESSAGING_SEED_SMOKE : MESSAGING_SEED;
    messaging = await seedMessaging({
      sandboxUrl,
      databaseUrl,
      orgId: org.organization.id,
      teamId: org.team.id,
      encryptionKey: env.ENCRYPTION_KEY,
      ...size,
    });
    results.seed.messaging = { accounts: messaging.accounts.length, contacts: messaging.contacts };
    say(
      `Seed: ${messaging.accounts.length} connected accounts at the sandbox and in PostgreSQL, ${fmt(messaging.contacts)} contacts, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  // The loads.
  const baselineSpec = { url: `http://127.0.0.1:${basePort}/`, method: 'GET', headers: {} };
  for (const def of selected) {
    const onBaseline = def.server === 'baseline';
    let profileDir;
    if (opts.profile && !onBaseline) {
      profileDir = join(profilesDir, `${stamp}-${def.name}`);
      mkdirSync(profileDir, { recursive: true });
      await stopChild(api);
      api = startApi(profileDir);
      await waitHttp(api, `${apiUrl}/v1/health`);
      if (def.messaging) {
        await stopChild(worker);
        worker = startWorker(join(profileDir, 'worker'));
        await waitHttp(worker, `http://127.0.0.1:${workerPort}/health`);
      }
    }
    if (def.run) {
      const h = {
        ...{ smoke, warmup, duration, connections, rate, localDir },
        ...{ load, measuredLoad, cpuSeconds, memoryOf, dbStats, perRequest, startChild, stopChild, waitHttp, freePort },
        ...{ apiUrl, apiKey, databaseUrl, sandboxUrl, baselineSpec, baseline, api, worker, sandbox, messaging },
        metaAppSecret: env.META_APP_SECRET,
      };
      const scenario = { name: def.name, label: def.label, ...(await def.run(def, h)) };
      results.scenarios.push(scenario);
      say(def.describe ? def.describe(scenario, fmt) : describeMessaging(scenario));
      if (profileDir) await profiled(def, scenario, profileDir);
      continue;
    }
    const base = onBaseline ? `http://127.0.0.1:${basePort}` : apiUrl;
    const spec = {
      url: base + (typeof def.path === 'function' ? def.path(ctx) : def.path),
      method: def.method ?? 'GET',
      headers: onBaseline ? {} : { authorization: `Bearer ${apiKey}` },
      body: def.body,
      idempotencyKey: def.idempotencyKey,
    };
    if (warmup > 0) await load({ ...spec, connections, duration: warmup });
    // A paired baseline right before each api scenario: on a shared machine the capacity drifts within a
    // run, and the ratio to the neighbouring baseline is the figure that survives it.
    let paired;
    if (!onBaseline && !smoke) paired = await measuredLoad({ ...baselineSpec, connections, duration }, { server: baseline.pid });
    const before = await dbStats(databaseUrl);
    const pids = onBaseline ? { server: baseline.pid } : { server: api.pid, worker: worker.pid };
    const max = { mode: 'max', ...(await measuredLoad({ ...spec, connections, duration }, pids)) };
    const fixed = {
      mode: 'rate',
      target_rate: rate,
      ...(await load({ ...spec, connections: Math.min(connections, 20), duration, overallRate: rate })),
    };
    const runs = [max, fixed];
    // What a request costs PostgreSQL, over both loads. An idle backend publishes its counters up to
    // 10 s late (PGSTAT_IDLE_INTERVAL), so wait that long (not in smoke runs).
    if (!smoke) {
      await sleep(11_000);
      max.db_per_request = perRequest(before, await dbStats(databaseUrl), max.requests_total + fixed.requests_total);
    }
    for (const r of runs) r.failed = r.non_2xx + r.errors + r.timeouts > 0 || r.ok_2xx === 0;
    // A fixed-rate run the server could not keep up with measures queueing, not latency at that rate.
    fixed.rate_reached = fixed.req_per_s >= 0.9 * rate;
    results.scenarios.push({ name: def.name, label: def.label, max, rate: fixed, runs, ...(paired && { paired_baseline: paired }) });
    if (paired)
      say(
        `${'  baseline, paired with the next line'.padEnd(42)} ${fmt(paired.req_per_s).padStart(7)} req/s, ${fmt(paired.cpu_us_per_request.server)} µs CPU/req`,
      );
    say(
      `${def.label.padEnd(42)} ${fmt(max.req_per_s).padStart(7)} req/s  p50 ${fmt(max.latency_ms.p50, 1)} p99 ${fmt(max.latency_ms.p99, 1)} ms` +
        `, ${cpuCell(max)} µs CPU/req` +
        (max.db_per_request
          ? ` (PostgreSQL per request: ${max.db_per_request.xacts} transactions, ${max.db_per_request.rows_read} rows read)`
          : '') +
        ` | at ${rate}/s: ${fmt(fixed.req_per_s)} req/s p50 ${fmt(fixed.latency_ms.p50, 1)} p99 ${fmt(fixed.latency_ms.p99, 1)} ms` +
        runs
          .filter((r) => r.failed)
          .map(
            (r) =>
              `  FAILED (${r.mode}: ${r.ok_2xx} 2xx, ${r.non_2xx} non-2xx ${JSON.stringify(r.status_codes)}, ${r.errors} errors, ${r.timeouts} timeouts)`,
          )
          .join(''),
    );
    if (profileDir) await profiled(def, results.scenarios.at(-1), profileDir);
  }

  /**
   * Stops the profiled api (and worker) so their profiles are written, prints where the CPU went during the
   * scenario's first run (the full load; a messaging scenario's first run), and starts plain ones again.
   */
  async function profiled(def, scenario, profileDir) {
    const main = scenario.max ?? scenario.runs?.[0];
    const targets = [{ proc: api, dir: profileDir, what: 'api' }];
    if (def.messaging) targets.push({ proc: worker, dir: join(profileDir, 'worker'), what: 'worker' });
    for (const t of targets) {
      const memory = memoryOf(t.proc.pid);
      await stopChild(t.proc);
      const file = existsSync(t.dir) && readdirSync(t.dir).find((f) => f.endsWith('.cpuprofile'));
      if (!file || !main) say(`  (no CPU profile was written to ${relative(root, t.dir)})`);
      else {
        const analysis = analyseProfile(join(t.dir, file), { window: main.window_us, requests: main.requests_total, top: 30 });
        results.profiles.push({ scenario: def.name, process: t.what, rss_after: memory, ...analysis, file: relative(root, analysis.file) });
        say(formatProfile(analysis, `  CPU profile of the ${t.what} under ${def.label} (${main.mode} run)`).replace(/^/gm, '  '));
      }
    }
    api = startApi();
    await waitHttp(api, `${apiUrl}/v1/health`);
    if (def.messaging) {
      worker = startWorker();
      await waitHttp(worker, `http://127.0.0.1:${workerPort}/health`);
    }
  }

  // The baseline again at the end: how much the machine's capacity drifted during the run (other work
  // on a shared machine). Scenarios without a paired baseline are compared with the mean of both.
  if (!smoke) {
    const again = { mode: 'max', ...(await measuredLoad({ ...baselineSpec, connections, duration }, { server: baseline.pid })) };
    again.failed = again.non_2xx + again.errors + again.timeouts > 0 || again.ok_2xx === 0;
    const first = results.scenarios.find((s) => s.name === 'baseline').max;
    results.baseline_end = again;
    results.baseline_drift = Math.round((again.req_per_s / first.req_per_s - 1) * 1000) / 1000;
    say(`${'baseline again, at the end'.padEnd(42)} ${fmt(again.req_per_s).padStart(7)} req/s (drift ${pct(results.baseline_drift)})`);
  }

  results.memory = {
    api: memoryOf(api.pid),
    worker: memoryOf(worker.pid),
    meta_sandbox: memoryOf(sandbox.pid),
    ...(opts.profile && { note: 'api restarted per profiled scenario' }),
  };
  const baselineStart = results.scenarios.find((s) => s.name === 'baseline').max.req_per_s;
  const baselineRps = results.baseline_end ? (baselineStart + results.baseline_end.req_per_s) / 2 : baselineStart;
  results.baseline_req_per_s = Math.round(baselineRps * 10) / 10;
  evaluate(results, baselineRps);
  results.elapsed_s = Math.round((Date.now() - t0) / 1000);

  say();
  say(table(results));
  say();
  const file = smoke
    ? join(localDir, 'smoke.json')
    : full
      ? join(resultsDir, `${results.date.slice(0, 10)}.json`)
      : join(localDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  say(`Results: ${relative(root, file)}${full ? ' (and the table in tools/bench/README.md)' : ''}; ${results.elapsed_s} s in all`);
  if (full) updateReadme(results);

  const failedRuns = results.scenarios.flatMap((s) => s.runs.filter((r) => r.failed).map((r) => `${s.name} (${r.mode})`));
  for (const s of results.scenarios)
    if (s.paired_baseline && s.paired_baseline.non_2xx + s.paired_baseline.errors + s.paired_baseline.timeouts > 0)
      failedRuns.push(`${s.name} (paired baseline)`);
  if (results.baseline_end?.failed) failedRuns.push('baseline (at the end)');
  const missed = [...results.scenarios.flatMap((s) => s.targets ?? []), ...(results.memory.targets ?? [])].filter((t) => !t.ok);
  if (!smoke && missed.length) say(`Targets missed: ${missed.length} (${missed.map((t) => t.what).join('; ')})`);
  if (failedRuns.length) {
    say(`FAILED measurements (non-2xx answers or errors): ${failedRuns.join(', ')}; see tools/bench/results/local/api.log`);
    return 1;
  }
  return opts['check-targets'] && missed.length ? 1 : 0;
}

async function cleanup() {
  if (cleaningUp) return;
  cleaningUp = true;
  for (const fn of cleanups.reverse()) await fn().catch(ignore);
  for (const c of children) c.kill('SIGKILL');
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (error) => {
    process.stderr.write(`\nbench: ${error instanceof Fatal ? error.message : (error?.stack ?? error)}\n`);
    await cleanup();
    process.exit(1);
  });
