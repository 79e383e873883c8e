export * from './list-query.dto';
export * from './cursor';
export * from './keyset';
export * from './paginator';
