#!/usr/bin/env node
// Runs `prisma migrate <args>` offline through Prisma 6.19.3's wasm schema engine (see README.md here).
// Usage: node tools/prisma/migrate.mjs deploy | status | dev --name <name> | reset --force
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = join(root, 'prisma', 'schema');
const target = join(root, 'prisma', '.migrate-schema');

rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
for (const file of readdirSync(source).filter((f) => f.endsWith('.prisma'))) {
  let text = readFileSync(join(source, file), 'utf8');
  // Prisma 6 needs `url` in the datasource; Prisma 7 forbids it (it lives in prisma.config.ts).
  text = text.replace(/provider\s*=\s*"postgresql"/, 'provider = "postgresql"\n  url      = env("DATABASE_URL")');
  writeFileSync(join(target, file), text);
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: migrate.mjs deploy|status|dev --name <name>|reset --force');
  process.exit(2);
}
const skipGenerate = ['dev', 'reset'].includes(args[0]) ? ['--skip-generate'] : [];
const result = spawnSync(
  process.execPath,
  [
    '-r',
    join(root, 'tools', 'prisma', 'unref-timers.cjs'),
    join(root, 'node_modules', 'prisma6', 'build', 'index.js'),
    'migrate',
    ...args,
    ...skipGenerate,
    '--config',
    join(root, 'tools', 'prisma', 'prisma6.config.ts'),
  ],
  {
    cwd: join(root, 'tools', 'prisma'),
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: '/bin/false',
      PRISMA_QUERY_ENGINE_LIBRARY: '/bin/false',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  },
);
process.exit(result.status ?? 1);
