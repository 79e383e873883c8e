import { Prisma } from '../generated/prisma/client';

/**
 * SQL fragments for repositories whose hot reads are raw statements (`db.tx.$queryRaw(sqlQuery)`):
 * values are always bound parameters, never spliced text.
 */
export type Sql = Prisma.Sql;
export const sql = Prisma.sql;
export const joinSql = Prisma.join;

/**
 * The keyset condition "strictly after `after` in (created_at DESC, id DESC)" as a row comparison, which an
 * index on (…, created_at DESC, id DESC) serves; TRUE on the first page. The raw twin of `keysetWhere`.
 */
export function keysetSql(after: { createdAt: Date; id: string } | undefined): Sql {
  return after === undefined ? sql`TRUE` : sql`(created_at, id) < (${after.createdAt}, ${after.id})`;
}
