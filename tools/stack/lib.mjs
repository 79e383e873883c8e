// Small helpers shared by tools/stack/start.mjs and tools/stack/kirim.mjs (no dependencies beyond the
// workspace's own: dotenv, pg, ioredis).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const envFile = join(root, '.env');

/**
 * Node flags the api runs with, in `npm start` and in the benchmark alike (chosen with
 * `npm run bench -- --api-node-flags="…"`; see tools/bench/README.md). `--max-old-space-size=256`: V8's
 * default old-space limit scales with the machine's memory (GBs here), so the heap grew to 420 MB RSS
 * under load before compacting; capped at 256 MB the api stays near 225 MB RSS at no measurable CPU cost
 * (160 MB made GC thrash: CPU per request doubled). A deployment with much bigger requests may raise it.
 */
export const API_NODE_FLAGS = ['--max-old-space-size=256'];

/**
 * Node flags the worker runs with (`npm start` and the benchmark; `npm run bench -- --worker-node-flags="…"`).
 * The same cap as the api: without it the worker's heap grew with the machine's memory to 381 MB RSS after
 * the benchmark's inbound scenarios (its live heap is a few tens of MB: jobs are small and short-lived).
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=256'];

/**
 * Kirim's Meta settings for a local Meta sandbox on `port` (Graph API, JS SDK, Embedded Signup popup) with
 * the sandbox's app id, secret (which also signs its webhooks) and configuration id — the values
 * `npm start` gives the apps (start.mjs's sandboxEnv, which can use this one), shared here so the
 * benchmark (tools/bench/run.mjs) wires its api, worker and sandbox the same way.
 */
export function sandboxEnv(port) {
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

/** Writes `.env` with fresh development secrets when it does not exist. Returns true when written. */
export function ensureDotEnv() {
  if (existsSync(envFile)) return false;
  const secret = () => randomBytes(32).toString('base64');
  writeFileSync(
    envFile,
    [
      '# Development settings written by `npm start` (git-ignored). The real environment wins over this file.',
      `ENCRYPTION_KEY=${secret()}`,
      `KEY_PEPPER=${secret()}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return true;
}

/** Loads `.env` into process.env without overriding variables that are already set. */
export async function loadDotEnv() {
  if (!existsSync(envFile)) return;
  const { config } = await import('dotenv');
  config({ path: envFile, override: false, quiet: true });
}

export function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The URL with its password masked, for printing. */
export function redact(url) {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Checks a PostgreSQL URL. Returns 'ready', 'created' (the server answered but the database was missing,
 * so it was created) or 'down' (no server, or it refused us).
 */
export async function ensureDatabase(url) {
  const { default: pg } = await import('pg');
  const attempt = async (target) => {
    const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: 3000 });
    client.on('error', ignore);
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(ignore);
      throw error;
    }
  };
  try {
    await (await attempt(url)).end();
    return 'ready';
  } catch (error) {
    if (error?.code !== '3D000') return 'down'; // 3D000: invalid_catalog_name (no such database)
  }
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.slice(1));
  u.pathname = '/postgres';
  const admin = await attempt(u.toString());
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  return 'created';
}

/** True when a Redis server answers PING at the URL. */
export async function redisAnswers(url) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', ignore);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

/** The first port from `preferred` on that nothing listens on and that we can bind. */
export async function freePort(preferred) {
  for (let port = preferred; port < preferred + 50; port++) {
    if (await portInUse(port)) continue;
    const bindable = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (bindable) return port;
  }
  throw new Error(`no free port in ${preferred}-${preferred + 49}`);
}

/**
 * Runs a command to completion with its output captured (shown only when it fails).
 * `track` receives the child so a shutdown can kill it. Resolves { code, stdout, output } (output:
 * stdout and stderr interleaved).
 */
export function run(cmd, args, { env = process.env, track } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    track?.(child);
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d) => ((stdout += d), (output += d)));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (error) => resolve({ code: 127, stdout, output: `${output}${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, output }));
  });
}

/**
 * A JSON request to Kirim's API (or any JSON endpoint): resolves { status, body } (body null when the
 * answer is not JSON). `apiKey` adds `Authorization: Bearer …`.
 */
export async function requestJson(url, { method = 'GET', apiKey, body } = {}) {
  const headers = { accept: 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed };
}

/** For callbacks whose errors are expected and irrelevant. */
export const ignore = () => undefined;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
