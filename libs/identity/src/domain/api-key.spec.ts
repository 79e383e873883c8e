import { API_KEY_PREFIX, apiKeyLast4, bearerToken, daysFrom, generateApiKey, isApiKeyFormat, isExpired } from './api-key';

describe('API key format', () => {
  it('generates kir_live_ + 24 base64url characters, different every time', () => {
    const keys = new Set(Array.from({ length: 200 }, generateApiKey));
    expect(keys.size).toBe(200);
    for (const key of keys) {
      expect(key).toMatch(/^kir_live_[A-Za-z0-9_-]{24}$/);
      expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
      expect(isApiKeyFormat(key)).toBe(true);
    }
  });

  it.each([
    ['', 'empty'],
    ['kir_live_', 'no body'],
    ['kir_live_' + 'a'.repeat(23), 'too short'],
    ['kir_live_' + 'a'.repeat(25), 'too long'],
    ['kir_test_' + 'a'.repeat(24), 'wrong prefix'],
    ['KIR_LIVE_' + 'a'.repeat(24), 'upper-case prefix'],
    ['kir_live_' + 'a'.repeat(23) + '=', 'padding'],
    ['kir_live_' + 'a'.repeat(23) + '+', 'base64 (not url) alphabet'],
    [' kir_live_' + 'a'.repeat(24), 'leading space'],
  ])('refuses %j (%s)', (value) => {
    expect(isApiKeyFormat(value)).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(isApiKeyFormat(undefined)).toBe(false);
    expect(isApiKeyFormat(42)).toBe(false);
  });

  it('last4 is the last four characters', () => {
    expect(apiKeyLast4('kir_live_abcdefghijklmnopqrstWvqb')).toBe('Wvqb');
  });
});

describe('bearerToken', () => {
  it('reads the credentials of a Bearer header, scheme case-insensitive', () => {
    expect(bearerToken('Bearer kir_live_x')).toBe('kir_live_x');
    expect(bearerToken('bearer   kir_live_x ')).toBe('kir_live_x');
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'kir_live_x', 'Bearer a b', 'Token kir_live_x'])(
    'gives null for %j',
    (header) => {
      expect(bearerToken(header)).toBeNull();
    },
  );
});

describe('expiry', () => {
  const now = new Date('2026-06-04T10:00:00.000Z');

  it('a key without expires_at never expires', () => {
    expect(isExpired(null, now)).toBe(false);
  });

  it('expires from expires_at on, to the millisecond', () => {
    expect(isExpired(new Date('2026-06-04T10:00:00.001Z'), now)).toBe(false);
    expect(isExpired(new Date('2026-06-04T10:00:00.000Z'), now)).toBe(true);
    expect(isExpired(new Date('2026-06-04T09:59:59.999Z'), now)).toBe(true);
  });

  it('daysFrom adds whole days', () => {
    expect(daysFrom(now, 30).toISOString()).toBe('2026-07-04T10:00:00.000Z');
  });
});
