import { Injectable } from '@nestjs/common';
import { stringParam } from '../../common/request-context';
import type { Waba } from '../../state/model';
import { type FieldSpec, project, selectFields } from '../core/fields';
import { GraphNode } from '../core/graph-node';
import type { NodeCall } from '../core/node-registry';

export const WABA_FIELDS: FieldSpec = {
  typeName: 'WhatsAppBusinessAccount',
  available: [
    'id',
    'name',
    'currency',
    'timezone_id',
    'message_template_namespace',
    'account_review_status',
    'business_verification_status',
    'country',
    'ownership_type',
    'owner_business_info',
  ],
  defaults: ['id', 'name'],
};

/** `GET /{waba_id}` (reference §2.4). */
@Injectable()
export class WabaNode extends GraphNode {
  readonly typeName = WABA_FIELDS.typeName;
  readonly endpoint = 'waba' as const;

  exists(id: string): boolean {
    return this.state.getWaba(id) !== undefined;
  }

  read({ id, principal, query }: NodeCall): Record<string, unknown> {
    const waba = this.access.waba(principal, id, { method: 'GET' });
    return project(this.values(waba), selectFields(stringParam(query, 'fields'), WABA_FIELDS));
  }

  private values(waba: Waba): Record<string, unknown> {
    const owner = this.state.getBusiness(waba.business_id);
    return {
      id: waba.id,
      name: waba.name,
      currency: waba.currency,
      timezone_id: waba.timezone_id,
      message_template_namespace: waba.message_template_namespace,
      account_review_status: waba.account_review_status,
      business_verification_status: waba.business_verification_status,
      country: waba.country ?? undefined,
      ownership_type: waba.ownership_type,
      owner_business_info: owner ? { name: owner.name, id: owner.id } : undefined,
    };
  }
}

export const BUSINESS_FIELDS: FieldSpec = {
  typeName: 'Business',
  available: ['id', 'name', 'verification_status', 'created_time'],
  defaults: ['id', 'name'],
};

/** `GET /{business_id}` (the customer's business portfolio). */
@Injectable()
export class BusinessNode extends GraphNode {
  readonly typeName = BUSINESS_FIELDS.typeName;
  readonly endpoint = 'business' as const;

  exists(id: string): boolean {
    return this.state.getBusiness(id) !== undefined;
  }

  read({ id, principal, query }: NodeCall): Record<string, unknown> {
    const business = this.access.business(principal, id, { method: 'GET' });
    const values = {
      id: business.id,
      name: business.name,
      verification_status: 'not_verified',
      created_time: new Date(business.created_at).toISOString().replace(/\.\d{3}Z$/, '+0000'),
    };
    return project(values, selectFields(stringParam(query, 'fields'), BUSINESS_FIELDS));
  }
}
