import { Injectable } from '@nestjs/common';

/** One request the sandbox received (`GET /_sandbox/requests`). Secrets are cut to their last 4. */
export interface RequestLogEntry {
  id: number;
  method: string;
  /** Path as received, version segment included, without the query string. */
  path: string;
  query: Record<string, unknown>;
  headers: Record<string, string | string[]>;
  body: unknown;
  /** ISO time of arrival. */
  time: string;
  /** HTTP status of the answer; null while the request is in flight. */
  status: number | null;
  /** Graph endpoint name (e.g. `register`), when the request reached a Graph route. */
  endpoint: string | null;
  graph_version: string | null;
  fbtrace_id: string;
}

export interface RequestLogFilter {
  path_contains?: string;
  method?: string;
  endpoint?: string;
  /** Only requests received at or after this ISO time. */
  since?: string;
  /** At most this many, the most recent ones. */
  limit?: number;
}

/** Capacity of the log; older entries are dropped first (benchmarks send a lot). */
export const REQUEST_LOG_CAPACITY = 5000;

/** What is only known once the request has been handled. */
export type LateFields = Pick<RequestLogEntry, 'status' | 'endpoint'>;

interface StoredEntry {
  entry: RequestLogEntry;
  /** Reads the late fields while the request is in flight; dropped by {@link RequestLog.settle}. */
  live?: () => LateFields;
}

@Injectable()
export class RequestLog {
  private entries: StoredEntry[] = [];
  private sequence = 0;

  /** Adds an entry whose `status`/`endpoint` are read from `live` until {@link settle} fixes them. */
  add(entry: Omit<RequestLogEntry, 'id' | 'status' | 'endpoint'>, live: () => LateFields): number {
    this.sequence += 1;
    this.entries.push({ entry: { id: this.sequence, ...entry, status: null, endpoint: null }, live });
    if (this.entries.length > REQUEST_LOG_CAPACITY) this.entries.splice(0, this.entries.length - REQUEST_LOG_CAPACITY);
    return this.sequence;
  }

  settle(id: number): void {
    let stored: StoredEntry | undefined;
    for (let i = this.entries.length - 1; i >= 0 && !stored; i -= 1) if (this.entries[i]?.entry.id === id) stored = this.entries[i];
    if (!stored?.live) return;
    Object.assign(stored.entry, stored.live());
    delete stored.live;
  }

  list(filter: RequestLogFilter = {}): RequestLogEntry[] {
    return this.filter(
      this.entries.map((s) => (s.live ? { ...s.entry, ...s.live() } : { ...s.entry })),
      filter,
    );
  }

  private filter(entries: RequestLogEntry[], filter: RequestLogFilter): RequestLogEntry[] {
    const method = filter.method?.toUpperCase();
    const since = filter.since === undefined ? undefined : Date.parse(filter.since);
    const matches = entries.filter(
      (e) =>
        (filter.path_contains === undefined || e.path.includes(filter.path_contains)) &&
        (method === undefined || e.method === method) &&
        (filter.endpoint === undefined || e.endpoint === filter.endpoint) &&
        (since === undefined || Date.parse(e.time) >= since),
    );
    return filter.limit === undefined ? matches : matches.slice(-filter.limit);
  }

  clear(): void {
    this.entries = [];
  }
}
