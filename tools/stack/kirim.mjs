#!/usr/bin/env node
// `npm run kirim -- <command>`: the Kirim admin CLI (apps/cli), rebuilt first when its sources changed.
// Reads `.env` like the apps do; when DATABASE_URL/REDIS_URL are set nowhere it uses those of the last
// `npm start` (.kirim/stack.json), so the CLI talks to the same database as the running stack.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { loadDotEnv, readJson, root, run } from './lib.mjs';

const main = join(root, 'dist', 'apps', 'cli', 'main.js');

/** Newest modification time of any file under dir (0 when it does not exist). */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) max = Math.max(max, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return max;
}

function stale() {
  if (!existsSync(main)) return true;
  const built = statSync(main).mtimeMs;
  const sources = [join(root, 'apps', 'cli', 'src'), ...readdirSync(join(root, 'libs')).map((l) => join(root, 'libs', l, 'src'))];
  return sources.some((dir) => newest(dir) > built);
}

const deps = spawnSync('bash', [join(root, 'tools', 'scripts', 'ensure-deps.sh')], { stdio: ['ignore', 2, 2] });
if (deps.status !== 0) process.exit(deps.status ?? 1);

if (stale()) {
  process.stderr.write('kirim: building the CLI …\n');
  const env = { ...process.env, NX_NO_CLOUD: 'true', NX_DAEMON: 'false', NX_TUI: 'false' };
  const build = await run('npx', ['nx', 'build', 'cli', '--outputStyle=static'], { env });
  if (build.code !== 0) {
    process.stderr.write(`${build.output}\nkirim: building the CLI failed\n`);
    process.exit(1);
  }
  const now = new Date();
  utimesSync(main, now, now); // an Nx cache hit may leave the old timestamp: don't rebuild every time
}

await loadDotEnv();
const stack = readJson(join(root, '.kirim', 'stack.json'));
process.env.DATABASE_URL ||= stack?.database_url ?? 'postgresql://postgres@127.0.0.1:5432/kirim_dev';
process.env.REDIS_URL ||= stack?.redis_url ?? 'redis://127.0.0.1:6379';

const result = spawnSync(process.execPath, [main, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
