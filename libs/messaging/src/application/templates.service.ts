import { Injectable } from '@nestjs/common';
import { EventWriter, type TemplateResource } from '@kirim/contracts';
import { AppError, CryptoService, type Page, Paginator, scopeKey, type TenantScope, Transactional } from '@kirim/platform';
import { MetaApiError } from '@kirim/whatsapp-accounts';
import { checkNewTemplate, parseTemplateFilters, reasonFromMeta, statusFromMeta, type Template } from '../domain/templates';
import { type GraphTemplate, MetaTemplatesClient } from '../infrastructure/meta-templates.client';
import { type MetaTemplateFacts, type TemplateAccount, TemplatesRepository } from '../infrastructure/templates.repository';
import { messageEventScope, toTemplateResource } from './resources';
import { assertPhoneNumberId } from '../domain/phone-number-id';

/** Meta's subcode for "content in this language already exists" (a duplicate name + language at Meta). */
const META_DUPLICATE_SUBCODE = 2388024;
/** A row without a Meta id younger than this is a create in flight: a sync leaves it alone. */
const CREATE_IN_FLIGHT_MS = 60_000;

export interface CreateTemplateInput {
  name: string;
  language: string;
  category: string;
  parameter_format?: string | undefined;
  components: unknown[];
}

export interface ListTemplatesInput {
  limit?: number | undefined;
  cursor?: string | undefined;
  status?: string | undefined;
  name?: string | undefined;
  language?: string | undefined;
  category?: string | undefined;
}

export interface SyncResult {
  created: number;
  updated: number;
  unchanged: number;
}

/** Canonical JSON (sorted keys): PostgreSQL's jsonb reorders keys, so components compare by content. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function factsOf(t: GraphTemplate): MetaTemplateFacts {
  return {
    metaTemplateId: t.id,
    name: t.name,
    language: t.language,
    category: t.category.toUpperCase(),
    status: statusFromMeta(t.status),
    parameterFormat: (t.parameter_format ?? '').toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    components: Array.isArray(t.components) ? t.components : [],
    rejectionReason: reasonFromMeta(t.rejected_reason),
    quality: typeof t.quality_score?.score === 'string' ? t.quality_score.score : null,
  };
}

/**
 * Templates of one account's WABA (spec 05 § Templates). Kirim mirrors Meta: a create is checked here
 * first (domain/templates.ts), claims its (account, name, language) row, then goes to Meta with the
 * account's token — a Meta failure removes the claim again, so nothing half-made stays. Sync pulls every
 * page of Meta's list and reconciles; delete deletes at Meta by name + id, then marks the row `deleted`.
 * Status changes (sync, delete, Meta's webhook) write `template.status_updated` in their transaction.
 */
@Injectable()
export class TemplatesService {
  constructor(
    private readonly templates: TemplatesRepository,
    private readonly meta: MetaTemplatesClient,
    private readonly events: EventWriter,
    private readonly paginator: Paginator,
    private readonly crypto: CryptoService,
  ) {}

  async list(scope: TenantScope, phoneNumberId: string, input: ListTemplatesInput): Promise<Page<TemplateResource>> {
    const account = await this.account(scope, phoneNumberId);
    const filters = parseTemplateFilters(input);
    return this.paginator.paginate({
      query: input,
      scope: `templates:${scopeKey(scope)}:${account.id}`,
      filters: { ...filters },
      fetch: (page) => this.templates.list(scope, account.id, filters, page),
      map: toTemplateResource,
    });
  }

  async get(scope: TenantScope, phoneNumberId: string, id: string): Promise<TemplateResource> {
    const account = await this.account(scope, phoneNumberId);
    return toTemplateResource(await this.find(scope, account, id));
  }

  async create(scope: TenantScope, phoneNumberId: string, body: CreateTemplateInput): Promise<TemplateResource> {
    assertPhoneNumberId(phoneNumberId);
    const input = checkNewTemplate(body);
    const account = await this.account(scope, phoneNumberId);
    const token = this.token(account);
    const now = new Date();
    const claimed = await this.templates.claim(account, input, now);
    if (!claimed) {
      throw new AppError('template_already_exists', `A template '${input.name}' in '${input.language}' exists for this account.`, {
        param: 'name',
      });
    }
    let answer: { id: string; status: string; category: string | null };
    try {
      answer = await this.meta.create(token, account.wabaId, {
        name: input.name,
        language: input.language,
        category: input.category,
        parameter_format: input.parameterFormat.toLowerCase(),
        components: input.components,
      });
    } catch (error) {
      await this.templates.release(claimed);
      throw metaFailure(error, 'create the template');
    }
    const template = await this.templates.attachMeta(
      claimed.template.id,
      { metaTemplateId: answer.id, status: statusFromMeta(answer.status), category: (answer.category ?? input.category).toUpperCase() },
      new Date(),
    );
    return toTemplateResource(template ?? claimed.template);
  }

  /** Every page of Meta's list, then one transaction reconciling the rows. */
  async sync(scope: TenantScope, phoneNumberId: string): Promise<SyncResult> {
    const account = await this.account(scope, phoneNumberId);
    const token = this.token(account);
    let remote: GraphTemplate[];
    try {
      remote = await this.meta.listAll(token, account.wabaId);
    } catch (error) {
      throw metaFailure(error, 'list the templates');
    }
    return this.reconcile(account, remote.map(factsOf), new Date());
  }

  async delete(scope: TenantScope, phoneNumberId: string, id: string): Promise<TemplateResource> {
    const account = await this.account(scope, phoneNumberId);
    const template = await this.find(scope, account, id);
    // Deleting a deleted template changes nothing (and asks nothing of Meta).
    if (template.status === 'deleted') return toTemplateResource(template);
    const token = this.token(account);
    if (template.metaTemplateId !== null) {
      try {
        await this.meta.delete(token, account.wabaId, template.name, template.metaTemplateId);
      } catch (error) {
        throw metaFailure(error, 'delete the template');
      }
    }
    return toTemplateResource(await this.markDeleted(template));
  }

