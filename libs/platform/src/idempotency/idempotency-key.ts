import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { AppError } from '../errors/app-error';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** How long a stored response answers replays (spec: keys are kept 24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** 1–255 printable ASCII characters, else 400 `invalid_field_value` naming the header. */
export function assertIdempotencyKey(key: string): void {
  if (!/^[\x20-\x7e]{1,255}$/.test(key)) {
    throw new AppError('invalid_field_value', `'${IDEMPOTENCY_HEADER}' must be 1-255 printable ASCII characters.`, {
      param: IDEMPOTENCY_HEADER,
    });
  }
}

/** sha256 (hex) of the method, the path and the canonical JSON (RFC 8785) of the body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  const canonical = canonicalize(body ?? null) ?? 'null';
  return createHash('sha256').update(`${method.toUpperCase()}\n${path}\n${canonical}`).digest('hex');
}
