import { Inject, Injectable } from '@nestjs/common';
import type { WebhookSubscriptionResource, WebhookSubscriptionStatus } from '@kirim/contracts';
import { CUSTOMER_DIRECTORY, type CustomerDirectory } from '@kirim/identity';
import {
  APP_CONFIG,
  type AppConfig,
  AppError,
  CryptoService,
  newId,
  Page,
  Paginator,
  type TenantScope,
  Transactional,
} from '@kirim/platform';
import { generateWebhookSecret } from '../domain/signing';
import {
  MAX_DESCRIPTION_LENGTH,
  parseEventPatterns,
  ROTATION_DEFAULT_HOURS,
  ROTATION_MAX_HOURS,
  type WebhookSubscription,
} from '../domain/subscription';
import { parseWebhookUrl } from '../domain/target-url';
import { SubscriptionsRepository, type SubscriptionChanges } from '../infrastructure/subscriptions.repository';
import { assertPublicTarget, TargetForbiddenError, TargetUnresolvableError } from '../infrastructure/target-guard';
import { toSubscriptionResource } from './resources';

export interface CreateSubscriptionInput {
  url: string;
  events: string[];
  description?: string | null | undefined;
  customerId?: string | null | undefined;
}

export interface UpdateSubscriptionInput {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  status?: string | undefined;
}

/** A subscription with the secret it was just given (creation and rotation show it once). */
export type SubscriptionWithSecret = WebhookSubscriptionResource & { secret: string };

const HOUR_MS = 60 * 60 * 1000;