  @Transactional()
  private async markDeleted(template: Template): Promise<Template> {
    const deleted = await this.templates.update(template.id, { status: 'deleted', deletedAt: new Date() }, new Date());
    await this.statusUpdated(deleted, template.status);
    return deleted;
  }

  /**
   * Meta's templates against the account's rows, locked: new ones inserted (created), changed ones
   * updated (updated; a status change with `template.status_updated`), the same ones counted unchanged.
   * A live row Meta no longer has becomes `deleted` (updated, with its event) — except a create still in
   * flight (no Meta id yet, under a minute old).
   */
  @Transactional()
  private async reconcile(account: TemplateAccount, remote: MetaTemplateFacts[], now: Date): Promise<SyncResult> {
    const rows = await this.templates.lockAccountTemplates(account.id);
    const byKey = new Map(rows.map((r) => [`${r.name}\u0000${r.language}`, r]));
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    const seen = new Set<string>();
    for (const facts of remote) {
      const key = `${facts.name}\u0000${facts.language}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const row = byKey.get(key);
      if (!row) {
        await this.templates.insertFromMeta(account, facts, now);
        result.created += 1;
        continue;
      }
      const changes: Parameters<TemplatesRepository['update']>[1] = {};
      if (row.metaTemplateId !== facts.metaTemplateId) changes.metaTemplateId = facts.metaTemplateId;
      if (row.category !== facts.category) changes.category = facts.category;
      if (row.status !== facts.status) changes.status = facts.status;
      if (row.parameterFormat !== facts.parameterFormat) changes.parameterFormat = facts.parameterFormat;
      if (canonical(row.components) !== canonical(facts.components)) changes.components = facts.components;
      if (row.rejectionReason !== facts.rejectionReason) changes.rejectionReason = facts.rejectionReason;
      if (row.quality !== facts.quality) changes.quality = facts.quality;
      if (row.deletedAt !== null && facts.status !== 'deleted') changes.deletedAt = null;
      if (Object.keys(changes).length === 0) {
        result.unchanged += 1;
        continue;
      }
      const updated = await this.templates.update(row.id, changes, now);
      if (changes.status !== undefined) await this.statusUpdated(updated, row.status);
      result.updated += 1;
    }
    for (const row of rows) {
      if (row.status === 'deleted' || seen.has(`${row.name}\u0000${row.language}`)) continue;
      if (row.metaTemplateId === null && now.getTime() - row.updatedAt.getTime() < CREATE_IN_FLIGHT_MS) continue;
      const deleted = await this.templates.update(row.id, { status: 'deleted', deletedAt: now }, now);
      await this.statusUpdated(deleted, row.status);
      result.updated += 1;
    }
    return result;
  }

  private async statusUpdated(template: Template, previousStatus: string): Promise<void> {
    await this.events.append(
      'template.status_updated',
      messageEventScope(template),
      { template: toTemplateResource(template) },
      { status: previousStatus },
    );
  }

  private async find(scope: TenantScope, account: TemplateAccount, id: string): Promise<Template> {
    const template = await this.templates.find(scope, account.id, id);
    if (!template) throw AppError.notFound('template', id);
    return template;
  }

  private async account(scope: TenantScope, phoneNumberId: string): Promise<TemplateAccount> {
    assertPhoneNumberId(phoneNumberId);
    const account = await this.templates.account(scope, phoneNumberId);
    if (!account) throw AppError.notFound('whatsapp account with phone_number_id', phoneNumberId);
    return account;
  }

  /** The account's business token, for calls that reach Meta: only while the account is connected. */
  private token(account: TemplateAccount): string {
    if (account.status !== 'approved' && account.status !== 'restricted') {
      throw new AppError(
        'account_not_connected',
        `This account is ${account.status}: its templates are managed at Meta only while it is connected.`,
      );
    }
    return this.crypto.open(account.businessTokenCiphertext);
  }
}

/**
 * A failed Meta call as the API answers it: Meta's refusal of the template itself (HTTP 400 with a
 * parameter error) → 400 `invalid_field_value` with Meta's words (a duplicate at Meta → 409
 * `template_already_exists`); anything else (token, throttling, 5xx, timeouts) → 502 `whatsapp_upstream_error`.
 */
function metaFailure(error: unknown, what: string): AppError {
  if (!(error instanceof MetaApiError)) return new AppError('whatsapp_upstream_error', `Meta could not ${what}.`, { cause: error });
  const meta = `(Meta ${error.code ?? error.kind}${error.fbtraceId ? `, fbtrace_id ${error.fbtraceId}` : ''})`;
  const words = [error.message, error.details].filter(Boolean).join(': ');
  if (error.kind === 'graph' && error.code === 100 && error.subcode === META_DUPLICATE_SUBCODE) {
    return new AppError(
      'template_already_exists',
      `Meta already has this template name in this language ${meta}: run POST templates/sync to mirror it.`,
      { param: 'name', cause: error },
    );
  }
  const refusal =
    error.kind === 'graph' &&
    error.httpStatus === 400 &&
    !error.retryable &&
    !error.tokenInvalid &&
    (error.code === 100 || (error.code !== null && error.code >= 2_388_000 && error.code < 2_389_000));
  if (refusal) return new AppError('invalid_field_value', `Meta refused to ${what}: ${words} ${meta}`, { cause: error });
  return new AppError('whatsapp_upstream_error', `Meta could not ${what}: ${words} ${meta}`, { cause: error });
}
