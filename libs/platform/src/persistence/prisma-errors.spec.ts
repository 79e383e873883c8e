import { isUniqueViolation } from './prisma-errors';

/** What a unique violation looks like from each path (shapes taken from Prisma 7 + @prisma/adapter-pg). */
describe('isUniqueViolation', () => {
  const adapterCause = (kind: string, originalCode: string) => ({
    driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode, kind, constraint: { index: 'x_pkey' }, table: 'x' } },
  });

  it('recognizes a model query’s P2002', () => {
    expect(isUniqueViolation({ code: 'P2002', meta: { ...adapterCause('UniqueConstraintViolation', '23505'), modelName: 'X' } })).toBe(
      true,
    );
  });

  it('recognizes a raw statement’s P2010 whose driver cause is a unique violation', () => {
    expect(isUniqueViolation({ code: 'P2010', meta: adapterCause('UniqueConstraintViolation', '23505') })).toBe(true);
    expect(isUniqueViolation({ code: 'P2010', meta: adapterCause('postgres', '23505') })).toBe(true);
  });

  it('recognizes pg’s own 23505 (statements on the pool)', () => {
    expect(isUniqueViolation(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(true);
  });

  it('is false for other failures', () => {
    expect(isUniqueViolation({ code: 'P2010', meta: adapterCause('ForeignKeyConstraintViolation', '23503') })).toBe(false);
    expect(isUniqueViolation({ code: 'P2010' })).toBe(false);
    expect(isUniqueViolation({ code: 'P2025' })).toBe(false);
    expect(isUniqueViolation({ code: '23503' })).toBe(false);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
    expect(isUniqueViolation(undefined)).toBe(false);
    expect(isUniqueViolation('P2002')).toBe(false);
  });
});
