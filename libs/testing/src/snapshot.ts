/** What `databaseSnapshot` needs of a Prisma client. */
interface RawQueries {
  $queryRawUnsafe<T>(query: string): Promise<T>;
}

/**
 * Every table of the test database as `rows:md5(all rows)`: two equal snapshots mean no row was added,
 * changed or removed in between (the fuzz suites check that rejected requests change nothing).
 */
export async function databaseSnapshot(prisma: RawQueries): Promise<Record<string, string>> {
  const tables = await prisma.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await prisma.$queryRawUnsafe<{ h: string }[]>(
      `SELECT count(*)::text || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${name}" t`,
    );
    out[name] = row?.h ?? '';
  }
  return out;
}
