import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Meta's `X-Hub-Signature-256: sha256=<hex>` (reference §5.2): the HMAC-SHA256 of the exact bytes Meta sent,
 * keyed with the app secret. Compared in constant time over the 32 digest bytes; a missing, malformed or
 * repeated header is false. Uppercase hex is accepted (Meta sends lowercase).
 */
export function isValidMetaSignature(rawBody: Buffer, header: string | string[] | undefined, appSecret: string): boolean {
  if (typeof header !== 'string') return false;
  const match = SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1] as string, 'hex');
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The header Meta would send for these bytes (tests and tools sign with it). */
export function metaSignature(rawBody: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Constant-time equality of two strings (the handshake's verify token). */
export function constantTimeEquals(a: string, b: string): boolean {
  const x = createHmac('sha256', 'kirim-compare').update(a).digest();
  const y = createHmac('sha256', 'kirim-compare').update(b).digest();
  return timingSafeEqual(x, y);
}
