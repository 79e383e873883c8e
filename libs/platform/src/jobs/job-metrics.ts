import { DelayedError, RateLimitError } from 'bullmq';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics';

const jobsTotal = new Counter({
  name: 'kirim_jobs_total',
  help: 'Jobs processed by the worker, by queue, job name and outcome (completed, failed, or delayed: moved back to wait by the job itself)',
  labelNames: ['queue', 'name', 'status'] as const,
  registers: [metricsRegistry],
});

const jobDuration = new Histogram({
  name: 'kirim_job_duration_seconds',
  help: 'Job processing time by queue and job name',
  labelNames: ['queue', 'name'] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  registers: [metricsRegistry],
});

/** Runs one job's work, counting its outcome and timing it on the worker's /metrics. */
export async function observeJob<T>(queue: string, name: string, work: () => Promise<T>): Promise<T> {
  const end = jobDuration.startTimer({ queue, name });
  try {
    const result = await work();
    jobsTotal.inc({ queue, name, status: 'completed' });
    return result;
  } catch (error) {
    // A job that moves itself to delayed (a dispatch paced to its number's next slot) has not failed.
    const delayed = error instanceof DelayedError || error instanceof RateLimitError;
    jobsTotal.inc({ queue, name, status: delayed ? 'delayed' : 'failed' });
    throw error;
  } finally {
    end();
  }
}
