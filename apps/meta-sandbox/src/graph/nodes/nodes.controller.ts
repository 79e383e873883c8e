import { Body, Delete, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import type { SandboxRequest } from '../../common/request-context';
import type { GraphPrincipal } from '../core/graph-auth';
import { GraphController, GraphEndpoint, NODE_ENDPOINT, Principal } from '../core/graph-endpoint';
import { GraphErrors } from '../core/graph-error';
import { GraphNodeRegistry, type GraphNodeType, type NodeCall } from '../core/node-registry';

/**
 * `GET|POST|DELETE /{id}`: dispatched to the registered node type that knows the id. Registered after
 * every other Graph controller (its module is imported last) so literal paths such as `/debug_token`
 * win over `/:id`.
 */
@GraphController()
export class NodesController {
  constructor(private readonly registry: GraphNodeRegistry) {}

  @Get(':id')
  @GraphEndpoint(NODE_ENDPOINT, { auth: 'token' })
  read(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Principal() principal: GraphPrincipal,
    @Req() req: SandboxRequest,
  ) {
    return this.type(id, 'GET').read(this.call(id, query, undefined, principal, req));
  }

  @Post(':id')
  @HttpCode(200)
  @GraphEndpoint(NODE_ENDPOINT, { auth: 'token' })
  update(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Body() body: unknown,
    @Principal() principal: GraphPrincipal,
    @Req() req: SandboxRequest,
  ) {
    const type = this.type(id, 'POST');
    if (!type.update) throw GraphErrors.unsupportedRequest('POST', id);
    return type.update(this.call(id, query, body, principal, req));
  }

  @Delete(':id')
  @GraphEndpoint(NODE_ENDPOINT, { auth: 'token' })
  remove(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Principal() principal: GraphPrincipal,
    @Req() req: SandboxRequest,
  ) {
    const type = this.type(id, 'DELETE');
    if (!type.remove) throw GraphErrors.unsupportedRequest('DELETE', id);
    return type.remove(this.call(id, query, undefined, principal, req));
  }

  private type(id: string, method: string): GraphNodeType {
    const type = this.registry.resolve(id);
    if (!type) throw GraphErrors.unsupportedRequest(method, id);
    return type;
  }

  private call(id: string, query: Record<string, unknown>, body: unknown, principal: GraphPrincipal, req: SandboxRequest): NodeCall {
    return { id, query, body, principal, req };
  }
}
