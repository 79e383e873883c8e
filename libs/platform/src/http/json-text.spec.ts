import fc from 'fast-check';
import { AppError } from '../errors/app-error';
import { decodeUtf8Escaped, MAX_JSON_DEPTH, parseJsonBody } from './json-text';

const parse = (text: string | Buffer) => parseJsonBody(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
function refusal(text: string | Buffer): { code: string; param: string | undefined } {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, param: error.param };
    throw error;
  }
  throw new Error(`accepted: ${String(text)}`);
}

describe('parseJsonBody', () => {
  it('reads every JSON object or array exactly as JSON.parse does (property)', () => {
    const storable = fc.jsonValue().filter((v) => !/\\u0000|\\ud[89a-f]/i.test(JSON.stringify(v)) && !Object.is(v, -0));
    fc.assert(
      fc.property(fc.oneof(fc.array(storable), fc.dictionary(fc.string(), storable)), (value) => {
        const text = JSON.stringify(value);
        const ours = parse(text);
        expect(ours).toEqual(JSON.parse(text));
        expect(JSON.stringify(ours)).toBe(text);
      }),
      { numRuns: 300 },
    );
    expect(parse(' { "a" : [ 1 , { } , [ ] , "x\\n\\u00e9\\ud83d\\ude00" ] , "b" : null } ')).toEqual({
      a: [1, {}, [], 'x\né😀'],
      b: null,
    });
  });

  it('refuses what is not JSON, and non-container top levels', () => {
    for (const text of [
      '',
      '{',
      '{"a":1,}',
      '[1,]',
      '{"a" 1}',
      '"x"',
      '1',
      'null',
      '{"a":01}',
      '{"a":1.}',
      '[truex]',
      '{"a":"\t"}',
      '[1] 2',
      '{"a":"\\x"}',
      '[-]',
    ]) {
      expect(refusal(text).code).toBe('invalid_json');
    }
  });

  it(`bounds nesting at ${MAX_JSON_DEPTH} without recursion`, () => {
    expect(() => parse('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).not.toThrow();
    expect(refusal('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)).code).toBe('invalid_json');
    expect(refusal('{"a":' + '['.repeat(100_000)).code).toBe('invalid_json');
  });

  it('refuses strings and numbers that cannot be stored exactly, naming the dotted path', () => {
    expect(refusal('{"metadata":{"foo":"\\ud800"}}')).toEqual({ code: 'invalid_field_value', param: 'metadata.foo' });
    expect(refusal('{"items":[1,2,{"x":"a\\u0000"}]}')).toEqual({ code: 'invalid_field_value', param: 'items[2].x' });
    expect(refusal('{"m":{"a":1e400}}')).toEqual({ code: 'invalid_field_value', param: 'm.a' });
    expect(refusal('{"m":-1e400}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    expect(refusal('{"m":1e-400}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    expect(refusal('{"m":12345678901234567890}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    expect(refusal('{"m":3.14159265358979323846}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    // A double holds 2^60 exactly, but JSON.stringify (and so the database) would write 1152921504606847000.
    expect(refusal('{"m":1152921504606846976}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    expect(refusal('{"m":{"a":1,"a":2}}')).toEqual({ code: 'invalid_field_value', param: 'm.a' });
    expect(refusal('{"m":{"\\udc00":1}}')).toEqual({ code: 'invalid_field_value', param: 'm' });
    expect(parse('{"a":1.50,"b":1e2,"c":-0.0,"d":0.1,"e":0.30000000000000004,"f":9007199254740992}')).toEqual({
      a: 1.5,
      b: 100,
      c: -0,
      d: 0.1,
      e: 0.30000000000000004,
      f: 9007199254740992,
    });
  });

  it('refuses invalid UTF-8 where it is, and keeps valid multi-byte text', () => {
    const bad = Buffer.concat([Buffer.from('{"name":"ok","m":{"x":"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
    expect(refusal(bad)).toEqual({ code: 'invalid_field_value', param: 'm.x' });
    expect(refusal(Buffer.from([0x7b, 0xff, 0x7d])).code).toBe('invalid_json');
    for (const bytes of [
      [0xed, 0xa0, 0x80],
      [0xc0, 0xaf],
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82],
    ]) {
      expect(decodeUtf8Escaped(Buffer.from(bytes))).toMatch(/[\udc80-\udcff]/);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(decodeUtf8Escaped(Buffer.from(s, 'utf8'))).toBe(s);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps __proto__ and other built-in names as own keys, never touching prototypes', () => {
    const value = parse('{"__proto__":{"polluted":1},"constructor":1,"toString":2}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
