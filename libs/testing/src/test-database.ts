import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * A database of its own for one test file, cloned from the migrated template that the jest global
 * setup made (`CREATE DATABASE … TEMPLATE …`, tens of milliseconds), so files run in parallel, in any order.
 */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export function adminDatabaseUrl(): string {
  return process.env['DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env['KIRIM_TEMPLATE_DB'];
  if (!template) throw new Error('KIRIM_TEMPLATE_DB is not set: run tests through jest (libs/testing/jest/global-setup.cjs)');
  const name = `kirim_t_${randomBytes(6).toString('hex')}`;
  await admin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (error) {
        // "source database is being accessed by other users": another clone is in flight; retry.
        if (attempt >= 20 || (error as { code?: string }).code !== '55006') throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  const u = new URL(adminDatabaseUrl());
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
