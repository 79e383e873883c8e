import type { KeysetPosition } from './cursor';

/** Newest first, ties broken by id: the order every keyset list uses (pass as Prisma `orderBy`). */
export const KEYSET_ORDER: [{ createdAt: 'desc' }, { id: 'desc' }] = [{ createdAt: 'desc' }, { id: 'desc' }];

export interface KeysetWhere {
  OR?: [{ createdAt: { lt: Date } }, { createdAt: Date; id: { lt: string } }];
}

/**
 * The Prisma `where` fragment selecting rows strictly after `after` in {@link KEYSET_ORDER}; `{}` on the
 * first page. Combine with the list's own filters through `AND: [filters, keysetWhere(after)]` (spreading
 * would clobber an `OR` of the filters). Served by an index on (…, created_at DESC, id DESC): no OFFSET.
 */
export function keysetWhere(after: KeysetPosition | undefined): KeysetWhere {
  if (!after) return {};
  return { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] };
}
