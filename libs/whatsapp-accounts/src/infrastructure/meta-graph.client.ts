import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@kirim/platform';
import { graphAnswerError, graphTransportError, MetaApiError, parseGraphJson } from './meta-api.error';

/** Default time a Graph call may take before it fails as a (retryable) timeout. */
export const META_TIMEOUT_MS = 10_000;

export interface ExchangedToken {
  accessToken: string;
  expiresIn: number | null;
}

export interface DebuggedToken {
  isValid: boolean;
  appId: string | null;
  /** `granular_scopes[scope=whatsapp_business_management].target_ids`: the WABAs the token may manage. */
  managedWabaIds: string[];
  /** Unix seconds; 0 = never. */
  expiresAt: number | null;
}

export interface GraphPhoneNumber {
  id: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: string | null;
  throughputLevel: string | null;
  messagingLimitTier: string | null;
  codeVerificationStatus: string | null;
}

const PHONE_FIELDS = [
  'id',
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'throughput',
  'messaging_limit_tier',
  'code_verification_status',
  'status',
].join(',');

type Query = Record<string, string>;

/**
 * The only code in Kirim that talks to Meta's Graph API. Base URL and version come from configuration
 * (`META_GRAPH_URL`, `META_GRAPH_VERSION`); each call has a timeout; failures become {@link MetaApiError}.
 * Logs name the endpoint, Meta's code and fbtrace_id only — never a token, the app secret, a code or a PIN.
 */
@Injectable()
export class MetaGraphClient {
  private readonly logger = new Logger('MetaGraphClient');
  private readonly base: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.base = `${config.META_GRAPH_URL.replace(/\/+$/, '')}/${config.META_GRAPH_VERSION}`;
  }

  /** Per-call timeout (tests shorten it). */
  timeoutMs = META_TIMEOUT_MS;

  /** `GET /oauth/access_token`: an Embedded Signup code → the business integration system-user token. */
  async exchangeCode(code: string): Promise<ExchangedToken> {
    const body = await this.call('oauth/access_token', 'GET', 'oauth/access_token', {
      query: { client_id: this.config.META_APP_ID, client_secret: this.config.META_APP_SECRET, code },
    });
    const accessToken = field(body, 'access_token');
    if (typeof accessToken !== 'string' || accessToken === '') throw invalidResponse('oauth/access_token', 'no access_token');
    const expiresIn = field(body, 'expires_in');
    return { accessToken, expiresIn: typeof expiresIn === 'number' ? expiresIn : null };
  }

  /** `GET /debug_token` with the app token: validity and the WABAs a business token may manage. */
  async debugToken(businessToken: string): Promise<DebuggedToken> {
    const body = await this.call('debug_token', 'GET', 'debug_token', {
      query: { input_token: businessToken, access_token: `${this.config.META_APP_ID}|${this.config.META_APP_SECRET}` },
    });
    const data = field(body, 'data');
    if (typeof data !== 'object' || data === null) throw invalidResponse('debug_token', 'no data');
    const d = data as Record<string, unknown>;
    const scopes = Array.isArray(d['granular_scopes']) ? (d['granular_scopes'] as unknown[]) : [];
    const management = scopes.find(
      (s): s is { target_ids?: unknown } =>
        typeof s === 'object' && s !== null && (s as { scope?: unknown }).scope === 'whatsapp_business_management',
    );
    const targets = Array.isArray(management?.target_ids) ? (management.target_ids as unknown[]) : [];
    return {
      isValid: d['is_valid'] === true,
      appId: typeof d['app_id'] === 'string' ? d['app_id'] : null,
      managedWabaIds: targets.filter((t): t is string => typeof t === 'string'),
      expiresAt: typeof d['expires_at'] === 'number' ? d['expires_at'] : null,
    };
  }

  /** `GET /{phone_number_id}?fields=…` (reference §2.4). */
  async getPhoneNumber(businessToken: string, phoneNumberId: string): Promise<GraphPhoneNumber> {
    const body = await this.call('phone_number', 'GET', encodeURIComponent(phoneNumberId), {
      token: businessToken,
      query: { fields: PHONE_FIELDS },
    });
    const id = field(body, 'id');
    const display = field(body, 'display_phone_number');
    const verifiedName = field(body, 'verified_name');
    if (typeof display !== 'string' || typeof verifiedName !== 'string')
      throw invalidResponse('phone_number', 'no display_phone_number or verified_name');
    const throughput = field(body, 'throughput');
    const level = typeof throughput === 'object' && throughput !== null ? (throughput as { level?: unknown }).level : undefined;
    return {
      id: typeof id === 'string' ? id : phoneNumberId,
      displayPhoneNumber: display,
      verifiedName,
      qualityRating: stringOrNull(field(body, 'quality_rating')),
      throughputLevel: stringOrNull(level),
      messagingLimitTier: stringOrNull(field(body, 'messaging_limit_tier')),
      codeVerificationStatus: stringOrNull(field(body, 'code_verification_status')),
    };
  }

  /** `POST /{waba_id}/subscribed_apps`: the app receives the WABA's webhooks. */
  async subscribeApp(businessToken: string, wabaId: string): Promise<void> {
    const body = await this.call('subscribed_apps', 'POST', `${encodeURIComponent(wabaId)}/subscribed_apps`, { token: businessToken });
    requireSuccess('subscribed_apps', body);
  }

  /** `POST /{phone_number_id}/register` with the two-step-verification PIN (6 digits). */
  async registerNumber(businessToken: string, phoneNumberId: string, pin: string): Promise<void> {
    const body = await this.call('register', 'POST', `${encodeURIComponent(phoneNumberId)}/register`, {
      token: businessToken,
      json: { messaging_product: 'whatsapp', pin },
    });
    requireSuccess('register', body);
  }

  private async call(
    endpoint: string,
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; query?: Query; json?: unknown },
  ): Promise<unknown> {
    const url = new URL(`${this.base}/${path}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(options.json !== undefined && { body: JSON.stringify(options.json) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      const error = graphTransportError(endpoint, cause, this.timeoutMs);
      this.logger.warn({ msg: 'meta graph call failed', ...error.toLog(), duration_ms: Date.now() - started });
      throw error;
    }
    const body = parseGraphJson(await response.text().catch(() => ''));
    const error = graphAnswerError(endpoint, response.status, body, response.headers.get('x-fb-trace-id'));
    if (error) {
      this.logger.warn({ msg: 'meta graph call failed', ...error.toLog(), duration_ms: Date.now() - started });
      throw error;
    }
    if (body === null) throw invalidResponse(endpoint, 'not JSON', response.status);
    this.logger.debug({ msg: 'meta graph call', endpoint, http_status: response.status, duration_ms: Date.now() - started });
    return body;
  }
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function requireSuccess(endpoint: string, body: unknown): void {
  if (field(body, 'success') !== true) throw invalidResponse(endpoint, 'success is not true');
}

function invalidResponse(endpoint: string, why: string, httpStatus: number | null = null): MetaApiError {
  return new MetaApiError({ endpoint, kind: 'invalid_response', message: `Graph ${endpoint}: unexpected answer (${why})`, httpStatus });
}
