import type { BackoffOptions, KeepJobs } from 'bullmq';

declare const PAYLOAD: unique symbol;

/** One job of a queue: its payload type (a phantom, checked by the compiler) and an optional repeat schedule. */
export interface JobSpec<P> {
  readonly [PAYLOAD]?: P;
  /** Run this job every N ms (a BullMQ job scheduler registered by the worker that processes the queue). */
  readonly everyMs?: number;
}

/** Declares a job with payload type `P` (`{}` jobs by default): `job<{ messageId: string }>()`. */
export function job<P extends object = Record<string, never>>(options: { everyMs?: number } = {}): JobSpec<P> {
  return options.everyMs === undefined ? {} : { everyMs: options.everyMs };
}

/** A queue's behaviour, declared once next to its jobs: how the worker processes it and how jobs are retried and kept. */
export interface QueueSettings {
  /** Jobs processed at once by one worker process. */
  concurrency: number;
  /** At most `max` jobs per `duration` ms across every worker process (BullMQ's global limiter). */
  limiter?: { max: number; duration: number };
  /** Tries per job before it fails (1 = no retry). */
  attempts: number;
  backoff?: BackoffOptions;
  /** How many finished jobs Redis keeps (for inspection and deduplication by job id). */
  removeOnComplete: KeepJobs;
  removeOnFail: KeepJobs;
}

/** A queue's jobs. (Constrained without the payload phantom, so `job<P>()` infers its own P, not the constraint's.) */
export type JobSpecs = Record<string, { readonly everyMs?: number }>;

/** A queue of the registry: its name, its jobs (name → payload) and its settings. */
export interface QueueDefinition<N extends string = string, J extends JobSpecs = JobSpecs> {
  readonly name: N;
  readonly jobs: J;
  readonly settings: QueueSettings;
}

/**
 * Declares a queue. The one registry of queues (`@kirim/contracts`' `QUEUES`) lists every definition;
 * the owning context processes it (a {@link QueueProcessor} in its `jobs/`), producers inject it by token
 * (`@InjectJobQueue(QUEUES.x)`).
 */
export function defineQueue<const N extends string, const J extends JobSpecs>(
  name: N,
  jobs: J,
  settings: QueueSettings,
): QueueDefinition<N, J> {
  return { name, jobs, settings };
}

export type JobNameOf<D extends QueueDefinition> = keyof D['jobs'] & string;
export type PayloadOf<D extends QueueDefinition, K extends JobNameOf<D>> = D['jobs'][K] extends JobSpec<infer P> ? P : never;

/** Maintenance queues: one try per run (the next scheduled run is the retry), a short history. */
export const MAINTENANCE_QUEUE_SETTINGS: QueueSettings = {
  concurrency: 1,
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
};
