import { Injectable } from '@nestjs/common';
import { stringParam } from '../../common/request-context';
import { SandboxState } from '../../state/sandbox-state';
import { TemplateStore } from '../../state/template-store';
import { project, selectFields } from '../core/fields';
import { GraphAccess } from '../core/graph-access';
import { GraphNode } from '../core/graph-node';
import { GraphNodeRegistry, type NodeCall } from '../core/node-registry';
import { TEMPLATE_FIELDS, templateValues } from './templates.controller';

/** `GET /{template_id}?fields=` (reference §4); a deleted template is no longer an object. */
@Injectable()
export class TemplateNode extends GraphNode {
  readonly typeName = TEMPLATE_FIELDS.typeName;
  readonly endpoint = 'message_templates' as const;

  constructor(
    state: SandboxState,
    access: GraphAccess,
    registry: GraphNodeRegistry,
    private readonly templates: TemplateStore,
  ) {
    super(state, access, registry);
  }

  exists(id: string): boolean {
    const template = this.templates.get(id);
    return template !== undefined && template.deleted_at === null;
  }

  read({ id, principal, query }: NodeCall): Record<string, unknown> {
    const template = this.templates.require(id);
    // The token must manage the template's WABA (else the permission error 200).
    this.access.waba(principal, template.waba_id, { method: 'GET' });
    return project(templateValues(template), selectFields(stringParam(query, 'fields'), TEMPLATE_FIELDS));
  }
}
