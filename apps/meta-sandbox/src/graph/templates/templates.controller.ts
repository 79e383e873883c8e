import { Body, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { stringParam } from '../../common/request-context';
import { type ManagedTemplate, TemplateStore } from '../../state/template-store';
import { type FieldSpec, project, selectFields } from '../core/fields';
import { GraphAccess } from '../core/graph-access';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, GraphVersion, Principal } from '../core/graph-endpoint';
import { GraphError, GraphErrors } from '../core/graph-error';
import { type Page, paginate } from '../core/paging';
import { TemplateReviewer } from './template-reviewer';
import { validateTemplateCreate } from './template-validation';

/** Templates a WABA may hold (unverified business portfolio, reference §4). */
export const TEMPLATE_LIMIT = 250;

export const TEMPLATE_FIELDS: FieldSpec = {
  typeName: 'WhatsAppBusinessHSM',
  available: [
    'id',
    'name',
    'language',
    'status',
    'category',
    'components',
    'parameter_format',
    'rejected_reason',
    'quality_score',
    'sub_category',
    'previous_category',
  ],
  defaults: ['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'],
};

/** A template's Graph values (`quality_score` as Meta nests it). */
export function templateValues(t: ManagedTemplate): Record<string, unknown> {
  return {
    id: t.id,
    name: t.name,
    language: t.language,
    status: t.status,
    category: t.category,
    components: t.components,
    parameter_format: t.parameter_format,
    rejected_reason: t.rejected_reason,
    quality_score: { score: t.quality_score, date: Math.floor(t.created_at / 1000) },
  };
}

/**
 * Template management over Graph (reference §4): create (PENDING, reviewed asynchronously by the
 * TemplateReviewer), list with cursor paging, delete by name (all languages) or by name + hsm_id (one).
 */
@GraphController()
export class TemplatesController {
  constructor(
    private readonly access: GraphAccess,
    private readonly templates: TemplateStore,
    private readonly reviewer: TemplateReviewer,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** `POST /{waba_id}/message_templates` → `{id, status: "PENDING", category}`. */
  @Post(':id/message_templates')
  @HttpCode(200)
  @GraphEndpoint('message_templates', { auth: 'token' })
  create(@Param('id') id: string, @Body() body: unknown, @Principal() principal: GraphPrincipal) {
    const waba = this.access.waba(principal, id, { method: 'POST', edge: 'message_templates' });
    const request = validateTemplateCreate(body);
    if (this.templates.find(waba.id, request.name, request.language)) {
      throw new GraphError(100, 'Invalid parameter', {
        subcode: 2388024,
        details: `Content in this language already exists: a message template ${request.name} in ${request.language} exists in this WABA.`,
      });
    }
    if (this.templates.live(waba.id).length >= TEMPLATE_LIMIT) {
      throw GraphError.fromCode(2388019, { details: `This WABA has reached its limit of ${TEMPLATE_LIMIT} message templates.` });
    }
    const template = this.templates.add({ waba_id: waba.id, ...request, status: 'PENDING' });
    this.reviewer.schedule(template);
    return { id: template.id, status: template.status, category: template.category };
  }

  /** `GET /{waba_id}/message_templates?fields&limit&after&before&status&name&language&category`. */
  @Get(':id/message_templates')
  @GraphEndpoint('message_templates', { auth: 'token' })
  list(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Principal() principal: GraphPrincipal,
    @GraphVersion() version: string | null,
  ): Page<Record<string, unknown> & { id: string }> {
    const waba = this.access.waba(principal, id, { method: 'GET', edge: 'message_templates' });
    const fields = selectFields(stringParam(query, 'fields'), TEMPLATE_FIELDS);
    const status = stringParam(query, 'status')?.toUpperCase().split(',');
    const name = stringParam(query, 'name');
    const language = stringParam(query, 'language');
    const category = stringParam(query, 'category')?.toUpperCase().split(',');
    const items = this.templates
      .live(waba.id)
      .filter(
        (t) =>
          (status === undefined || status.includes(t.status)) &&
          (name === undefined || t.name.includes(name)) &&
          (language === undefined || t.language === language) &&
          (category === undefined || category.includes(t.category)),
      )
      .map((t) => project(templateValues(t), fields) as Record<string, unknown> & { id: string });
    return paginate(items, query, (params) => {
      const url = new URL(`${this.config.publicUrl}/${version ?? this.config.defaultGraphVersion}/${waba.id}/message_templates`);
      for (const key of ['access_token', 'fields', 'status', 'name', 'language', 'category']) {
        const value = stringParam(query, key);
        if (value !== undefined) url.searchParams.set(key, value);
      }
      for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
      return url.toString();
    });
  }

  /** `DELETE /{waba_id}/message_templates?name=<name>[&hsm_id=<id>]` → `{success: true}`. */
  @Delete(':id/message_templates')
  @GraphEndpoint('message_templates', { auth: 'token' })
  remove(@Param('id') id: string, @Query() query: Record<string, unknown>, @Principal() principal: GraphPrincipal): { success: true } {
    const waba = this.access.waba(principal, id, { method: 'DELETE', edge: 'message_templates' });
    const name = stringParam(query, 'name');
    if (name === undefined || name === '') throw GraphErrors.missingParameter('name');
    const hsmId = stringParam(query, 'hsm_id');
    const targets = this.templates.live(waba.id).filter((t) => t.name === name && (hsmId === undefined || t.id === hsmId));
    if (targets.length === 0) {
      throw GraphErrors.invalidParameter(
        hsmId === undefined
          ? `Message template "${name}" was not found.`
          : `Message template "${name}" with hsm_id ${hsmId} was not found.`,
      );
    }
    const disabled = targets.find((t) => t.status === 'DISABLED');
    if (disabled)
      throw GraphErrors.invalidParameter(`Message template "${name}" (${disabled.language}) is disabled and cannot be deleted.`);
    for (const t of targets) this.templates.markDeleted(t.id);
    return { success: true };
  }
}
