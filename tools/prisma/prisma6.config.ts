// Prisma 6.19.3 configuration for offline migrations only (see README.md beside this file).
import { defineConfig } from 'prisma6/config';
import { PrismaPg } from 'adapter-pg6';

function pgConfig(url: string) {
  // Discrete fields, not a connectionString: the adapter overrides `database` for the shadow database.
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password) || undefined,
    database: decodeURIComponent(u.pathname.slice(1)),
    allowExitOnIdle: true,
  };
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: '../../prisma/.migrate-schema',
  migrations: { path: '../../prisma/migrations' },
  async adapter() {
    const url = process.env['DATABASE_URL'];
    if (!url) throw new Error('DATABASE_URL is not set');
    return new PrismaPg(pgConfig(url));
  },
});
