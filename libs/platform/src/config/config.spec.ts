import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from './config';

const valid = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/kirim',
  ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  KEY_PEPPER: randomBytes(32).toString('base64'),
};

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c.API_PORT).toBe(3000);
    expect(c.ONBOARDING_PORT).toBe(3001);
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.RATE_LIMIT_WRITE_PER_MIN).toBe(600);
    expect(c.RATE_LIMIT_READ_PER_MIN).toBe(6000);
    expect(c.META_GRAPH_VERSION).toBe('v25.0');
    expect(c.WEBHOOK_ALLOW_HTTP).toBe(false);
    expect(c.ONBOARDING_PUBLIC_URL).toBe('http://localhost:3001');
  });

  it('reads overrides and derives public URLs from ports', () => {
    const c = loadConfig({ ...valid, API_PORT: '4000', ONBOARDING_PUBLIC_URL: 'https://join.example.com/', WEBHOOK_ALLOW_HTTP: 'true' });
    expect(c.API_PORT).toBe(4000);
    expect(c.API_PUBLIC_URL).toBe('http://localhost:4000');
    expect(c.ONBOARDING_PUBLIC_URL).toBe('https://join.example.com');
    expect(c.WEBHOOK_ALLOW_HTTP).toBe(true);
  });

  it('names a missing variable in one line', () => {
    const error = errorOf({ ...valid, DATABASE_URL: '' });
    expect(error.message).toBe('Invalid configuration: DATABASE_URL is required');
    expect(error.message).not.toContain('\n');
  });

  it('names every bad or missing variable at once, still in one line', () => {
    const error = errorOf({ DATABASE_URL: 'mysql://x', ENCRYPTION_KEY: 'c2hvcnQ=', API_PORT: 'abc' });
    expect(error.message).toBe(
      'Invalid configuration: DATABASE_URL must be a postgresql:// URL; API_PORT must be a port number (1-65535); ' +
        'ENCRYPTION_KEY must be 32 bytes, base64-encoded; KEY_PEPPER is required',
    );
    expect(error.problems.map((p) => p.variable)).toEqual(['DATABASE_URL', 'API_PORT', 'ENCRYPTION_KEY', 'KEY_PEPPER']);
    expect(error.message).not.toContain('\n');
  });

  it('names a bad variable in one line', () => {
    expect(errorOf({ ...valid, ENCRYPTION_KEY: 'c2hvcnQ=' }).message).toBe(
      'Invalid configuration: ENCRYPTION_KEY must be 32 bytes, base64-encoded',
    );
    expect(errorOf({ ...valid, API_PORT: 'abc' }).variable).toBe('API_PORT');
    expect(errorOf({ ...valid, API_KEY_CACHE_TTL_MS: '6000' }).variable).toBe('API_KEY_CACHE_TTL_MS');
    expect(errorOf({ ...valid, LOG_LEVEL: 'loud' }).variable).toBe('LOG_LEVEL');
  });

  it('TRUST_PROXY: none by default, a hop count, or a list of addresses/CIDRs; anything else stops the process', () => {
    expect(loadConfig(valid).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'none' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '0' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...valid, TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ ...valid, TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.0.2.1' }).TRUST_PROXY).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
    for (const bad of ['true', '*', '10.0.0.0/33', '300.1.1.1', 'example.com', '1,2']) {
      expect(errorOf({ ...valid, TRUST_PROXY: bad }).variable).toBe('TRUST_PROXY');
    }
  });

  it('METRICS_TOKEN: unset by default, at least 16 characters when set', () => {
    expect(loadConfig(valid).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ ...valid, METRICS_TOKEN: 'x'.repeat(16) }).METRICS_TOKEN).toBe('x'.repeat(16));
    expect(errorOf({ ...valid, METRICS_TOKEN: 'short' }).variable).toBe('METRICS_TOKEN');
  });
});
