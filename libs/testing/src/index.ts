// Test harness: real PostgreSQL and Redis, a database per test file, in-process apps.
export * from './test-database';
export * from './test-env';
export * from './test-app';
export * from './session';
export * from './meta-sandbox';
export * from './fake-principal.guard';
export * from './ports';
export * from './snapshot';
