export * from './platform-queues';
export * from './platform-maintenance.processor';
export * from './platform-jobs.module';
