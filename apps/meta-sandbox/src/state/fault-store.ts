import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { opaque } from '../common/ids';

/** A fault to inject into Graph calls (`POST /_sandbox/faults`). */
export interface FaultSpec {
  /** A Graph endpoint name (see GRAPH_ENDPOINTS) or `*`. */
  endpoint: string;
  /** Only this HTTP method (e.g. `DELETE` on subscribed_apps); default any. */
  method?: string;
  /** Only calls about this object id (the `{id}` of the path); default any. */
  target_id?: string;
  /** Meta error code to answer with; without it the fault only adds latency. */
  error_code?: number;
  error_subcode?: number;
  /** Default: the reference table's status for the code, else 400. */
  http_status?: number;
  /** Title in `(#code) title`; default the catalogue's. */
  message?: string;
  /** `error_data.details`. */
  details?: string;
  /** How many matching calls it affects; default every call until cleared. */
  times?: number;
  /** Delay before answering (or before failing). */
  latency_ms?: number;
  /** Probability in (0, 1] that a matching call is affected (an error rate); default 1. `times` still caps it. */
  rate?: number;
  /**
   * `messages` only: accept the send (200 with a wamid) and report `error_code` later, as a `failed`
   * status webhook (how Meta reports 131047, 131049, 131026… most of the time).
   */
  async?: boolean;
  /** `messages` only: only sends to this recipient (compared as digits of `to`). */
  recipient?: string;
  /** With `async`: post a `sent` status before the `failed` one. */
  sent_first?: boolean;
  /** Close the connection without an answer (after `latency_ms`): the client sees a reset or its own timeout. */
  drop_connection?: boolean;
}

/**
 * When a fault is looked for: `request` = the Graph guard, before the token check (plain faults);
 * `send` = the messages handler, once a send is valid (faults with `async` or `recipient`).
 */
export type FaultStage = 'request' | 'send';

export interface Fault extends FaultSpec {
  id: string;
  /** Calls left, null = unlimited. */
  remaining: number | null;
  hits: number;
  created_at: string;
}

/** Faults armed through the control API; the Graph guard takes one per matching call. */
@Injectable()
export class FaultStore {
  private faults: Fault[] = [];

  constructor(private readonly clock: Clock) {}

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      ...spec,
      method: spec.method?.toUpperCase(),
      ...(spec.recipient !== undefined && { recipient: spec.recipient.replace(/\D/g, '') }),
      id: opaque('flt_', 9),
      remaining: spec.times ?? null,
      hits: 0,
      created_at: new Date(this.clock.now()).toISOString(),
    };
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): number {
    const count = this.faults.length;
    this.faults = [];
    return count;
  }

  /**
   * The first fault matching this call (and winning its `rate` draw), consumed once (dropped when its
   * `times` are used up).
   */
  take(
    endpoint: string,
    method: string,
    targetId: string | undefined,
    options: { stage?: FaultStage; recipient?: string } = {},
  ): Fault | undefined {
    const stage = options.stage ?? 'request';
    const fault = this.faults.find(
      (f) =>
        (f.endpoint === '*' || f.endpoint === endpoint) &&
        (f.method === undefined || f.method === method.toUpperCase()) &&
        (f.target_id === undefined || f.target_id === targetId) &&
        (stage === 'send') === (f.async === true || f.recipient !== undefined) &&
        (f.recipient === undefined || f.recipient === options.recipient) &&
        (f.rate === undefined || f.rate >= 1 || Math.random() < f.rate),
    );
    if (!fault) return undefined;
    fault.hits += 1;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }
}
