import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, AppError, CryptoService, isId, newId, type Page, Paginator, type Principal } from '@kirim/platform';
import { apiKeyLast4, generateApiKey, isApiKeyFormat, isExpired } from '../domain/api-key';
import { requireName } from '../domain/names';
import { type ApiKeyResource, type CreatedApiKey, type MeResource, toApiKeyResource, toTeamResource } from '../domain/resources';
import { ApiKeysRepository } from '../infrastructure/api-keys.repository';
import { CUSTOMER_DIRECTORY, type CustomerDirectory } from './customer-directory';

export interface NewApiKeyInput {
  label?: string | null;
  customerId?: string | null;
  expiresAt?: Date | null;
}

interface CachedKey {
  principal: Principal;
  expiresAt: Date | null;
  /** Epoch ms after which the entry must be looked up again. */
  until: number;
}

const CACHE_PRUNE_SIZE = 10_000;

@Injectable()
export class ApiKeysService {
  /**
   * Successful look-ups by keyed hash, trusted for API_KEY_CACHE_TTL_MS (≤ 5 s, default 4 s). There is
   * no cross-process invalidation: a key revoked by another process is refused here at the latest when
   * its entry runs out, which keeps the spec's bound of 5 s. A revocation by this process evicts at once.
   */
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly crypto: CryptoService,
    private readonly paginator: Paginator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CUSTOMER_DIRECTORY) private readonly customers: CustomerDirectory,
  ) {}

  /** Creates a key; the plaintext is in `secret` here and nowhere else, ever. */
  async create(organizationId: string, input: NewApiKeyInput = {}): Promise<CreatedApiKey> {
    const label = input.label == null ? null : requireName('label', input.label);
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && isExpired(expiresAt, new Date())) {
      throw AppError.invalid('expires_at', 'expires_at must be in the future.');
    }
    const customerId = input.customerId ?? null;
    if (customerId !== null && !isId('cus', customerId)) {
      throw AppError.invalid('customer_id', 'customer_id must be a cus_ id.');
    }
    if (customerId !== null && !(await this.customers.exists(organizationId, customerId))) {
      throw AppError.notFound('customer', customerId);
    }
    const secret = generateApiKey();
    const key = await this.keys.create(organizationId, {
      id: newId('key'),
      customerId,
      label,
      keyHash: this.crypto.keyedHash('api-key', secret),
      last4: apiKeyLast4(secret),
      expiresAt,
    });
    return { ...toApiKeyResource(key), secret };
  }

  /** Newest first, revoked keys included (with `revoked_at`). */
  async list(organizationId: string, query: { limit?: number; cursor?: string } = {}): Promise<Page<ApiKeyResource>> {
    return this.paginator.paginate({
      query,
      scope: `api_keys:${organizationId}`,
      fetch: ({ take, after }) => this.keys.list(organizationId, take, after),
      map: toApiKeyResource,
    });
  }

  /** Revokes a key of this organization (idempotent); unknown or another organization's → 404. */
  async revoke(organizationId: string, keyId: string): Promise<ApiKeyResource> {
    const key = await this.keys.revoke(organizationId, keyId, new Date());
    if (!key) throw AppError.notFound('API key', keyId);
    this.forget(keyId);
    return toApiKeyResource(key);
  }

  /** Operator CLI (`keys revoke key_…`): revokes a key in whichever organization holds it. */
  async revokeById(keyId: string): Promise<ApiKeyResource> {
    const organizationId = await this.keys.findOrganizationIdOfKey(keyId);
    if (!organizationId) throw AppError.notFound('API key', keyId);
    return this.revoke(organizationId, keyId);
  }

  /**
   * Plaintext → Principal, or `invalid_api_key` (malformed — without touching the database —, unknown,
   * revoked) / `expired_api_key`.
   */
  async authenticate(plaintext: string): Promise<Principal> {
    if (!isApiKeyFormat(plaintext)) throw invalidApiKey();
    const hash = this.crypto.keyedHash('api-key', plaintext);
    const now = Date.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.until <= now) {
      this.cache.delete(hash);
      const found = await this.keys.findForAuthentication(hash);
      if (!found || found.key.revokedAt) throw invalidApiKey();
      entry = {
        principal: {
          organizationId: found.key.organizationId,
          apiKeyId: found.key.id,
          customerId: found.key.customerId,
          rateLimits: {
            writePerMinute: found.rateLimitWritePerMin ?? this.config.RATE_LIMIT_WRITE_PER_MIN,
            readPerMinute: found.rateLimitReadPerMin ?? this.config.RATE_LIMIT_READ_PER_MIN,
          },
        },
        expiresAt: found.key.expiresAt,
        until: now + this.config.API_KEY_CACHE_TTL_MS,
      };
      this.remember(hash, entry, now);
    }
    if (entry.expiresAt && isExpired(entry.expiresAt, new Date(now))) {
      throw new AppError('expired_api_key', `This API key expired at ${entry.expiresAt.toISOString()}.`);
    }
    return entry.principal;
  }

  /** `GET /v1/me`: the calling key, its organization and teams, and the rate limits that apply. */
  async introspect(principal: Principal): Promise<MeResource> {
    const found = await this.keys.findForIntrospection(principal.organizationId, principal.apiKeyId);
    if (!found) throw invalidApiKey();
    const { key, organization, teams } = found;
    const { id, object, label, last4, customer_id, expires_at } = toApiKeyResource(key);
    return {
      object: 'me',
      organization: { id: organization.id, object: 'organization', name: organization.name },
      teams: teams.map(toTeamResource),
      api_key: { id, object, label, last4, customer_id, expires_at },
      rate_limits: { write_per_minute: principal.rateLimits.writePerMinute, read_per_minute: principal.rateLimits.readPerMinute },
    };
  }

  private remember(hash: string, entry: CachedKey, now: number): void {
    if (this.config.API_KEY_CACHE_TTL_MS <= 0) return;
    if (this.cache.size >= CACHE_PRUNE_SIZE) {
      for (const [key, cached] of this.cache) if (cached.until <= now) this.cache.delete(key);
      if (this.cache.size >= CACHE_PRUNE_SIZE) this.cache.clear();
    }
    this.cache.set(hash, entry);
  }

  private forget(keyId: string): void {
    for (const [hash, cached] of this.cache) if (cached.principal.apiKeyId === keyId) this.cache.delete(hash);
  }
}

function invalidApiKey(): AppError {
  return new AppError('invalid_api_key', 'Invalid API key provided.');
}
