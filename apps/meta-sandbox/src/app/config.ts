/**
 * Configuration of the Meta sandbox, read from the environment once at start-up. A bad value stops the
 * process with one line naming the variable ({@link SandboxConfigError}); every variable has a
 * development default, so an empty environment is valid.
 */
export interface SandboxConfig {
  /** `META_SANDBOX_PORT`, default 3005. */
  readonly port: number;
  /** `META_SANDBOX_PUBLIC_URL` without a trailing slash, default `http://localhost:<port>`. */
  readonly publicUrl: string;
  /** `META_APP_ID`: the Tech Provider's app, the only app this Meta knows. */
  readonly appId: string;
  /** `META_APP_SECRET`: `client_secret` of the code exchange; also `<APP_ID>|<APP_SECRET>` app tokens. */
  readonly appSecret: string;
  /** `META_CONFIG_ID`: the Embedded Signup (Facebook Login for Business) configuration id. */
  readonly configId: string;
  /** Name shown for the app (debug_token `application`, subscribed_apps). Not configurable. */
  readonly appName: string;
  /** Version announced in `facebook-api-version` when a request omits the version segment. */
  readonly defaultGraphVersion: string;
  /**
   * `META_SANDBOX_WEBHOOK_URL`: the app's webhook callback URL (Kirim's `POST /webhooks/meta`), where status
   * and inbound webhooks go unless the WABA has an override. Null: webhooks are built and recorded but
   * not posted until one is set through `PUT /_sandbox/webhooks/settings`.
   */
  readonly webhookUrl: string | null;
}

export class SandboxConfigError extends Error {
  override readonly name = 'SandboxConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const IDENTIFIER = /^[A-Za-z0-9._-]{1,128}$/;
const SECRET = /^[\x21-\x7b\x7d\x7e]{1,256}$/; // printable ASCII, no space, no '|'

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new SandboxConfigError(`${name} is set but empty; unset it to use the default`);
  return value.trim();
}

function readPort(env: Env): number {
  const raw = read(env, 'META_SANDBOX_PORT');
  if (raw === undefined) return 3005;
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SandboxConfigError(`META_SANDBOX_PORT must be an integer between 1 and 65535 (got "${raw}")`);
  }
  return port;
}

function readPublicUrl(env: Env, port: number): string {
  const raw = read(env, 'META_SANDBOX_PUBLIC_URL');
  if (raw === undefined) return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SandboxConfigError(`META_SANDBOX_PUBLIC_URL must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SandboxConfigError(`META_SANDBOX_PUBLIC_URL must use http or https (got "${raw}")`);
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new SandboxConfigError(`META_SANDBOX_PUBLIC_URL must be an origin without path, query or credentials (got "${raw}")`);
  }
  return url.origin;
}

function readWebhookUrl(env: Env): string | null {
  const raw = read(env, 'META_SANDBOX_WEBHOOK_URL');
  if (raw === undefined) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SandboxConfigError(`META_SANDBOX_WEBHOOK_URL must be an absolute http(s) URL (got "${raw}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SandboxConfigError(`META_SANDBOX_WEBHOOK_URL must use http or https (got "${raw}")`);
  }
  if (url.username || url.password) throw new SandboxConfigError('META_SANDBOX_WEBHOOK_URL must not carry credentials');
  return url.toString();
}

function readIdentifier(env: Env, name: string, fallback: string): string {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!IDENTIFIER.test(raw)) {
    throw new SandboxConfigError(`${name} must be 1-128 characters of letters, digits, ".", "_" or "-" (got "${raw}")`);
  }
  return raw;
}

function readSecret(env: Env, name: string, fallback: string): string {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!SECRET.test(raw)) {
    // Never echo a secret.
    throw new SandboxConfigError(`${name} must be 1-256 printable ASCII characters without spaces or "|"`);
  }
  return raw;
}

export function loadSandboxConfig(env: Env = process.env): SandboxConfig {
  const port = readPort(env);
  return {
    port,
    publicUrl: readPublicUrl(env, port),
    appId: readIdentifier(env, 'META_APP_ID', 'sandbox-app'),
    appSecret: readSecret(env, 'META_APP_SECRET', 'sandbox-secret'),
    configId: readIdentifier(env, 'META_CONFIG_ID', 'sandbox-config'),
    appName: 'Kirim (Meta sandbox)',
    defaultGraphVersion: 'v25.0',
    webhookUrl: readWebhookUrl(env),
  };
}
