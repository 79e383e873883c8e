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

export type TemplatePatch = Partial<Pick<SandboxTemplate, 'status' | 'category' | 'components' | 'parameter_format'>>;

/**
 * Message templates of the WABAs, created through the control API. Template sends are checked against
 * them (status, language, parameter count); template management over Graph can build on this store.
 */
@Injectable()
export class TemplateStore {
  private readonly templates = new Map<string, SandboxTemplate>();

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.templates.clear();
  }

  add(input: NewTemplate): SandboxTemplate {
    if (this.find(input.waba_id, input.name, input.language)) {
      throw new StateError('conflict', `template ${input.name} (${input.language}) already exists in WABA ${input.waba_id}`);
    }
    let id = graphId();
    while (this.templates.has(id)) id = graphId();
    const template: SandboxTemplate = {
      id,
      waba_id: input.waba_id,
      name: input.name,
      language: input.language,
      category: input.category ?? 'UTILITY',
      status: input.status ?? 'APPROVED',
      parameter_format: input.parameter_format ?? 'POSITIONAL',
      components: input.components ?? [{ type: 'BODY', text: `Template ${input.name}` }],
      created_at: this.clock.now(),
    };
    this.templates.set(id, template);
    return template;
  }

  get(id: string): SandboxTemplate | undefined {
    return this.templates.get(id);
  }

  require(id: string): SandboxTemplate {
    const template = this.templates.get(id);
    if (!template) throw new StateError('not_found', `template ${id} does not exist`);
    return template;
  }

  update(id: string, patch: TemplatePatch): SandboxTemplate {
    const template = this.require(id);
    for (const [key, value] of Object.entries(patch)) {
      if (value !== undefined) (template as unknown as Record<string, unknown>)[key] = value;
    }
    return template;
  }

  remove(id: string): boolean {
    return this.templates.delete(id);
  }

  list(wabaId?: string): SandboxTemplate[] {
    return [...this.templates.values()].filter((t) => wabaId === undefined || t.waba_id === wabaId);
  }

  /** The WABA's template of that name: in that language when given, else any language. */
  find(wabaId: string, name: string, language?: string): SandboxTemplate | undefined {
    return [...this.templates.values()].find(
      (t) => t.waba_id === wabaId && t.name === name && (language === undefined || t.language === language),
    );
  }
}
