import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../observability/metrics';

const jobsTotal = new Counter({
  name: 'kirim_jobs_total',
  help: 'Jobs processed by the worker, by queue, job name and outcome',
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
    jobsTotal.inc({ queue, name, status: 'failed' });
    throw error;
  } finally {
    end();
  }
}
