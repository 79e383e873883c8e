import { Injectable } from '@nestjs/common';
import type { Business, PhoneNumber, Waba } from '../../state/model';
import { SandboxState } from '../../state/sandbox-state';
import type { GraphPrincipal } from './graph-auth';
import { type GraphError, GraphErrors } from './graph-error';
import { GraphNodeRegistry } from './node-registry';

/** How an object was addressed: `GET /{id}` (no edge) or `POST /{id}/register` (edge `register`). */
export interface Addressing {
  method: string;
  edge?: string;
}

/**
 * Resource checks shared by the Graph families: the object exists and is of the expected type (else
 * Meta's error 100), and the token may manage it (else the permission error 200, HTTP 403).
 */
@Injectable()
export class GraphAccess {
  constructor(
    private readonly state: SandboxState,
    private readonly nodes: GraphNodeRegistry,
  ) {}

  /** WABA ids the principal may manage. */
  wabaIds(principal: GraphPrincipal): readonly string[] {
    return principal.kind === 'business' ? principal.token.waba_ids : [];
  }

  waba(principal: GraphPrincipal, id: string, how: Addressing): Waba {
    const waba = this.state.getWaba(id);
    if (!waba) throw this.missing(id, how);
    if (!this.wabaIds(principal).includes(waba.id)) throw GraphErrors.noAccess('WhatsApp Business Account', waba.id);
    return waba;
  }

  phoneNumber(principal: GraphPrincipal, id: string, how: Addressing): PhoneNumber {
    const phone = this.state.getPhoneNumber(id);
    if (!phone) throw this.missing(id, how);
    if (!this.wabaIds(principal).includes(phone.waba_id)) throw GraphErrors.noAccess('phone number', phone.id);
    return phone;
  }

  business(principal: GraphPrincipal, id: string, how: Addressing): Business {
    const business = this.state.getBusiness(id);
    if (!business) throw this.missing(id, how);
    if (principal.kind !== 'business' || principal.token.business_id !== business.id) throw GraphErrors.noAccess('business', business.id);
    return business;
  }

  /** Unknown id → "Unsupported … request"; an id of another type with an edge → "nonexisting field". */
  missing(id: string, how: Addressing): GraphError {
    const other = this.nodes.resolve(id);
    if (other && how.edge) return GraphErrors.nonexistingField(how.edge, other.typeName);
    return GraphErrors.unsupportedRequest(how.method, id);
  }
}
