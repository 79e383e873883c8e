import { Injectable } from '@nestjs/common';
import { Database, KEYSET_ORDER, type KeysetPosition, keysetWhere, newId, scopeWhere, type TenantScope } from '@kirim/platform';
import type { NewTemplate, ParameterFormat, Template, TemplateFilters } from '../domain/templates';

/** The account a templates path names, with what talking to Meta for its WABA needs (the token still sealed). */
export interface TemplateAccount {
  id: string;
  organizationId: string;
  teamId: string;
  customerId: string | null;
  phoneNumberId: string;
  wabaId: string;
  status: 'approved' | 'restricted' | 'disconnected' | 'archived';
  businessTokenCiphertext: string;
}

/** What Meta says of one template (sync and create). */
export interface MetaTemplateFacts {
  metaTemplateId: string;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: ParameterFormat;
  components: Record<string, unknown>[];
  rejectionReason: string | null;
  quality: string | null;
}

/** A claimed create: the row now `pending` without a Meta id, and what it was before when it revived a deleted one. */
export interface ClaimedTemplate {
  template: Template;
  previous: Template | null;
}

interface TemplateRow {
  id: string;
  orgId: string;
  teamId: string;
  customerId: string | null;
  accountId: string;
  wabaId: string;
  metaTemplateId: string | null;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: string;
  components: unknown;
  rejectionReason: string | null;
  quality: string | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const json = (value: unknown): string => JSON.stringify(value);

export function toTemplate(row: TemplateRow): Template {
  return {
    id: row.id,
    organizationId: row.orgId,
    teamId: row.teamId,
    customerId: row.customerId,
    accountId: row.accountId,
    wabaId: row.wabaId,
    metaTemplateId: row.metaTemplateId,
    name: row.name,
    language: row.language,
    category: row.category,
    status: row.status,
    parameterFormat: row.parameterFormat === 'NAMED' ? 'NAMED' : 'POSITIONAL',
    components: (Array.isArray(row.components) ? row.components : []) as Record<string, unknown>[],
    rejectionReason: row.rejectionReason,
    quality: row.quality,
    deletedAt: row.deletedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * Templates in PostgreSQL: one row per (account, name, language), the unique index that keeps two creates
 * of the same template from both reaching Meta. Tenant reads take the scope; the webhook handler's reads
 * go by WABA (Meta names the WABA, never the tenant). Reads whatsapp-accounts' row (read-only) for the
 * account's WABA id, status and sealed token.
 */
@Injectable()
export class TemplatesRepository {
  constructor(private readonly db: Database) {}

  /** The path's account in the scope, or null (another tenant's number reads as absent). */
  async account(scope: TenantScope, phoneNumberId: string): Promise<TemplateAccount | null> {
    const rows = await this.db.tx.$queryRaw<TemplateAccount[]>`
      SELECT a.id, a.org_id AS "organizationId", a.team_id AS "teamId", a.customer_id AS "customerId", a.phone_number_id AS "phoneNumberId",
             a.waba_id AS "wabaId", a.status::text AS status, a.business_token_ciphertext AS "businessTokenCiphertext"
      FROM whatsapp_accounts a
      WHERE a.phone_number_id = ${phoneNumberId} AND a.org_id = ${scope.organizationId}
        AND (${scope.customerId}::text IS NULL OR a.customer_id = ${scope.customerId}::text)`;
    return rows[0] ?? null;
  }

  /** Newest first; deleted templates only when the filter asks for `status=deleted`. */
  async list(
    scope: TenantScope,
    accountId: string,
    filters: TemplateFilters,
    page: { take: number; after: KeysetPosition | undefined },
  ): Promise<Template[]> {
    const rows = await this.db.tx.template.findMany({
      where: {
        AND: [
          {
            accountId,
            status: filters.status ?? { not: 'deleted' },
            ...(filters.name !== undefined && { name: filters.name }),
            ...(filters.language !== undefined && { language: filters.language }),
            ...(filters.category !== undefined && { category: filters.category }),
          },
          scopeWhere(scope),
          keysetWhere(page.after),
        ],
      },
      orderBy: KEYSET_ORDER,
      take: page.take,
    });
    return rows.map(toTemplate);
  }

  async find(scope: TenantScope, accountId: string, id: string): Promise<Template | null> {
    const row = await this.db.tx.template.findFirst({ where: { AND: [{ id, accountId }, scopeWhere(scope)] } });
    return row ? toTemplate(row) : null;
  }

  /**
   * Claims (account, name, language) for a create in ONE statement, before Meta is called: a new row
   * `pending` without a Meta id, or a `deleted` row revived as one (re-creating a deleted template reuses
   * its row). Null when a live template holds the name + language: the unique index makes a concurrent
   * create wait for this one and then find it, so only one of them reaches Meta.
   */
  async claim(account: TemplateAccount, input: NewTemplate, at: Date): Promise<ClaimedTemplate | null> {
    const rows = await this.db.tx.$queryRaw<(TemplateRow & { previous: Record<string, unknown> | null })[]>`
      WITH old AS (
        SELECT * FROM templates WHERE account_id = ${account.id} AND name = ${input.name} AND language = ${input.language}
      ), up AS (
        INSERT INTO templates (id, org_id, team_id, customer_id, account_id, waba_id, meta_template_id, name, language, category, status,
                               parameter_format, components, rejection_reason, quality, deleted_at, created_at, updated_at)
        VALUES (${newId('tmpl')}, ${account.organizationId}, ${account.teamId}, ${account.customerId}::text, ${account.id}, ${account.wabaId},
                NULL, ${input.name}, ${input.language}, ${input.category}, 'pending', ${input.parameterFormat}, ${json(input.components)}::jsonb,
                NULL, NULL, NULL, ${at}::timestamptz, ${at}::timestamptz)
        ON CONFLICT (account_id, name, language) DO UPDATE
          SET waba_id = EXCLUDED.waba_id, meta_template_id = NULL, category = EXCLUDED.category, status = 'pending',
              parameter_format = EXCLUDED.parameter_format, components = EXCLUDED.components, rejection_reason = NULL, quality = NULL,
              deleted_at = NULL, updated_at = EXCLUDED.updated_at
          WHERE templates.status = 'deleted'
        RETURNING *
      )
      SELECT up.id, up.org_id AS "orgId", up.team_id AS "teamId", up.customer_id AS "customerId", up.account_id AS "accountId",
             up.waba_id AS "wabaId", up.meta_template_id AS "metaTemplateId", up.name, up.language, up.category, up.status,
             up.parameter_format AS "parameterFormat", up.components, up.rejection_reason AS "rejectionReason", up.quality,
             up.deleted_at AS "deletedAt", up.created_at AS "createdAt", up.updated_at AS "updatedAt",
             (SELECT to_jsonb(old) FROM old) AS previous
      FROM up`;
    const row = rows[0];
    if (!row) return null;
    const p = row.previous;
    const previous =
      p === null
        ? null
        : toTemplate({
            id: String(p['id']),
            orgId: String(p['org_id']),
            teamId: String(p['team_id']),
            customerId: (p['customer_id'] as string | null) ?? null,
            accountId: String(p['account_id']),
            wabaId: String(p['waba_id']),
            metaTemplateId: (p['meta_template_id'] as string | null) ?? null,
            name: String(p['name']),
            language: String(p['language']),
            category: String(p['category']),
            status: String(p['status']),
            parameterFormat: String(p['parameter_format']),
            components: p['components'],
            rejectionReason: (p['rejection_reason'] as string | null) ?? null,
            quality: (p['quality'] as string | null) ?? null,
            deletedAt: p['deleted_at'] ? new Date(String(p['deleted_at'])) : null,
            createdAt: new Date(String(p['created_at'])),
            updatedAt: new Date(String(p['updated_at'])),
          });
    return { template: toTemplate(row), previous };
  }

  /** Meta refused or failed the create: the claimed row goes away, or the revived one is put back as it was. */
  async release(claimed: ClaimedTemplate): Promise<void> {
    const { template, previous } = claimed;
    if (previous === null) {
      await this.db.tx.template.deleteMany({ where: { id: template.id, metaTemplateId: null } });
      return;
    }
    await this.db.tx.template.updateMany({
      where: { id: template.id, metaTemplateId: null },
      data: {
        wabaId: previous.wabaId,
        metaTemplateId: previous.metaTemplateId,
        category: previous.category,
        status: previous.status,
        parameterFormat: previous.parameterFormat,
        components: previous.components as object[],
        rejectionReason: previous.rejectionReason,
        quality: previous.quality,
        deletedAt: previous.deletedAt,
        updatedAt: previous.updatedAt,
      },
    });
  }

  /**
   * Meta's answer to the create: its id and category, and its status unless a status webhook got there
   * first (the row is then no longer `pending`).
   */
  async attachMeta(id: string, facts: { metaTemplateId: string; status: string; category: string }, at: Date): Promise<Template | null> {
    const rows = await this.db.tx.$queryRaw<TemplateRow[]>`
      UPDATE templates SET meta_template_id = ${facts.metaTemplateId}, category = ${facts.category},
             status = CASE WHEN status = 'pending' THEN ${facts.status} ELSE status END, updated_at = ${at}::timestamptz
      WHERE id = ${id}
      RETURNING id, org_id AS "orgId", team_id AS "teamId", customer_id AS "customerId", account_id AS "accountId", waba_id AS "wabaId",
             meta_template_id AS "metaTemplateId", name, language, category, status, parameter_format AS "parameterFormat", components,
             rejection_reason AS "rejectionReason", quality, deleted_at AS "deletedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;
    return rows[0] ? toTemplate(rows[0]) : null;
  }

  /** The account's rows, locked for a sync (inside its transaction). */
  async lockAccountTemplates(accountId: string): Promise<Template[]> {
    if (!this.db.inTransaction) throw new Error('lockAccountTemplates needs a transaction');
    const rows = await this.db.tx.$queryRaw<TemplateRow[]>`
      SELECT id, org_id AS "orgId", team_id AS "teamId", customer_id AS "customerId", account_id AS "accountId", waba_id AS "wabaId",
             meta_template_id AS "metaTemplateId", name, language, category, status, parameter_format AS "parameterFormat", components,
             rejection_reason AS "rejectionReason", quality, deleted_at AS "deletedAt", created_at AS "createdAt", updated_at AS "updatedAt"
      FROM templates WHERE account_id = ${accountId} ORDER BY created_at, id FOR UPDATE`;
    return rows.map(toTemplate);
  }

  /** A template Meta has and Kirim did not: inserted as Meta describes it. */
  async insertFromMeta(account: TemplateAccount, facts: MetaTemplateFacts, at: Date): Promise<Template> {
    const row = await this.db.tx.template.create({
      data: {
        id: newId('tmpl'),
        orgId: account.organizationId,
        teamId: account.teamId,
        customerId: account.customerId,
        accountId: account.id,
        wabaId: account.wabaId,
        metaTemplateId: facts.metaTemplateId,
        name: facts.name,
        language: facts.language,
        category: facts.category,
        status: facts.status,
        parameterFormat: facts.parameterFormat,
        components: facts.components as object[],
        rejectionReason: facts.rejectionReason,
        quality: facts.quality,
        createdAt: at,
        updatedAt: at,
      },
    });
    return toTemplate(row);
  }

  /** A row changed to what Meta (sync, webhook) or Kirim (delete) says. */
  async update(
    id: string,
    changes: Partial<
      Pick<
        Template,
        'metaTemplateId' | 'category' | 'status' | 'parameterFormat' | 'components' | 'rejectionReason' | 'quality' | 'deletedAt'
      >
    >,
    at: Date,
  ): Promise<Template> {
    const { components, ...rest } = changes;
    const row = await this.db.tx.template.update({
      where: { id },
      data: { ...rest, ...(components !== undefined && { components: components as object[] }), updatedAt: at },
    });
    return toTemplate(row);
  }

  /**
   * The rows a Meta webhook names, locked (inside the payload's transaction): every account of the WABA
   * holding Meta's template id, else those holding the name + language without a Meta id yet (a create
   * whose answer was not recorded).
   */
  async lockForWebhook(wabaId: string, metaTemplateId: string | null, name: string | null, language: string | null): Promise<Template[]> {
    if (!this.db.inTransaction) throw new Error('lockForWebhook needs a transaction');
    const rows = await this.db.tx.$queryRaw<TemplateRow[]>`
      SELECT id, org_id AS "orgId", team_id AS "teamId", customer_id AS "customerId", account_id AS "accountId", waba_id AS "wabaId",
             meta_template_id AS "metaTemplateId", name, language, category, status, parameter_format AS "parameterFormat", components,
             rejection_reason AS "rejectionReason", quality, deleted_at AS "deletedAt", created_at AS "createdAt", updated_at AS "updatedAt"
      FROM templates
      WHERE waba_id = ${wabaId}
        AND (meta_template_id = ${metaTemplateId}::text
             OR (meta_template_id IS NULL AND name = ${name}::text AND replace(language, '-', '_') = replace(${language}::text, '-', '_')))
      ORDER BY created_at, id FOR UPDATE`;
    return rows.map(toTemplate);
  }
}
