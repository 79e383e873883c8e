import { Injectable } from '@nestjs/common';
import type { SandboxRequest } from '../../common/request-context';
import type { GraphPrincipal } from './graph-auth';
import type { GraphEndpointName } from './endpoints';

/** What a handler of `/{id}` receives. */
export interface NodeCall {
  id: string;
  principal: GraphPrincipal;
  query: Record<string, unknown>;
  body: unknown;
  req: SandboxRequest;
}

/**
 * One kind of Graph object reachable as `/{id}` (phone number, WABA, business; later media and
 * templates). Families register theirs with {@link GraphNodeRegistry} when their module starts; the
 * nodes controller dispatches `GET|POST|DELETE /{id}` to the type that knows the id.
 */
export interface GraphNodeType {
  /** Meta's node type name, used in errors (`WhatsAppBusinessPhoneNumber`). */
  readonly typeName: string;
  /** Endpoint name for faults and the request log. */
  readonly endpoint: GraphEndpointName;
  exists(id: string): boolean;
  read(call: NodeCall): Record<string, unknown>;
  update?(call: NodeCall): Record<string, unknown>;
  remove?(call: NodeCall): Record<string, unknown>;
}

@Injectable()
export class GraphNodeRegistry {
  private readonly types: GraphNodeType[] = [];

  register(type: GraphNodeType): void {
    if (!this.types.includes(type)) this.types.push(type);
  }

  resolve(id: string | undefined): GraphNodeType | undefined {
    if (!id) return undefined;
    return this.types.find((t) => t.exists(id));
  }
}
