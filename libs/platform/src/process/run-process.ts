import { config as loadEnvFile } from 'dotenv';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AppConfig, ConfigError, loadConfig } from '../config/config';

/** Loads `.env` (written by `npm start` for development) without overriding the real environment. */
export function loadDotEnv(): void {
  const file = process.env['KIRIM_ENV_FILE'] ?? resolve(process.cwd(), '.env');
  if (existsSync(file)) loadEnvFile({ path: file, override: false, quiet: true });
}

/**
 * The start of every Kirim process: `.env`, validated configuration, then `main`. A bad variable stops
 * the process with the one line naming it; any other start-up failure is printed and exits 1.
 */
export function runProcess(main: (config: AppConfig) => Promise<void>): void {
  const start = async () => {
    loadDotEnv();
    await main(loadConfig());
  };
  start().catch((error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  });
}
