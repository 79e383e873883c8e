import { config } from 'dotenv';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { runCli } from './cli';

// `.env` (written by `npm start` for development) fills in what the real environment does not set.
const envFile = process.env['KIRIM_ENV_FILE'] ?? resolve(process.cwd(), '.env');
if (existsSync(envFile)) config({ path: envFile, override: false, quiet: true });

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Exit as soon as the event loop drains; if a connection lingers, do not hang the caller.
  setTimeout(() => process.exit(code), 2000).unref();
});
