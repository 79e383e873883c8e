import { randomBytes } from 'node:crypto';
import { type AppConfig, loadConfig } from '@kirim/platform';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from './test-database';

/**
 * Everything one integration-test file owns: its database, its Redis key prefix and a valid config
 * pointing at both. `close()` drops the database and deletes the prefix's keys.
 */
export interface TestEnv {
  config: AppConfig;
  database: TestDatabase;
  /** Builds another config for the same database and Redis prefix (e.g. a second app instance). */
  configWith(overrides: Record<string, string>): AppConfig;
  close(): Promise<void>;
}

export async function createTestEnv(overrides: Record<string, string> = {}): Promise<TestEnv> {
  const database = await createTestDatabase();
  const base: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_POOL_SIZE: '5',
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `t:${randomBytes(5).toString('hex')}:`,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEY_PEPPER: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    ...overrides,
  };
  const configWith = (more: Record<string, string>) => loadConfig({ ...base, ...more });
  const config = configWith({});
  return {
    config,
    database,
    configWith,
    close: async () => {
      await deleteRedisPrefix(config.REDIS_URL, config.REDIS_PREFIX);
      await database.drop();
    },
  };
}

async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
