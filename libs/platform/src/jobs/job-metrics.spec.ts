import { DelayedError } from 'bullmq';
import { metricsRegistry } from '../observability/metrics';
import { observeJob } from './job-metrics';

async function count(status: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('kirim_jobs_total')?.get();
  return metric?.values.find((v) => v.labels.queue === 'q-spec' && v.labels.name === 'j' && v.labels.status === status)?.value ?? 0;
}

describe('job metrics', () => {
  it('counts completed, failed, and a job that moved itself to delayed as delayed (not failed)', async () => {
    const before = { completed: await count('completed'), failed: await count('failed'), delayed: await count('delayed') };
    await expect(observeJob('q-spec', 'j', async () => 'ok')).resolves.toBe('ok');
    await expect(observeJob('q-spec', 'j', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(observeJob('q-spec', 'j', async () => Promise.reject(new DelayedError()))).rejects.toBeInstanceOf(DelayedError);
    expect(await count('completed')).toBe(before.completed + 1);
    expect(await count('failed')).toBe(before.failed + 1);
    expect(await count('delayed')).toBe(before.delayed + 1);
  });
});