/**
 * Webhook subscriptions (spec 06): create (with its first secret, shown once), list, read, change, delete and
 * rotate secrets. Organization-wide keys only (the controller refuses restricted ones); a subscription may be
 * filtered to one customer of the organization.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly crypto: CryptoService,
    private readonly paginator: Paginator,
    @Inject(CUSTOMER_DIRECTORY) private readonly customers: CustomerDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(scope: TenantScope, input: CreateSubscriptionInput): Promise<SubscriptionWithSecret> {
    const url = await this.checkUrl(input.url);
    const events = parseEventPatterns(input.events);
    const description = checkDescription(input.description);
    const customerId = input.customerId ?? null;
    if (customerId !== null && !(await this.customers.exists(scope.organizationId, customerId))) {
      throw AppError.notFound('customer', customerId);
    }
    const secret = generateWebhookSecret();
    const at = new Date();
    const secretId = newId('sec');
    const created = await this.subscriptions.create(
      { id: newId('wbs'), organizationId: scope.organizationId, customerId, url, description, events },
      { id: secretId, sealed: this.crypto.seal(secret) },
      at,
    );
    return { ...toSubscriptionResource(created, [{ id: secretId, createdAt: at, expiresAt: null }]), secret };
  }

  async list(
    scope: TenantScope,
    input: {
      status?: WebhookSubscriptionStatus | undefined;
      customerId?: string | undefined;
      limit?: number | undefined;
      cursor?: string | undefined;
    },
  ): Promise<Page<WebhookSubscriptionResource>> {
    const filters = { status: input.status, customerId: input.customerId };
    const page = await this.paginator.paginate({
      query: input,
      scope: `webhook_subscriptions:${scope.organizationId}`,
      filters: { status: filters.status, customer_id: filters.customerId },
      fetch: (p) => this.subscriptions.list(scope.organizationId, filters, p),
      map: (s) => s,
    });
    const secrets = await this.subscriptions.liveSecrets(
      page.data.map((s) => s.id),
      new Date(),
    );
    return new Page(
      page.data.map((s) => toSubscriptionResource(s, secrets.get(s.id) ?? [])),
      page.hasMore,
      page.nextCursor,
    );
  }

  async get(scope: TenantScope, id: string): Promise<WebhookSubscriptionResource> {
    return this.resource(await this.require(scope, id));
  }

  /**
   * PATCH `url`, `events`, `description`, `status` (`active` / `paused`). Re-enabling a `disabled` subscription
   * sets it `active` and resets its failure count; `disabled` itself is the deliverer's to set. A no-op PATCH
   * changes nothing.
   */
  @Transactional()
  async update(scope: TenantScope, id: string, input: UpdateSubscriptionInput): Promise<WebhookSubscriptionResource> {
    const url = input.url === undefined ? undefined : await this.checkUrl(input.url);
    const events = input.events === undefined ? undefined : parseEventPatterns(input.events);
    const description = input.description === undefined ? undefined : checkDescription(input.description);
    if (input.status !== undefined && input.status !== 'active' && input.status !== 'paused') {
      throw AppError.invalid('status', "'status' must be active or paused (a subscription becomes disabled only by failing).");
    }
    const current = await this.require(scope, id, true);
    const changes: SubscriptionChanges = {};
    if (url !== undefined && url !== current.url) changes.url = url;
    if (events !== undefined && !sameList(events, current.events)) changes.events = events;
    if (description !== undefined && description !== current.description) changes.description = description;
    if (input.status !== undefined && input.status !== current.status) {
      changes.status = input.status;
      if (current.status === 'disabled') {
        changes.disabledReason = null;
        changes.resetFailures = true;
      }
    }
    if (Object.keys(changes).length === 0) return this.resource(current);
    return this.resource(await this.subscriptions.update(current.id, changes, new Date()));
  }

  /** Deletes the subscription with its secrets and deliveries; answers it as it was. */
  @Transactional()
  async delete(scope: TenantScope, id: string): Promise<WebhookSubscriptionResource> {
    const current = await this.require(scope, id, true);
    const resource = await this.resource(current);
    await this.subscriptions.delete(current.id);
    return resource;
  }

  /**
   * Rotation: every live secret expires within `expireCurrentInHours` (0–168, default 24) and a new one is
   * created and shown once; until the old ones expire, deliveries carry one signature per live secret.
   */
  @Transactional()
  async rotateSecret(scope: TenantScope, id: string, expireCurrentInHours: number | undefined): Promise<SubscriptionWithSecret> {
    const hours = expireCurrentInHours ?? ROTATION_DEFAULT_HOURS;
    if (!Number.isFinite(hours) || hours < 0 || hours > ROTATION_MAX_HOURS) {
      throw AppError.invalid('expire_current_in_hours', `'expire_current_in_hours' must be a number from 0 to ${ROTATION_MAX_HOURS}.`);
    }
    const current = await this.require(scope, id, true);
    const at = new Date();
    await this.subscriptions.expireLiveSecrets(current.id, at, new Date(at.getTime() + hours * HOUR_MS));
    const secret = generateWebhookSecret();
    await this.subscriptions.addSecret(current.id, { id: newId('sec'), sealed: this.crypto.seal(secret) }, at);
    const updated = await this.subscriptions.update(current.id, {}, at);
    return { ...(await this.resource(updated, at)), secret };
  }

  /** Drops secrets that expired before `before` (maintenance). */
  purgeExpiredSecrets(before: Date): Promise<number> {
    return this.subscriptions.purgeExpiredSecrets(before);
  }

  /** The organization's subscription or 404 (another organization's reads as absent). */
  async require(scope: TenantScope, id: string, lock = false): Promise<WebhookSubscription> {
    const found = await this.subscriptions.find(scope.organizationId, id, lock);
    if (!found) throw AppError.notFound('webhook_subscription', id);
    return found;
  }

  async resource(s: WebhookSubscription, at = new Date()): Promise<WebhookSubscriptionResource> {
    const secrets = await this.subscriptions.liveSecrets([s.id], at);
    return toSubscriptionResource(s, secrets.get(s.id) ?? []);
  }

  /** Spec 06 URL rules, the host's addresses included (again at every delivery). */
  private async checkUrl(raw: string): Promise<string> {
    const url = parseWebhookUrl(raw, { allowHttp: this.config.WEBHOOK_ALLOW_HTTP });
    try {
      await assertPublicTarget(url, this.config.WEBHOOK_ALLOW_PRIVATE_TARGETS);
    } catch (error) {
      if (error instanceof TargetForbiddenError) {
        throw new AppError(
          'invalid_webhook_url',
          `The host '${url.hostname}' resolves to a loopback, private, link-local or metadata address; webhooks go to public endpoints only.`,
          { param: 'url' },
        );
      }
      if (error instanceof TargetUnresolvableError) {
        throw new AppError('invalid_webhook_url', `The host '${url.hostname}' does not resolve.`, { param: 'url' });
      }
      throw error;
    }
    return url.toString();
  }
}

function checkDescription(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > MAX_DESCRIPTION_LENGTH) {
    throw AppError.invalid('description', `'description' may hold at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  }
  return value;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
