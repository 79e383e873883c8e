import { randomBytes, randomInt } from 'node:crypto';

/** A Graph object id: a numeric string of 15 digits, like Meta's WABA and phone number ids. */
export function graphId(): string {
  let id = String(randomInt(1, 10));
  while (id.length < 15) id += String(randomInt(0, 1_000_000)).padStart(6, '0');
  return id.slice(0, 15);
}

/** Opaque random string: `prefix` + base64url of `bytes` random bytes. */
export function opaque(prefix: string, bytes: number): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

/** fbtrace_id-like value (Meta's look like `Az8or2yhqkZfEZ-_4Qn_Bam`). */
export function traceId(): string {
  return 'A' + randomBytes(16).toString('base64url').slice(0, 22);
}

/** Redacts a secret to its last four characters (`…wxyz`). */
export function lastFour(value: string): string {
  return value.length <= 4 ? '…' : `…${value.slice(-4)}`;
}
