import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { graphId } from '../common/ids';
import type { SandboxTemplate, TemplateCategory, TemplateStatus } from './messaging-model';
import { StateError } from './sandbox-state';

export interface NewTemplate {
  waba_id: string;
  name: string;
  language: string;
  category?: TemplateCategory;
  status?: TemplateStatus;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  components?: Record<string, unknown>[];
}

export type TemplatePatch = Partial<
  Pick<ManagedTemplate, 'status' | 'category' | 'components' | 'parameter_format' | 'rejected_reason' | 'quality_score'>
>;

/** A template as the store keeps it: Meta's stored shape plus what review and quality add. */
export interface ManagedTemplate extends SandboxTemplate {
  /** Meta's `rejected_reason` (`NONE` unless rejected). */
  rejected_reason: string;
  /** Meta's `quality_score.score`: GREEN, YELLOW, RED or UNKNOWN. */
  quality_score: string;
  /** Set when deleted over Graph: the template stays known (sends of it get 132001) until re-created. */
  deleted_at: number | null;
}

/** What happens to a template created over Graph: approved or rejected after `delay_ms`, or held `PENDING`. */
export type ReviewOutcome = 'approve' | 'reject' | 'hold';

export interface ReviewRule {
  outcome: ReviewOutcome;
  delay_ms: number;
  /** The rejection `reason` of the webhook (Meta's enum: INVALID_FORMAT, PROMOTIONAL, …). */
  reason: string;
}

export interface ReviewBehaviour extends ReviewRule {
  /** Per template name, overriding the default rule. */
  by_name: Record<string, ReviewRule>;
}

export const DEFAULT_REVIEW: ReviewBehaviour = { outcome: 'approve', delay_ms: 1_000, reason: 'INVALID_FORMAT', by_name: {} };

/**
 * Message templates of the WABAs, created through the control API (APPROVED by default) or over Graph
 * (`POST /{waba_id}/message_templates`: PENDING, then reviewed by the TemplateReviewer after the review
 * behaviour's delay). Template sends are checked against them (status, language, parameter count).
 * `generation` changes on reset, so reviews scheduled before it never land.
 */
@Injectable()
export class TemplateStore {
  private readonly templates = new Map<string, ManagedTemplate>();
  private reviewBehaviour: ReviewBehaviour = structuredClone(DEFAULT_REVIEW);
  generation = 0;

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.templates.clear();
    this.reviewBehaviour = structuredClone(DEFAULT_REVIEW);
    this.generation += 1;
  }

  get review(): ReviewBehaviour {
    return structuredClone(this.reviewBehaviour);
  }

  setReview(patch: Partial<ReviewRule> & { by_name?: Record<string, Partial<ReviewRule> | null> }): ReviewBehaviour {
    const next = this.reviewBehaviour;
    if (patch.outcome !== undefined) next.outcome = patch.outcome;
    if (patch.delay_ms !== undefined) next.delay_ms = patch.delay_ms;
    if (patch.reason !== undefined) next.reason = patch.reason;
    for (const [name, rule] of Object.entries(patch.by_name ?? {})) {
      if (rule === null) delete next.by_name[name];
      else
        next.by_name[name] = {
          outcome: rule.outcome ?? next.outcome,
          delay_ms: rule.delay_ms ?? next.delay_ms,
          reason: rule.reason ?? next.reason,
        };
    }
    return this.review;
  }

  /** The rule for a template of that name. */
  ruleFor(name: string): ReviewRule {
    const { by_name, ...rule } = this.reviewBehaviour;
    return { ...(by_name[name] ?? rule) };
  }

  add(input: NewTemplate): ManagedTemplate {
    const existing = this.find(input.waba_id, input.name, input.language);
    if (existing) {
      throw new StateError('conflict', `template ${input.name} (${input.language}) already exists in WABA ${input.waba_id}`);
    }
    // A deleted template of that name and language is replaced by the new one (its id is not reused).
    const deleted = this.findDeleted(input.waba_id, input.name, input.language);
    if (deleted) this.templates.delete(deleted.id);
    let id = graphId();
    while (this.templates.has(id)) id = graphId();
    const template: ManagedTemplate = {
      id,
      waba_id: input.waba_id,
      name: input.name,
      language: input.language,
      category: input.category ?? 'UTILITY',
      status: input.status ?? 'APPROVED',
      parameter_format: input.parameter_format ?? 'POSITIONAL',
      components: input.components ?? [{ type: 'BODY', text: `Template ${input.name}` }],
      created_at: this.clock.now(),
      rejected_reason: 'NONE',
      quality_score: 'UNKNOWN',
      deleted_at: null,
    };
    this.templates.set(id, template);
    return template;
  }

  /** A template by id, deleted ones included. */
  get(id: string): ManagedTemplate | undefined {
    return this.templates.get(id);
  }

  require(id: string): ManagedTemplate {
    const template = this.templates.get(id);
    if (!template) throw new StateError('not_found', `template ${id} does not exist`);
    return template;
  }

  update(id: string, patch: TemplatePatch): ManagedTemplate {
    const template = this.require(id);
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (template as unknown as Record<string, unknown>)[key] = value;
    }
    return template;
  }

  remove(id: string): boolean {
    return this.templates.delete(id);
  }

  /** Deleted over Graph: status DELETED, kept so that a send of it is refused. */
  markDeleted(id: string): ManagedTemplate {
    const template = this.require(id);
    template.status = 'DELETED';
    template.deleted_at = this.clock.now();
    return template;
  }

  /** Every template of the WABA (or of all WABAs), deleted ones included, oldest first. */
  list(wabaId?: string): ManagedTemplate[] {
    return [...this.templates.values()].filter((t) => wabaId === undefined || t.waba_id === wabaId);
  }

  /** The WABA's templates that are not deleted, oldest first: what Graph lists. */
  live(wabaId: string): ManagedTemplate[] {
    return this.list(wabaId).filter((t) => t.deleted_at === null);
  }

  /** The WABA's live template of that name: in that language when given, else any language. */
  find(wabaId: string, name: string, language?: string): ManagedTemplate | undefined {
    return this.live(wabaId).find((t) => t.name === name && (language === undefined || t.language === language));
  }

  private findDeleted(wabaId: string, name: string, language: string): ManagedTemplate | undefined {
    return this.list(wabaId).find((t) => t.deleted_at !== null && t.name === name && t.language === language);
  }
}
