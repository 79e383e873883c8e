import { AppError } from '../errors/app-error';
import { assertIdempotencyKey, requestFingerprint } from './idempotency-key';

describe('idempotency keys and fingerprints', () => {
  it('accepts 1-255 printable ASCII characters', () => {
    for (const key of ['a', 'x'.repeat(255), 'order 42/~', '550e8400-e29b-41d4-a716-446655440000']) {
      expect(() => assertIdempotencyKey(key)).not.toThrow();
    }
  });

  it('refuses empty, too long and non-printable keys with param Idempotency-Key', () => {
    for (const key of ['', 'x'.repeat(256), 'tab\there', 'é', 'line\n']) {
      try {
        assertIdempotencyKey(key);
        throw new Error(`accepted ${JSON.stringify(key)}`);
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('invalid_field_value');
        expect((error as AppError).param).toBe('Idempotency-Key');
      }
    }
  });

  it('fingerprints method, path and canonical body', () => {
    const base = requestFingerprint('POST', '/v1/things', { a: 1, b: [1, 2] });
    expect(requestFingerprint('post', '/v1/things', { b: [1, 2], a: 1 })).toBe(base);
    expect(requestFingerprint('POST', '/v1/things', { a: 1, b: [2, 1] })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/other', { a: 1, b: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('POST', '/v1/things', undefined)).toBe(requestFingerprint('POST', '/v1/things', null));
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});
