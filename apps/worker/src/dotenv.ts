import { config } from 'dotenv';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Loads `.env` (written by `npm start` for development) without overriding the real environment. */
export function loadDotEnv(): void {
  const file = process.env['KIRIM_ENV_FILE'] ?? resolve(process.cwd(), '.env');
  if (existsSync(file)) config({ path: file, override: false, quiet: true });
}
