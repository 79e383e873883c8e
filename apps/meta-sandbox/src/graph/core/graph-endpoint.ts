import { applyDecorators, Controller, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import { contextOf, type SandboxRequest } from '../../common/request-context';
import { GRAPH_ENDPOINT_META, GRAPH_PREFIX, type GraphEndpointMeta } from './graph-endpoint.meta';
import type { GraphPrincipal } from './graph-auth';
import { GraphGuard } from './graph.guard';

export { GRAPH_PREFIX, NODE_ENDPOINT } from './graph-endpoint.meta';

/** A controller of a Graph resource family: routed under {@link GRAPH_PREFIX}, behind the {@link GraphGuard}. */
export function GraphController(): ClassDecorator {
  return applyDecorators(Controller(GRAPH_PREFIX), UseGuards(GraphGuard));
}

/** Names a Graph handler for faults and the request log, and says whether it needs a token. */
export function GraphEndpoint(endpoint: GraphEndpointMeta['endpoint'], options: { auth: GraphEndpointMeta['auth'] }): MethodDecorator {
  return SetMetadata(GRAPH_ENDPOINT_META, { endpoint, auth: options.auth } satisfies GraphEndpointMeta);
}

/** The authenticated caller (handlers marked `auth: 'token'`). */
export const Principal = createParamDecorator((_data: unknown, ctx: ExecutionContext): GraphPrincipal => {
  const principal = contextOf(ctx.switchToHttp().getRequest<SandboxRequest>()).principal;
  if (!principal) throw new Error('no principal: the handler is not marked auth: token');
  return principal;
});

/** The version segment of the request (`v25.0`), or null when omitted. */
export const GraphVersion = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string | null =>
    contextOf(ctx.switchToHttp().getRequest<SandboxRequest>()).graph?.version ?? null,
);
