import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import type { ThroughputLevel } from './model';

/** Meta's per-number throughput by level (reference §7; NOT_APPLICABLE read as a coexistence number). */
export const THROUGHPUT_BY_LEVEL: Readonly<Record<ThroughputLevel, number>> = { STANDARD: 80, HIGH: 1000, NOT_APPLICABLE: 20 };

interface Window {
  /** Times of the last `cap` accepted sends, as a ring; `next` is the oldest. */
  times: number[];
  next: number;
}

/**
 * Sliding 1-second windows per phone number: a send is allowed when fewer than `cap` sends were
 * accepted in the last 1,000 ms (of the sandbox clock). O(1) per send.
 */
@Injectable()
export class ThroughputLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.windows.clear();
  }

  /** Takes a slot for a send, or answers false when the number is at its cap. */
  take(phoneNumberId: string, cap: number): boolean {
    const now = this.clock.now();
    let window = this.windows.get(phoneNumberId);
    if (!window || window.times.length !== cap) {
      // A new cap keeps the sends of the last second (the newest ones, when it shrinks).
      const recent = (window?.times ?? [])
        .filter((t) => t > now - 1000)
        .sort((a, b) => a - b)
        .slice(-cap);
      const times = new Array<number>(cap).fill(-Infinity);
      recent.forEach((t, i) => (times[i] = t));
      window = { times, next: recent.length % cap };
      this.windows.set(phoneNumberId, window);
    }
    const oldest = window.times[window.next] ?? -Infinity;
    if (oldest > now - 1000) return false;
    window.times[window.next] = now;
    window.next = (window.next + 1) % cap;
    return true;
  }

  /** Sends accepted in the last second, per number (control API). */
  usage(): Record<string, number> {
    const since = this.clock.now() - 1000;
    return Object.fromEntries([...this.windows].map(([id, w]) => [id, w.times.filter((t) => t > since).length]));
  }
}
