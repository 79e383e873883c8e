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

/**
 * A WhatsApp message id like Meta's: `wamid.` + base64 of a small protobuf-like record holding the
 * user's number and a random hex id (`wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA`
 * decodes to `1c 18 0b "16467043595" 15 02 00 11 18 12 "5F425A74F13033492A" 00`). Outbound ids carry
 * flag 0x11 and 18 hex digits, inbound ones 0x12 and 20, as in Meta's samples.
 */
export function wamid(waId: string, direction: 'outbound' | 'inbound'): string {
  const digits = Buffer.from(waId.replace(/\D/g, '').slice(0, 20) || '0', 'ascii');
  const hex = Buffer.from(
    randomBytes(10)
      .toString('hex')
      .toUpperCase()
      .slice(0, direction === 'outbound' ? 18 : 20),
    'ascii',
  );
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, direction === 'outbound' ? 0x11 : 0x12, 0x18, hex.length]),
    hex,
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}
