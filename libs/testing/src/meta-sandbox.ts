import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** What `POST /_sandbox/signup_fixtures` answers (the fields tests use). */
export interface SandboxSignupFixture {
  business: { id: string; name: string };
  waba: { id: string; business_id: string; name: string };
  phone_number: { id: string; waba_id: string; display_phone_number: string; verified_name: string; [k: string]: unknown };
  code?: string;
  code_expires_at?: string;
}

export interface SandboxFault {
  endpoint: string;
  method?: string;
  target_id?: string;
  error_code?: number;
  error_subcode?: number;
  http_status?: number;
  message?: string;
  details?: string;
  times?: number;
  latency_ms?: number;
}

export interface SandboxRequest {
  id: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[]>;
  body: unknown;
  time: string;
  status: number | null;
  endpoint: string | null;
  graph_version: string | null;
  fbtrace_id: string;
}

export interface MetaSandbox {
  /** Origin of the sandbox, e.g. `http://127.0.0.1:41234` (Kirim's META_GRAPH_URL). */
  url: string;
  /** Same as `url`: the Graph API answers at the root, with a version segment. */
  graphUrl: string;
  appId: string;
  appSecret: string;
  /** Business + WABA + number (+ a signup code unless `code: false`). */
  createSignupFixture(input?: {
    business_id?: string;
    business_name?: string;
    waba_name?: string;
    display_phone_number?: string;
    verified_name?: string;
    code?: boolean;
  }): Promise<SandboxSignupFixture>;
  /** A signup code for a WABA (and number), as the popup would hand over. */
  mintCode(input: { waba_id: string; phone_number_id?: string; business_id?: string; token_expires_in_seconds?: number }): Promise<string>;
  setFault(fault: SandboxFault): Promise<{ id: string }>;
  clearFaults(): Promise<void>;
  /** Graph requests received, oldest first. */
  requests(filter?: {
    path_contains?: string;
    method?: string;
    endpoint?: string;
    since?: string;
    limit?: number;
  }): Promise<SandboxRequest[]>;
  clearRequests(): Promise<void>;
  /** Any other control call: `control('PATCH', '/phone_numbers/123', {...})`. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(ROOT, 'dist', 'apps', 'meta-sandbox', 'main.js');

/**
 * Spawns the Meta sandbox (`node dist/apps/meta-sandbox/main.js`, built by `nx build meta-sandbox`) on a
 * free port and waits for `/_sandbox/health`. Tests point Kirim at it with
 * `createTestEnv({ META_GRAPH_URL: sandbox.url, META_APP_ID: sandbox.appId, META_APP_SECRET: sandbox.appSecret })`.
 */
export async function startMetaSandbox(env: Record<string, string> = {}): Promise<MetaSandbox> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npx nx build meta-sandbox\` first`);
  const appId = env['META_APP_ID'] ?? 'sandbox-app';
  const appSecret = env['META_APP_SECRET'] ?? 'sandbox-secret';
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = env['META_SANDBOX_PORT'] ? Number(env['META_SANDBOX_PORT']) : await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        META_SANDBOX_PUBLIC_URL: url,
        ...env,
        META_SANDBOX_PORT: String(port),
        META_APP_ID: appId,
        META_APP_SECRET: appSecret,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    try {
      await waitForHealth(url, child, () => stderr);
      return sandboxClient(url, appId, appSecret, child);
    } catch (error) {
      lastError = error;
      await kill(child);
      if (env['META_SANDBOX_PORT']) break;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('meta sandbox did not start');
}

function sandboxClient(url: string, appId: string, appSecret: string, child: ChildProcess): MetaSandbox {
  const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`meta sandbox ${method} ${path} → ${response.status}: ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  return {
    url,
    graphUrl: url,
    appId,
    appSecret,
    control,
    createSignupFixture: (input = {}) => control<SandboxSignupFixture>('POST', '/signup_fixtures', { code: true, ...input }),
    mintCode: async (input) => (await control<{ code: string }>('POST', '/codes', input)).code,
    setFault: (fault) => control<{ id: string }>('POST', '/faults', fault),
    clearFaults: async () => {
      await control('DELETE', '/faults');
    },
    requests: async (filter = {}) => {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(filter)) query.set(k, String(v));
      const qs = query.toString();
      return (await control<{ data: SandboxRequest[] }>('GET', `/requests${qs ? `?${qs}` : ''}`)).data;
    },
    clearRequests: async () => {
      await control('DELETE', '/requests');
    },
    stop: () => kill(child),
  };
}

async function waitForHealth(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`meta sandbox exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${url}/_sandbox/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`meta sandbox did not answer /_sandbox/health within 20 s: ${stderr()}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
