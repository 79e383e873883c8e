export * from './idempotency-key';
export * from './idempotency.service';
export * from './idempotency.interceptor';
