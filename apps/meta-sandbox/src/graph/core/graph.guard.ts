import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { contextOf, type SandboxRequest } from '../../common/request-context';
import { type Fault, FaultStore } from '../../state/fault-store';
import { GraphAuth } from './graph-auth';
import { GRAPH_ENDPOINT_META, type GraphEndpointMeta, NODE_ENDPOINT } from './graph-endpoint.meta';
import { GraphError } from './graph-error';
import { GraphNodeRegistry } from './node-registry';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Thrown after a fault closed the connection: nothing is left to answer (the exception filter skips it). */
export class ConnectionDropped extends Error {
  constructor() {
    super('connection dropped by an injected fault');
  }
}

/**
 * An armed fault on a call: its latency, then a dropped connection, Meta's error by code, or a bare
 * HTTP status (Meta's generic code 1, transient). Latency alone lets the call go on.
 */
export async function applyFault(fault: Fault, req: Request): Promise<void> {
  if (fault.latency_ms) await sleep(fault.latency_ms);
  if (fault.drop_connection) {
    req.socket.destroy();
    throw new ConnectionDropped();
  }
  if (fault.error_code !== undefined) {
    throw GraphError.fromCode(fault.error_code, {
      status: fault.http_status,
      subcode: fault.error_subcode,
      title: fault.message,
      details: fault.details,
    });
  }
  if (fault.http_status !== undefined) {
    throw GraphError.fromCode(1, {
      status: fault.http_status,
      subcode: fault.error_subcode,
      title: fault.message ?? 'An unknown error has occurred.',
      details: fault.details,
      isTransient: true,
    });
  }
}

/**
 * The shared front of every Graph handler: names the endpoint, injects an armed fault (latency, then
 * Meta's error), then checks the access token. Resource-level access is the handler's (GraphAccess).
 */
@Injectable()
export class GraphGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly faults: FaultStore,
    private readonly auth: GraphAuth,
    private readonly nodes: GraphNodeRegistry,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const meta = this.reflector.get<GraphEndpointMeta | undefined>(GRAPH_ENDPOINT_META, ctx.getHandler());
    if (!meta) throw new Error(`Graph handler ${ctx.getClass().name}.${ctx.getHandler().name} has no @GraphEndpoint`);
    const req = ctx.switchToHttp().getRequest<SandboxRequest>();
    const context = contextOf(req);
    const targetId = typeof req.params['id'] === 'string' ? req.params['id'] : undefined;
    const endpoint = meta.endpoint === NODE_ENDPOINT ? (this.nodes.resolve(targetId)?.endpoint ?? 'node') : meta.endpoint;
    if (context.graph) context.graph.endpoint = endpoint;

    const fault = this.faults.take(endpoint, req.method, targetId);
    if (fault) await applyFault(fault, req);

    if (meta.auth === 'token') context.principal = this.auth.authenticate(req);
    return true;
  }
}
