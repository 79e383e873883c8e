import canonicalize from 'canonicalize';
import { AppError } from '../errors/app-error';
import type { CryptoService } from '../crypto/crypto.service';

/** A keyset position: the (createdAt, id) of the last row of a page. */
export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

const MAX_CURSOR_LENGTH = 512;

/**
 * What a cursor is bound to: the list's scope (e.g. `'customers:' + orgId`) and its filters, as canonical
 * JSON (RFC 8785), so `{a, b}` and `{b, a}` bind alike and an omitted filter equals an undefined one.
 */
export function cursorBinding(scope: string, filters: Record<string, unknown> = {}): string {
  return canonicalize({ scope, filters }) ?? '';
}

/**
 * `<payload>.<signature>`: the payload is base64url JSON `[createdAtMs, id]`; the HMAC ('cursor' key)
 * covers the payload and the binding, which is not carried in the cursor (it is recomputed from the
 * request), so a cursor reused with other filters or another scope fails verification like a forged one.
 */
export function encodeCursor(crypto: CryptoService, position: KeysetPosition, binding: string): string {
  const payload = Buffer.from(JSON.stringify([position.createdAt.getTime(), position.id])).toString('base64url');
  return `${payload}.${crypto.sign('cursor', `${payload}.${binding}`)}`;
}

/** The position of a cursor made by {@link encodeCursor} with the same binding, else 400 `invalid_cursor`. */
export function decodeCursor(crypto: CryptoService, cursor: string, binding: string): KeysetPosition {
  const parts = cursor.length <= MAX_CURSOR_LENGTH ? cursor.split('.') : [];
  const [payload, signature] = parts;
  if (parts.length !== 2 || !payload || !signature || !crypto.verify('cursor', `${payload}.${binding}`, signature)) {
    throw invalidCursor();
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalidCursor();
  const [ms, id] = decoded as unknown[];
  if (!Number.isSafeInteger(ms) || typeof id !== 'string' || id === '') throw invalidCursor();
  return { createdAt: new Date(ms as number), id };
}

function invalidCursor(): AppError {
  return new AppError('invalid_cursor', "'cursor' is not a cursor of this list (forged, damaged or made with other filters).", {
    param: 'cursor',
  });
}
