/**
 * True for a unique-constraint violation (PostgreSQL 23505), whichever way the statement ran: a model
 * query (Prisma P2002), a raw statement through Prisma (`$queryRaw`/`$executeRaw`: P2010 "raw query
 * failed", the driver adapter's cause in `meta`), or pg itself (`Database.read`, the pool: `code` 23505).
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, meta } = error as {
    code?: unknown;
    meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
  };
  if (code === 'P2002' || code === '23505') return true;
  if (code !== 'P2010') return false;
  const cause = meta?.driverAdapterError?.cause;
  return cause?.kind === 'UniqueConstraintViolation' || cause?.originalCode === '23505';
}
