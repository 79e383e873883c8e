import { randomBytes } from 'node:crypto';
import { decrypt, deriveKey, encrypt, randomToken, safeEqual } from './crypto';

describe('crypto', () => {
  const key = randomBytes(32);

  it('round-trips AES-256-GCM and never repeats a ciphertext', () => {
    const a = encrypt('kir_live_secret', key);
    const b = encrypt('kir_live_secret', key);
    expect(a).not.toBe(b);
    expect(a).not.toContain('kir_live_secret');
    expect(decrypt(a, key)).toBe('kir_live_secret');
  });

  it('refuses a tampered ciphertext or another key', () => {
    const sealed = encrypt('hello', key);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    const tampered = [parts[0], parts[1], parts[2], body.toString('base64url')].join('.');
    expect(() => decrypt(tampered, key)).toThrow();
    expect(() => decrypt(sealed, randomBytes(32))).toThrow();
    expect(() => decrypt('garbage', key)).toThrow('Unrecognised ciphertext');
  });

  it('derives distinct keys per purpose', () => {
    const secret = randomBytes(32);
    expect(deriveKey(secret, 'api-key').equals(deriveKey(secret, 'cursor'))).toBe(false);
    expect(deriveKey(secret, 'api-key').equals(deriveKey(secret, 'api-key'))).toBe(true);
  });

  it('makes 24 base64url characters from 18 random bytes', () => {
    expect(randomToken(18)).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('compares in constant time, including different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
