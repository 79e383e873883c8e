import { randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config';
import { CryptoService } from '../crypto/crypto.service';
import { AppError } from '../errors/app-error';
import { cursorBinding, decodeCursor, encodeCursor } from './cursor';
import { keysetWhere } from './keyset';

const crypto = (pepper = randomBytes(32)) =>
  new CryptoService({ KEY_PEPPER: pepper.toString('base64'), ENCRYPTION_KEY: randomBytes(32).toString('base64') } as AppConfig);

function expectInvalid(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('invalid_cursor');
    expect((error as AppError).param).toBe('cursor');
    return;
  }
  throw new Error('expected invalid_cursor');
}

describe('cursors', () => {
  const c = crypto();
  const position = { createdAt: new Date('2026-06-04T10:00:00.123Z'), id: 'evt_01HXYZABCDEFGHJKMNPQRSTVWX' };
  const binding = cursorBinding('events:org_1', { type: 'a' });

  it('round-trips the keyset position with millisecond precision', () => {
    const cursor = encodeCursor(c, position, binding);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, cursor, binding)).toEqual(position);
  });

  it('binds canonically: key order and undefined filters do not matter', () => {
    expect(cursorBinding('s', { a: 1, b: 'x', c: undefined })).toBe(cursorBinding('s', { b: 'x', a: 1 }));
    expect(cursorBinding('s')).toBe(cursorBinding('s', {}));
  });

  it('refuses a cursor made with other filters or another scope', () => {
    const cursor = encodeCursor(c, position, binding);
    expectInvalid(() => decodeCursor(c, cursor, cursorBinding('events:org_1', { type: 'b' })));
    expectInvalid(() => decodeCursor(c, cursor, cursorBinding('events:org_1', {})));
    expectInvalid(() => decodeCursor(c, cursor, cursorBinding('events:org_2', { type: 'a' })));
  });

  it('refuses forged, damaged and foreign cursors', () => {
    const cursor = encodeCursor(c, position, binding);
    const [payload, signature] = cursor.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify([position.createdAt.getTime() + 1, position.id])).toString('base64url');
    expectInvalid(() => decodeCursor(c, `${forged}.${signature}`, binding));
    const flipped = signature.endsWith('A') ? 'B' : 'A';
    expectInvalid(() => decodeCursor(c, `${payload}.${signature.slice(0, -1)}${flipped}`, binding));
    expectInvalid(() => decodeCursor(c, payload, binding));
    expectInvalid(() => decodeCursor(c, `${cursor}.x`, binding));
    expectInvalid(() => decodeCursor(c, '', binding));
    expectInvalid(() => decodeCursor(c, 'x'.repeat(10_000), binding));
    expectInvalid(() => decodeCursor(crypto(), cursor, binding)); // signed with another pepper
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    for (const value of [{ t: 1 }, [1.5, 'x'], ['1', 'x'], [1, ''], [1], 'nope']) {
      const payload = Buffer.from(JSON.stringify(value)).toString('base64url');
      expectInvalid(() => decodeCursor(c, `${payload}.${c.sign('cursor', `${payload}.${binding}`)}`, binding));
    }
    const notJson = Buffer.from('{').toString('base64url');
    expectInvalid(() => decodeCursor(c, `${notJson}.${c.sign('cursor', `${notJson}.${binding}`)}`, binding));
  });

  it('keysetWhere selects strictly after the position', () => {
    expect(keysetWhere(undefined)).toEqual({});
    expect(keysetWhere(position)).toEqual({
      OR: [{ createdAt: { lt: position.createdAt } }, { createdAt: position.createdAt, id: { lt: position.id } }],
    });
  });
});
