export * from './token-bucket';
export * from './token-bucket-limiter';
export * from './rate-limiter';
export * from './rate-limit.interceptor';
export * from './rate-limit-headers';
