import { AppError } from '@kirim/platform';

/**
 * A small, table-driven validator for JSON bodies (decision 47): a few field checkers composed once, at
 * module load, into the tables of send-request.ts. A check validates one value in place and returns
 * nothing (the value is kept exactly as given); it throws an AppError naming the value by its path.
 *
 * The path is built only for an error: a check gets its parent's path and its own key, so the hot path
 * allocates nothing but the path of each nested object. Paths follow the platform's convention
 * (validation.ts, json-text.ts, spec 01 § Errors): `interactive.action.buttons[2].reply.title`.
 */
export type Key = string | number;
export type Check = (value: unknown, parent: string, key: Key) => void;

/** One field of an object: its check, and whether it must be present (`undefined` = absent). */
export interface Field {
  readonly check: Check;
  readonly required: boolean;
}

export const req = (check: Check): Field => ({ check, required: true });
export const opt = (check: Check): Field => ({ check, required: false });

/** `parent` + `key` as a dotted path; array indexes in brackets. */
export function at(parent: string, key: Key): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalid(param: string, what: string): AppError {
  return AppError.invalid(param, `'${param}' must be ${what}.`);
}

export function missing(param: string, why = ''): AppError {
  return new AppError('missing_required_field', `'${param}' is required${why}.`, { param });
}

export function unknownField(param: string, why = ''): AppError {
  return new AppError('unknown_field', `Unknown field '${param}'${why}.`, { param });
}

/**
 * Length in Unicode code points, the way Meta counts characters (decision 47). Lone surrogates never get
 * here (the body reader refuses them), so every high surrogate starts a pair.
 */
export function codePoints(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}

const range = (min: number, max: number) =>
  max === Infinity
    ? `at least ${min} character${min === 1 ? '' : 's'}`
    : min === 0
      ? `at most ${max} characters`
      : `${min}-${max} characters`;

/** A string of `min`–`max` code points. */
export function str(min: number, max = Infinity): Check {
  const what = `a string of ${range(min, max)}`;
  return (value, parent, key) => {
    if (typeof value !== 'string') throw invalid(at(parent, key), what);
    // n UTF-16 units hold ceil(n/2) to n code points: count only when that range straddles a bound.
    if (value.length >= 2 * min - 1 && value.length <= max) return;
    const n = codePoints(value);
    if (n < min || n > max) throw invalid(at(parent, key), what);
  };
}

/** A string matching `pattern` (anchored by the caller), described as `what` in the error. */
export function matching(pattern: RegExp, what: string): Check {
  return (value, parent, key) => {
    if (typeof value !== 'string' || !pattern.test(value)) throw invalid(at(parent, key), what);
  };
}

export const bool: Check = (value, parent, key) => {
  if (typeof value !== 'boolean') throw invalid(at(parent, key), 'true or false');
};

/** A finite number from `min` to `max` inclusive. */
export function num(min: number, max: number): Check {
  const what = `a number from ${min} to ${max}`;
  return (value, parent, key) => {
    if (typeof value !== 'number' || !(value >= min && value <= max)) throw invalid(at(parent, key), what);
  };
}

/** Exactly this string. */
export function literal(expected: string): Check {
  const what = `'${expected}'`;
  return (value, parent, key) => {
    if (value !== expected) throw invalid(at(parent, key), what);
  };
}

// eslint-disable-next-line no-control-regex -- refusing whitespace and control characters is the point
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/** An absolute `https://` URL with a host and no credentials or whitespace (what Meta fetches media and links from). */
export const httpsUrl: Check = (value, parent, key) => {
  if (typeof value !== 'string' || !isHttpsUrl(value)) throw invalid(at(parent, key), 'an absolute https URL');
};

