import { ID_PATTERN, ID_PREFIXES, isId, newId } from './ids';

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
