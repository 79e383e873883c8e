import { Injectable } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { CryptoService } from '../crypto/crypto.service';
import { Page } from '../http/envelope';
import { cursorBinding, decodeCursor, encodeCursor, type KeysetPosition } from './cursor';
import { DEFAULT_LIMIT, MAX_LIMIT } from './list-query.dto';

export interface PaginateOptions<Row extends KeysetPosition, Out> {
  /** The validated `limit` and `cursor` (a {@link ListQueryDto} or the same fields from MCP). */
  query: { limit?: number | undefined; cursor?: string | undefined };
  /** What the list is, tenant included, e.g. `'customers:' + orgId`. */
  scope: string;
  /** The filters that shape the list (not limit/cursor); a cursor only works with the same ones. */
  filters?: Record<string, unknown>;
  /** Rows newest first (use `keysetWhere(after)` and `KEYSET_ORDER`), at most `take`. */
  fetch: (page: { take: number; after: KeysetPosition | undefined }) => Promise<Row[]>;
  map: (row: Row) => Out;
}

/** Keyset pagination with signed cursors bound to scope and filters (spec 01-conventions.md § Pagination). */
@Injectable()
export class Paginator {
  constructor(private readonly crypto: CryptoService) {}

  async paginate<Row extends KeysetPosition, Out>(options: PaginateOptions<Row, Out>): Promise<Page<Out>> {
    const { query, scope, filters, fetch, map } = options;
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new AppError('invalid_limit', "'limit' must be an integer from 1 to 100.", { param: 'limit' });
    }
    const binding = cursorBinding(scope, filters);
    const after = query.cursor === undefined ? undefined : decodeCursor(this.crypto, query.cursor, binding);
    // One row more than asked tells whether another page exists without a COUNT.
    const rows = await fetch({ take: limit + 1, after });
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const last = page.at(-1);
    const nextCursor = hasMore && last ? encodeCursor(this.crypto, { createdAt: last.createdAt, id: last.id }, binding) : null;
    return new Page(
      page.map((row) => map(row)),
      hasMore,
      nextCursor,
    );
  }
}
