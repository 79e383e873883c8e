import { GraphErrors } from './graph-error';

/** What `?fields=` may ask of a node type, and what it gets without asking. */
export interface FieldSpec {
  typeName: string;
  available: readonly string[];
  defaults: readonly string[];
}

/** Splits `a,b{c,d},e.limit(2)` at top-level commas and keeps the bare names (`a`, `b`, `e`). */
export function parseFieldList(raw: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of raw) {
    if (char === '{' || char === '(') depth += 1;
    if (char === '}' || char === ')') depth = Math.max(0, depth - 1);
    if (char === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  names.push(current);
  return names
    .map((n) =>
      n
        .trim()
        .replace(/[{.(].*$/s, '')
        .trim(),
    )
    .filter((n) => n.length > 0);
}

/** The fields to return: `?fields=` validated against the spec (Meta's error 100 otherwise), or the defaults. */
export function selectFields(raw: string | undefined, spec: FieldSpec): string[] {
  if (raw === undefined || raw.trim() === '') return [...spec.defaults];
  const requested = [...new Set(parseFieldList(raw))];
  const unknown = requested.find((name) => !spec.available.includes(name));
  if (unknown !== undefined) throw GraphErrors.nonexistingField(unknown, spec.typeName);
  return requested;
}

/** Graph's JSON for an object: the asked fields that have a value, `id` always, and last (as Meta does). */
export function project(values: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of fields) {
    if (name === 'id') continue;
    const value = values[name];
    if (value !== undefined) out[name] = value;
  }
  out['id'] = values['id'];
  return out;
}

/** Graph's datetime format: `2026-01-01T10:00:00+0000`. */
export function graphTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}
