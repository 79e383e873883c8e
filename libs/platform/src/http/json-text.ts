import { isUtf8 } from 'node:buffer';
import { AppError } from '../errors/app-error';

/** Deepest nesting of objects and arrays a request body may have (the top level counts as 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * The one JSON reader of every request body: it refuses, instead of changing, anything PostgreSQL or
 * JavaScript cannot keep exactly, so no later step (validation, Prisma, canonical JSON) ever sees it:
 *
 * - nesting deeper than {@link MAX_JSON_DEPTH} → 400 `invalid_json` (it is iterative: no recursion here);
 * - bytes that are not UTF-8 and lone UTF-16 surrogates (`"\ud800"`) → 400 `invalid_field_value` with
 *   `param` naming the string (invalid bytes inside a string are carried as lone surrogates, the way
 *   Python's `surrogateescape` does, so they are reported where they are);
 * - U+0000 in any string or key (PostgreSQL `text` and `jsonb` cannot store it) → `invalid_field_value`;
 * - numbers whose value a double cannot hold exactly (`1e400`, `-1e400`, `1e-400`,
 *   `12345678901234567890`) → `invalid_field_value`;
 * - the same key twice in one object (JSON.parse would silently keep the last) → `invalid_field_value`.
 *
 * Keys are stored as own data properties, so `"__proto__"` stays an ordinary key as with JSON.parse.
 * `param` is a dotted path: `metadata.foo`, `items[2].x`. The top level must be an object or an array.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  const text = isUtf8(bytes) ? bytes.toString('utf8') : decodeUtf8Escaped(bytes);
  return new JsonReader(text).read();
}

type Container =
  | { kind: 'object'; value: Record<string, unknown>; key: string | undefined; path: string }
  | { kind: 'array'; value: unknown[]; path: string };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings
const PLAIN_STRING_PART = /[^"\\\u0000-\u001f]*/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class JsonReader {
  private pos = 0;
  /** Right after `{` or `[`: the only place where `}` / `]` may close an empty container. */
  private justOpened = false;

  constructor(private readonly text: string) {}

  read(): unknown {
    this.skipSpace();
    const first = this.text[this.pos];
    if (first !== '{' && first !== '[') throw this.syntax('The request body must be a JSON object.');
    const stack: Container[] = [];
    let result: unknown;
    let done = false;
    // One loop, one explicit stack: depth is bounded by MAX_JSON_DEPTH, never by the call stack.
    for (;;) {
      this.skipSpace();
      const top = stack[stack.length - 1];
      let value: unknown;
      let produced = false;
      if (top === undefined && done) break;
      if (top?.kind === 'object' && top.key === undefined) {
        // Expect a key or '}'.
        const c = this.text[this.pos];
        if (c === '}' && this.justOpened) {
          this.pos++;
          value = stack.pop()?.value;
          produced = true;
        } else {
          if (c !== '"') throw this.syntax();
          const key = this.string(top.path);
          const path = childPath(top.path, key);
          if (Object.prototype.hasOwnProperty.call(top.value, key)) {
            throw AppError.invalid(path, `'${path}' appears twice in the same object.`);
          }
          this.skipSpace();
          if (this.text[this.pos] !== ':') throw this.syntax();
          this.pos++;
          top.key = key;
          this.justOpened = false;
          continue;
        }
      } else {
        if (top?.kind === 'array' && this.text[this.pos] === ']' && this.justOpened) {
          this.pos++;
          value = stack.pop()?.value;
          produced = true;
        } else {
          const path =
            top === undefined ? '' : top.kind === 'array' ? `${top.path}[${top.value.length}]` : childPath(top.path, top.key ?? '');
          const c = this.text[this.pos];
          if (c === '{' || c === '[') {
            if (stack.length >= MAX_JSON_DEPTH) {
              throw new AppError('invalid_json', `The request body is nested deeper than ${MAX_JSON_DEPTH} levels.`);
            }
            this.pos++;
            stack.push(c === '{' ? { kind: 'object', value: {}, key: undefined, path } : { kind: 'array', value: [], path });
            this.justOpened = true;
            continue;
          }
          value = this.scalar(path);
          produced = true;
        }
      }
      // A value is complete: attach it to its parent, then consume ',' or the closing brackets.
      while (produced) {
        produced = false;
        const parent = stack[stack.length - 1];
        if (parent === undefined) {
          result = value;
          done = true;
          break;
        }
        if (parent.kind === 'array') parent.value.push(value);
        else {
          Object.defineProperty(parent.value, parent.key ?? '', { value, enumerable: true, writable: true, configurable: true });
          parent.key = undefined;
        }
        this.skipSpace();
        const c = this.text[this.pos];
        if (c === ',') {
          this.pos++;
          this.justOpened = false;
          break;
        }
        if ((parent.kind === 'array' && c === ']') || (parent.kind === 'object' && c === '}')) {
          this.pos++;
          value = stack.pop()?.value;
          produced = true;
          continue;
        }
        throw this.syntax();
      }
    }
    this.skipSpace();
    if (this.pos !== this.text.length) throw this.syntax();
    return result;
  }

  private scalar(path: string): unknown {
    const c = this.text[this.pos];
    if (c === '"') return this.string(path);
    if (this.text.startsWith('true', this.pos)) return this.advance(4, true);
    if (this.text.startsWith('false', this.pos)) return this.advance(5, false);
    if (this.text.startsWith('null', this.pos)) return this.advance(4, null);
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) throw this.syntax();
    this.pos += match[0].length;
    return exactNumber(match[0], path);
  }

  private advance<T>(length: number, value: T): T {
    this.pos += length;
    return value;
  }

  /** A string at `pos` (which is `"`); `path` names it in errors (for a key: its object's path). */
  private string(path: string): string {
    this.pos++;
    let out = '';
    for (;;) {
      PLAIN_STRING_PART.lastIndex = this.pos;
      const part = PLAIN_STRING_PART.exec(this.text)?.[0] ?? '';
      out += part;
      this.pos += part.length;
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c !== '\\') throw this.syntax();
      const e = this.text[this.pos + 1] ?? '';
      if (e === 'u') {
        const hex = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.syntax();
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = ESCAPES[e];
        if (decoded === undefined) throw this.syntax();
        out += decoded;
        this.pos += 2;
      }
    }
    checkStorable(out, path);
    return out;
  }

  private skipSpace(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private syntax(message = 'The request body is not valid JSON.'): AppError {
    return new AppError('invalid_json', message);
  }
}

function childPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function checkStorable(value: string, path: string): void {
  checkStorableText(value, path === '' ? 'body' : path);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Strings PostgreSQL can store exactly: well-formed UTF-16 (no lone surrogate) and no U+0000. */
export function checkStorableText(value: string, param: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw AppError.invalid(param, `'${param}' is not valid Unicode text (invalid UTF-8 or a lone surrogate).`);
  }
  if (value.includes('\u0000')) throw AppError.invalid(param, `'${param}' contains the NUL character (U+0000), which cannot be stored.`);
}

/** The literal's value, if a double holds it exactly (as the decimal its shortest form denotes). */
function exactNumber(literal: string, path: string): number {
  const value = Number(literal);
  const param = path === '' ? 'body' : path;
  if (!Number.isFinite(value) || !sameDecimal(decimal(literal), decimal(String(value)))) {
    throw AppError.invalid(param, `'${param}' is a number that cannot be stored exactly.`);
  }
  return value;
}

interface Decimal {
  negative: boolean;
  digits: string;
  exponent: number;
}

/** `-12.50e3` → {negative, digits: '125', exponent: 1}; zero → digits ''. */
function decimal(literal: string): Decimal {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (m === null) return { negative: false, digits: 'NaN', exponent: 0 };
  const fraction = m[3] ?? '';
  let digits = (m[2] ?? '') + fraction;
  let exponent = Number(m[4] ?? '0') - fraction.length;
  digits = digits.replace(/^0+/, '');
  const trimmed = digits.replace(/0+$/, '');
  exponent += digits.length - trimmed.length;
  return { negative: m[1] === '-' && trimmed !== '', digits: trimmed, exponent: trimmed === '' ? 0 : exponent };
}

function sameDecimal(a: Decimal, b: Decimal): boolean {
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/**
 * UTF-8 decoding that keeps every byte of a malformed sequence as a lone surrogate U+DC80–U+DCFF
 * (instead of U+FFFD), so the reader reports the string that holds it. Only used when the body is not
 * valid UTF-8 (the fast path is Buffer#toString).
 */
export function decodeUtf8Escaped(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk: number[] = [];
  const flush = () => {
    parts.push(String.fromCharCode(...chunk));
    chunk = [];
  };
  for (let i = 0; i < bytes.length; ) {
    const b0 = bytes[i] ?? 0;
    let length = 0;
    let min = 0;
    if (b0 < 0x80) length = 1;
    else if (b0 >= 0xc2 && b0 <= 0xdf) [length, min] = [2, 0x80];
    else if (b0 >= 0xe0 && b0 <= 0xef) [length, min] = [3, 0x800];
    else if (b0 >= 0xf0 && b0 <= 0xf4) [length, min] = [4, 0x10000];
    let cp = length === 1 ? b0 : length === 2 ? b0 & 0x1f : length === 3 ? b0 & 0x0f : b0 & 0x07;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) {
      const b = bytes[i + k] ?? 0;
      if ((b & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (b & 0x3f);
    }
    if (ok && length > 1 && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      chunk.push(0xdc00 | b0);
      i += 1;
    } else {
      if (cp >= 0x10000) chunk.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
      else chunk.push(cp);
      i += length;
    }
    if (chunk.length >= 8192) flush();
  }
  flush();
  return parts.join('');
}
