/**
 * Per-number pacing (spec 04 § Sending rules): a number never sends faster than its throughput. Slots are
 * spaced evenly (GCRA without burst), `intervalMs` apart, so any 1 s window holds at most `rate` sends as
 * long as sends happen within `marginMs` of their slot: the interval is (1000 + margin) / rate.
 */
export function pacingIntervalMs(ratePerSecond: number, marginMs: number): number {
  return (1000 + marginMs) / ratePerSecond;
}

export interface ThroughputRates {
  STANDARD: number;
  HIGH: number;
}

export function ratePerSecond(level: 'STANDARD' | 'HIGH', rates: ThroughputRates): number {
  return level === 'HIGH' ? rates.HIGH : rates.STANDARD;
}
