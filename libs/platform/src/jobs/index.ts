export * from './queue-definition';
export * from './after-commit';
export * from './job-queue';
export * from './job-metrics';
export * from './job-schedules';
export * from './job-sweeper';
export * from './queue-processor';
export * from './jobs.module';
