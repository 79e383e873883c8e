import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Process configuration, read from the environment and validated once at start-up
 * (spec 09-configuration-and-sandbox.md). A bad or missing value stops the process with one line that
 * names the variable: see {@link ConfigError}.
 */
const PORT = 'must be a port number (1-65535)';
const port = (fallback: number) => z.coerce.number({ error: PORT }).int(PORT).min(1, PORT).max(65535, PORT).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
const key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded');
const url = z.url();

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(item: string): boolean {
  if (PROXY_NAMES.has(item)) return true;
  const [address = '', prefix, ...rest] = item.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (family === 4 && /^\d{1,2}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(prefix)) return isIP(prefix) === 4;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `TRUST_PROXY`: which peers' `X-Forwarded-For`/`-Proto` are believed (Express's `trust proxy`).
 * Unset, `none`, `false` or `0`: none (the socket's address is the client; `false` is what a parsed config prints). A number: that many hops. Otherwise a
 * comma list of addresses, CIDRs (`10.0.0.0/8`) or `loopback`, `linklocal`, `uniquelocal`.
 */
const trustProxy = z
  .string()
  .default('none')
  .transform((v) => v.trim())
  .refine(
    (v) => v === 'none' || v === 'false' || /^\d{1,2}$/.test(v) || v.split(',').every((item) => isProxyAddress(item.trim())),
    'must be none, a hop count, or a comma list of addresses/CIDRs',
  )
  .transform((v): false | number | string[] =>
    v === 'none' || v === 'false' || v === '0' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((item) => item.trim()),
  );

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  /** Upper bound of PostgreSQL connections per process. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Prefix of every Redis key (rate limits, caches, BullMQ queues); lets tests share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/)
    .default('kirim:'),
  API_PORT: port(3000),
  ONBOARDING_PORT: port(3001),
  DASHBOARD_PORT: port(3002),
  /** Health and metrics of the worker process (not in the spec's list; 3003 is free there). */
  WORKER_PORT: port(3003),
  META_SANDBOX_PORT: port(3005),
  API_PUBLIC_URL: url.optional(),
  ONBOARDING_PUBLIC_URL: url.optional(),
  DASHBOARD_PUBLIC_URL: url.optional(),
  ENCRYPTION_KEY: key32,
  KEY_PEPPER: key32,
  META_GRAPH_URL: url.default('https://graph.facebook.com'),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/)
    .default('v25.0'),
  META_APP_ID: z.string().default('sandbox-app'),
  META_APP_SECRET: z.string().default('sandbox-secret'),
  META_CONFIG_ID: z.string().default('sandbox-config'),
  META_VERIFY_TOKEN: z.string().default('sandbox-verify-token'),
  META_SDK_URL: url.default('https://connect.facebook.net/en_US/sdk.js'),
  META_SIGNUP_ORIGIN: z.string().default('facebook.com'),
  RATE_LIMIT_WRITE_PER_MIN: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_READ_PER_MIN: z.coerce.number().int().min(1).default(6000),
  WEBHOOK_ALLOW_HTTP: bool(false),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool(false),
  /** Delays between webhook delivery attempts (spec 06): one more attempt than entries; each delay ±20 % jitter. */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)(,\d+(ms|s|m|h|d))*$/, 'must be a comma list of durations such as 10s,30s,2m,1h')
    .default('10s,30s,2m,10m,1h,6h,24h'),
  /** A delivery attempt that has not answered (headers and body) within this is a timeout. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Attempts in flight at once per subscription in one worker process (a slow endpoint uses only its own). */
  WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION: z.coerce.number().int().min(1).max(100).default(32),
  /** Subscriptions delivered to at once by one worker process. */
  WEBHOOK_ACTIVE_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** How often the relay and the deliverer look for work when nothing woke them. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(100),
  /** Run the outbox relay and webhook delivery in this process (the worker); off in the api and in tests that drive them. */
  WEBHOOK_DELIVERY_ENABLED: bool(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** How long a process may trust a cached API-key look-up; the spec caps revocation delay at 5 s. */
  API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(5000).default(4000),
  TRUST_PROXY: trustProxy,
  /** Bearer token of `/metrics` on every app; unset, only the worker's internal port serves `/metrics`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Log message bodies and other payloads (development only). */
  LOG_BODIES: bool(false),
  /** Sends per second of a `STANDARD` number (Meta: 80) and of a `HIGH` one (Meta: 1,000): the dispatcher's per-number caps. */
  MESSAGING_THROUGHPUT_STANDARD_PER_SEC: z.coerce.number().int().min(1).max(100_000).default(80),
  MESSAGING_THROUGHPUT_HIGH_PER_SEC: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Per number, at most `rate` sends in any (1000 + margin) ms of Kirim's clock, so up to `margin` ms of network jitter never puts more than `rate` in a 1 s window at Meta. */
  MESSAGING_PACING_MARGIN_MS: z.coerce.number().int().min(0).max(1000).default(100),
  /** How long a number pauses after Meta throttled it (130429, 131056, 80007, 4). */
  MESSAGING_THROTTLE_PAUSE_MS: z.coerce.number().int().min(0).max(600_000).default(1000),
  /** Meta calls per message before a throttled or transient failure becomes final. */
  MESSAGING_DISPATCH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /** First backoff of a transient failure (doubles per attempt, capped at 60 s). */
  MESSAGING_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  /** A `pending` message older than this without a dispatch job is re-enqueued by the sweep. */
  MESSAGING_SWEEP_GRACE_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
});

type Parsed = z.infer<typeof schema>;
export type AppConfig = Omit<Parsed, 'API_PUBLIC_URL' | 'ONBOARDING_PUBLIC_URL' | 'DASHBOARD_PUBLIC_URL'> & {
  API_PUBLIC_URL: string;
  ONBOARDING_PUBLIC_URL: string;
  DASHBOARD_PUBLIC_URL: string;
};

export interface ConfigProblem {
  variable: string;
  reason: string;
}

/** Every bad or missing variable at once, in one line: `Invalid configuration: A is required; B must be …`. */
export class ConfigError extends Error {
  /** The first variable named (there is at least one). */
  readonly variable: string;

  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} ${p.reason}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variable = problems[0]?.variable ?? 'environment';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as in most twelve-factor loaders.
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(input);
  if (!result.success) {
    const problems = new Map<string, string>();
    for (const issue of result.error.issues) {
      const variable = String(issue.path[0] ?? 'environment');
      if (problems.has(variable)) continue; // one reason per variable
      const reason = issue.code === 'invalid_type' && input[variable] === undefined ? 'is required' : issue.message;
      problems.set(variable, reason.startsWith('is ') || reason.startsWith('must') ? reason : `is invalid: ${reason}`);
    }
    throw new ConfigError([...problems].map(([variable, reason]) => ({ variable, reason })));
  }
  const c = result.data;
  return {
    ...c,
    API_PUBLIC_URL: stripSlash(c.API_PUBLIC_URL ?? `http://localhost:${c.API_PORT}`),
    ONBOARDING_PUBLIC_URL: stripSlash(c.ONBOARDING_PUBLIC_URL ?? `http://localhost:${c.ONBOARDING_PORT}`),
    DASHBOARD_PUBLIC_URL: stripSlash(c.DASHBOARD_PUBLIC_URL ?? `http://localhost:${c.DASHBOARD_PORT}`),
  };
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** Injection token of the validated {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');
