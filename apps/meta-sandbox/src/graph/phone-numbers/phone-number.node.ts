import { Inject, Injectable } from '@nestjs/common';
import type { SandboxConfig } from '../../app/config';
import { SANDBOX_CONFIG } from '../../app/tokens';
import { stringParam } from '../../common/request-context';
import { SandboxState } from '../../state/sandbox-state';
import { project, selectFields } from '../core/fields';
import { GraphAccess } from '../core/graph-access';
import { GraphNode } from '../core/graph-node';
import { GraphErrors } from '../core/graph-error';
import { GraphNodeRegistry, type NodeCall } from '../core/node-registry';
import { requirePin } from './phone-numbers.controller';
import { PHONE_NUMBER_FIELDS, PHONE_NUMBER_TYPE, phoneNumberValues } from './phone-number.view';

/** `GET /{phone_number_id}` (reference §2.4) and `POST /{phone_number_id} {pin}` (change the two-step PIN). */
@Injectable()
export class PhoneNumberNode extends GraphNode {
  readonly typeName = PHONE_NUMBER_TYPE;
  readonly endpoint = 'phone_number' as const;

  constructor(
    state: SandboxState,
    access: GraphAccess,
    registry: GraphNodeRegistry,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {
    super(state, access, registry);
  }

  exists(id: string): boolean {
    return this.state.getPhoneNumber(id) !== undefined;
  }

  read({ id, principal, query }: NodeCall): Record<string, unknown> {
    const phone = this.access.phoneNumber(principal, id, { method: 'GET' });
    const fields = selectFields(stringParam(query, 'fields'), PHONE_NUMBER_FIELDS);
    return project(phoneNumberValues(phone, this.state.getWaba(phone.waba_id), this.config.appId), fields);
  }

  update({ id, principal, body }: NodeCall): Record<string, unknown> {
    const phone = this.access.phoneNumber(principal, id, { method: 'POST' });
    if (stringParam(body, 'pin') === undefined) throw GraphErrors.invalidParameter('Nothing to update: send pin.');
    phone.pin = requirePin(body);
    return { success: true };
  }
}
