import { createHash, createHmac } from 'node:crypto';

/**
 * JSON as Meta serialises its webhooks: non-ASCII characters escaped as `\uXXXX` (lowercase hex, one
 * escape per UTF-16 unit) and `/` as `\/`. The signature covers exactly these bytes, so a receiver
 * that re-serialises the parsed body computes another hash (reference §5.2).
 */
export function metaJson(value: unknown, escape = true): string {
  const json = JSON.stringify(value) ?? 'null';
  if (!escape) return json;
  // Outside strings JSON has neither non-ASCII characters nor slashes, so this only touches string contents.
  return json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\//g, '\\/');
}

/** `X-Hub-Signature-256` of a body: `sha256=` + lowercase hex HMAC-SHA256 with the app secret. */
export function signatureSha256(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}

/** The legacy `X-Hub-Signature` (HMAC-SHA1) Meta may also send. */
export function signatureSha1(body: string, appSecret: string): string {
  return `sha1=${createHmac('sha1', appSecret).update(body, 'utf8').digest('hex')}`;
}

/** A lowercase hex id (conversation ids, media sha256 fields). */
export function hexDigest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}
