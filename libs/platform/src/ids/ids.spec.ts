import { ID_PATTERN, ID_PREFIXES, isId, newId, pooledPrng } from './ids';

describe('ids', () => {
  it('generates <prefix>_ + 26 Crockford base32 characters for every prefix', () => {
    for (const prefix of Object.values(ID_PREFIXES)) {
      const id = newId(prefix);
      expect(id).toMatch(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(id.startsWith(`${prefix}_`)).toBe(true);
      expect(ID_PATTERN.test(id)).toBe(true);
      expect(isId(prefix, id)).toBe(true);
    }
  });

  it('generates 10,000 ids without a collision, in increasing order', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('msg'));
    expect(new Set(ids).size).toBe(10_000);
    expect([...ids].sort()).toEqual(ids);
  });

  it('draws its randomness from a refilled pool: values in [0, 1), every character reachable, a fresh pool on each refill', () => {
    const draws = Array.from({ length: 20_000 }, () => pooledPrng()); // several refills of the 4 KiB pool
    expect(draws.every((value) => value >= 0 && value < 1)).toBe(true);
    const characters = new Set(draws.map((value) => Math.floor(value * 32)));
    expect(characters.size).toBe(32);
    const firstPool = draws.slice(0, 4096).join(',');
    expect(draws.slice(4096, 8192).join(',')).not.toBe(firstPool);
  });

  it('rejects malformed ids: wrong prefix, length, alphabet, case', () => {
    const body = '01HXYZABCDEFGHJKMNPQRSTVWX';
    expect(isId('cus', `cus_${body}`)).toBe(true);
    expect(isId('cus', `org_${body}`)).toBe(false);
    expect(isId('cus', `cus_${body.slice(1)}`)).toBe(false);
    expect(isId('cus', `cus_${body}0`)).toBe(false);
    expect(isId('cus', `cus_${body.slice(1)}I`)).toBe(false); // I, L, O, U are not Crockford
    expect(isId('cus', `cus_${body.toLowerCase()}`)).toBe(false);
    expect(isId('cus', 42)).toBe(false);
    expect(isId('cus', undefined)).toBe(false);
  });
});
