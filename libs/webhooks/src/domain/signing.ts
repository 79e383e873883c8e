import { createHmac, randomBytes } from 'node:crypto';

/** Every webhook secret starts with this; what follows is the base64 of the HMAC key (Standard Webhooks). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** 24 random bytes: 192 bits of key, shown to the integrator once (spec 06 § Webhook subscriptions). */
const SECRET_BYTES = 24;

// Strict base64: Buffer.from(…, 'base64') skips characters it does not know, so a damaged secret would
// silently sign with a different key than the receiver's verifier decodes.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new subscription secret: `whsec_` + base64 of 24 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/**
 * The `webhook-signature` header of one delivery attempt (Standard Webhooks, spec 06 § Delivery): one
 * `v1,<base64 HMAC-SHA256 of "{msgId}.{timestamp}.{body}">` entry per live secret, space-separated, in the
 * order given — during a rotation both the old and the new secret sign, so a receiver holding either verifies.
 * `timestamp` is the attempt's unix seconds, the same value sent as `webhook-timestamp`.
 */
export function signatureHeader(secrets: readonly string[], msgId: string, timestamp: number, body: string): string {
  if (secrets.length === 0) throw new Error('signatureHeader needs at least one secret.');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('signatureHeader: timestamp must be unix seconds.');
  const signed = `${msgId}.${timestamp}.${body}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(signed, 'utf8').digest('base64')}`).join(' ');
}

/** The HMAC key of a `whsec_…` secret: the base64-decoded part after the prefix. */
function secretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error(`A webhook secret must start with '${WEBHOOK_SECRET_PREFIX}'.`);
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (encoded === '' || !BASE64.test(encoded)) throw new Error(`A webhook secret must be '${WEBHOOK_SECRET_PREFIX}' followed by base64.`);
  return Buffer.from(encoded, 'base64');
}
