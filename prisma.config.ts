// Prisma 7 configuration: used by `prisma generate` (and by a plain `prisma migrate` on machines where
// Prisma's native schema engine can be downloaded). Offline migrations go through tools/prisma/.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema',
  migrations: { path: 'prisma/migrations' },
  // `env()` would throw when DATABASE_URL is unset, and `generate` needs no database.
  datasource: { url: process.env['DATABASE_URL'] ?? '' },
});
