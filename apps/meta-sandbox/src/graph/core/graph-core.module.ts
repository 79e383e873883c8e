import { Global, Module } from '@nestjs/common';
import { GraphAccess } from './graph-access';
import { GraphAuth } from './graph-auth';
import { GraphGuard } from './graph.guard';
import { GraphNodeRegistry } from './node-registry';

/** The shared Graph layer: token checks, resource access, the node registry and the guard. */
@Global()
@Module({
  providers: [GraphAuth, GraphAccess, GraphNodeRegistry, GraphGuard],
  exports: [GraphAuth, GraphAccess, GraphNodeRegistry, GraphGuard],
})
export class GraphCoreModule {}
