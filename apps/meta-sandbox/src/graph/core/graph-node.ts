import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SandboxState } from '../../state/sandbox-state';
import type { GraphEndpointName } from './endpoints';
import { GraphAccess } from './graph-access';
import { GraphNodeRegistry, type GraphNodeType, type NodeCall } from './node-registry';

/**
 * Base of every `/{id}` node type: the state and access checks it reads through, and registration with
 * the {@link GraphNodeRegistry} when its module starts. Subclasses say what they are and how to read.
 */
@Injectable()
export abstract class GraphNode implements GraphNodeType, OnModuleInit {
  abstract readonly typeName: string;
  abstract readonly endpoint: GraphEndpointName;

  constructor(
    protected readonly state: SandboxState,
    protected readonly access: GraphAccess,
    private readonly registry: GraphNodeRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  abstract exists(id: string): boolean;
  abstract read(call: NodeCall): Record<string, unknown>;
}