function isHttpsUrl(value: string): boolean {
  if (!value.startsWith('https://') || WHITESPACE_OR_CONTROL.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
}

/**
 * An array of `min`–`max` items, each passing `item`.
 */
export function arr(item: Check, min: number, max = Infinity): Check {
  const what = max === Infinity ? `an array of at least ${min} item${min === 1 ? '' : 's'}` : `an array of ${min}-${max} items`;
  return (value, parent, key) => {
    if (!Array.isArray(value) || value.length < min || value.length > max) throw invalid(at(parent, key), what);
    const path = at(parent, key);
    for (let i = 0; i < value.length; i++) item(value[i], path, i);
  };
}

export interface ObjectOptions {
  /**
   * Unknown keys pass through unchanged (free JSON: only a `__proto__` key anywhere inside them is
   * refused, as the platform's validation does). Without it an unknown key is 400 `unknown_field`.
   */
  readonly open?: boolean;
  /** Rules across fields, run after every field passed; `path` is the object's. */
  readonly then?: (value: Record<string, unknown>, path: string) => void;
}

/**
 * A JSON object with these fields: unknown keys first (in the body's order), then each field in the
 * table's order: absent and required → `missing_required_field`, present → its check.
 */
export function obj(fields: Readonly<Record<string, Field>>, options: ObjectOptions = {}): Check {
  const names = Object.keys(fields);
  const table = names.map((name) => fields[name] as Field);
  const known: Record<string, true> = Object.create(null) as Record<string, true>;
  for (const name of names) known[name] = true;
  const open = options.open === true;
  const then = options.then;
  return (value, parent, key) => {
    if (!isRecord(value)) throw invalid(at(parent, key), 'a JSON object');
    const path = at(parent, key);
    for (const name in value) {
      if (known[name] === true) continue;
      if (!open) throw unknownField(at(path, name));
      refuseProtoKeys(value[name], path, name);
    }
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      const field = table[i] as Field;
      const v = value[name];
      if (v === undefined) {
        if (field.required) throw missing(at(path, name));
      } else field.check(v, path, name);
    }
    if (then !== undefined) then(value, path);
  };
}

/**
 * A JSON object whose `discriminator` field picks its check from `table` (or `fallback` for any other
 * string, when given); the picked check validates the whole object, the discriminator included.
 */
export function byType(discriminator: string, table: Readonly<Record<string, Check>>, fallback?: Check): Check {
  const checks: Record<string, Check> = Object.create(null) as Record<string, Check>;
  for (const name of Object.keys(table)) checks[name] = table[name] as Check;
  const names = Object.keys(table);
  const what = fallback !== undefined ? 'a non-empty string' : names.length === 1 ? `'${names[0]}'` : `one of ${names.join(', ')}`;
  return (value, parent, key) => {
    if (!isRecord(value)) throw invalid(at(parent, key), 'a JSON object');
    const type = value[discriminator];
    if (type === undefined) throw missing(at(at(parent, key), discriminator));
    const check = typeof type === 'string' && type !== '' ? (checks[type] ?? fallback) : undefined;
    if (check === undefined) throw invalid(at(at(parent, key), discriminator), what);
    check(value, parent, key);
  };
}

/** Free JSON (metadata, pass-through parts): any value, but no `__proto__` key at any depth (platform rule). */
export function refuseProtoKeys(value: unknown, parent: string, key: Key): void {
  if (key === '__proto__') {
    const param = at(parent, key);
    throw AppError.invalid(param, `'${param}': the key '__proto__' is not accepted.`);
  }
  if (typeof value !== 'object' || value === null) return;
  const path = at(parent, key);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) refuseProtoKeys(value[i], path, i);
  } else {
    for (const name in value) refuseProtoKeys((value as Record<string, unknown>)[name], path, name);
  }
}

/** Across the items of one array: the first item whose `pick(item)` repeats an earlier one, or -1. */
export function firstRepeat<T>(items: readonly T[], pick: (item: T) => unknown): number {
  for (let i = 1; i < items.length; i++) {
    const v = pick(items[i] as T);
    for (let j = 0; j < i; j++) if (pick(items[j] as T) === v) return i;
  }
  return -1;
}
