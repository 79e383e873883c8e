import { stringParam } from '../../common/request-context';
import { GraphErrors } from './graph-error';

export interface Page<T> {
  data: T[];
  paging?: { cursors: { before: string; after: string }; next?: string; previous?: string };
}

const encode = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');

export function readLimit(query: unknown, fallback = 25, max = 100): number {
  const raw = stringParam(query, 'limit');
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw GraphErrors.invalidParameter('limit must be a positive integer.');
  return Math.min(Number(raw), max);
}

/**
 * Cursor paging over `items` (each with an `id`), Graph style: `after`/`before` cursors are opaque and
 * `next`/`previous` are absolute URLs built by `link` from the query to use.
 */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  query: unknown,
  link: (params: Record<string, string>) => string,
): Page<T> {
  const limit = readLimit(query);
  const after = stringParam(query, 'after');
  const before = stringParam(query, 'before');
  const indexOf = (cursor: string, name: string) => {
    const index = items.findIndex((item) => item.id === decode(cursor));
    if (index < 0) throw GraphErrors.invalidParameter(`The ${name} cursor is not valid.`);
    return index;
  };
  let start = 0;
  let end = Math.min(items.length, limit);
  if (after !== undefined) {
    start = indexOf(after, 'after') + 1;
    end = Math.min(items.length, start + limit);
  } else if (before !== undefined) {
    end = indexOf(before, 'before');
    start = Math.max(0, end - limit);
  }
  const data = items.slice(start, end);
  const first = data[0];
  const last = data[data.length - 1];
  if (!first || !last) return { data };
  const cursors = { before: encode(first.id), after: encode(last.id) };
  return {
    data,
    paging: {
      cursors,
      ...(end < items.length && { next: link({ limit: String(limit), after: cursors.after }) }),
      ...(start > 0 && { previous: link({ limit: String(limit), before: cursors.before }) }),
    },
  };
}
