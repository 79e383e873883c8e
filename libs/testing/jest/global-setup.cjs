// Jest global setup of every project: makes sure PostgreSQL and Redis answer (starting them through
// tools/scripts/ensure-services.sh when they don't) and creates the migrated template database once per
// set of migrations. Each integration-test file then clones it (libs/testing/src/test-database.ts).
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { readdirSync, readFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');

const root = join(__dirname, '..', '..', '..');

function adminUrl() {
  return process.env.DATABASE_ADMIN_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function migrationsHash() {
  const dir = join(root, 'prisma', 'migrations');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'migration.sql');
    if (existsSync(file)) hash.update(name).update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

async function connect() {
  const client = new Client({ connectionString: adminUrl(), connectionTimeoutMillis: 3000 });
  await client.connect();
  return client;
}

module.exports = async function globalSetup() {
  process.env.DATABASE_ADMIN_URL = adminUrl();
  process.env.REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  let client;
  try {
    client = await connect();
  } catch {
    execFileSync('bash', [join(root, 'tools', 'scripts', 'ensure-services.sh')], { stdio: 'inherit' });
    client = await connect();
  }
  const template = `kirim_tpl_${migrationsHash()}`;
  try {
    // Several jest processes (one per Nx project) may start at once: one builds the template.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      execFileSync(process.execPath, [join(root, 'tools', 'prisma', 'migrate.mjs'), 'deploy'], {
        env: { ...process.env, DATABASE_URL: withDatabase(adminUrl(), building) },
        stdio: 'pipe',
      });
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
      await client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]).catch(() => undefined);
    await client.end();
  }
  process.env.KIRIM_TEMPLATE_DB = template;
};
