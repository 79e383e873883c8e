// Typed registries shared by producers and consumers, and resource shapes that cross contexts.
export * from './resources/resources';
export * from './events/event-registry';
export * from './events/event-writer';
export * from './jobs/job-registry';
export * from './contracts.module';
