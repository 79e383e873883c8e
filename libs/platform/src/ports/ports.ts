import { type DynamicModule, Global, type InjectionToken, Module, type ModuleMetadata, type Provider, type Type } from '@nestjs/common';

/**
 * A port between contexts: a lower context declares what it needs from a higher one as an injection token
 * with no default implementation; the app that composes both binds it once ({@link bindPorts}). An app that
 * forgets a binding refuses to start, with Nest's "can't resolve dependencies" error naming the port.
 */
export type Port<T> = symbol & { readonly __port?: T };

export function definePort<T>(name: string): Port<T> {
  return Symbol(`${name} port`) as Port<T>;
}

/** One binding: the port and the provider (class, existing provider or value) that answers it. */
export type PortBinding<T = unknown> =
  | { port: Port<T>; useExisting: InjectionToken }
  | { port: Port<T>; useClass: Type<T> }
  | { port: Port<T>; useValue: T };

function toProvider(binding: PortBinding): Provider {
  if ('useExisting' in binding) return { provide: binding.port, useExisting: binding.useExisting };
  if ('useClass' in binding) return { provide: binding.port, useClass: binding.useClass };
  return { provide: binding.port, useValue: binding.useValue };
}

@Global()
@Module({})
class PortBindingsModule {}

/**
 * Binds ports where an app is composed (`imports: [bindPorts({ imports: [TenancyModule], bindings: [...] })]`).
 * `imports` are the modules whose exported providers answer the ports. The bindings are global, so the
 * context that declared a port injects it (`@Inject(CUSTOMER_DIRECTORY)`) without importing its answerer.
 */
export function bindPorts(options: { imports?: ModuleMetadata['imports']; bindings: PortBinding[] }): DynamicModule {
  const providers = options.bindings.map(toProvider);
  return {
    module: PortBindingsModule,
    imports: options.imports ?? [],
    providers,
    exports: options.bindings.map((b) => b.port),
  };
}
