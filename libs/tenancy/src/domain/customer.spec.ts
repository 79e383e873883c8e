import { AppError } from '@kirim/platform';
import {
  assertNotArchived,
  isEmail,
  METADATA_MAX_BYTES,
  requestStatusChange,
  resumedStatus,
  sanitizeName,
  validateEmail,
  validateMetadata,
  validateName,
  validateTextFilter,
} from './customer';

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

/** A metadata object whose JSON serialisation is exactly `bytes` bytes. */
function metadataOfBytes(bytes: number): Record<string, unknown> {
  const overhead = JSON.stringify({ k: '' }).length;
  return { k: 'x'.repeat(bytes - overhead) };
}

describe('customer name', () => {
  it('trims, collapses whitespace runs (newlines and tabs included) and removes control characters', () => {
    expect(sanitizeName('  Acme \n\n  Corp\t\tLtd  ')).toBe('Acme Corp Ltd');
    expect(sanitizeName('Ac\u0000me\u0007 \u001b\u007fCo\u0085rp')).toBe('Acme Corp');
    expect(sanitizeName('a\r\nb\u00a0\u2003c')).toBe('a b c');
    expect(sanitizeName('a \u0000 b')).toBe('a b');
  });

  it('accepts 1 and 200 characters after sanitising, refuses 0 and 201 (param name)', () => {
    expect(validateName('x')).toBe('x');
    expect(validateName(`  ${'x'.repeat(200)}\n`)).toHaveLength(200);
    expect(validateName(`${'x'.repeat(100)}\n\n\n${'y'.repeat(99)}`)).toHaveLength(200);
    for (const bad of ['', '   \n\t ', '\u0000\u0001', 'x'.repeat(201), `${'x'.repeat(100)}  ${'y'.repeat(100)}`]) {
      const error = errorOf(() => validateName(bad));
      expect([error.code, error.param]).toEqual(['invalid_field_value', 'name']);
    }
  });

  it('counts characters, not UTF-16 units', () => {
    expect([...validateName('😀'.repeat(200))]).toHaveLength(200);
    expect(errorOf(() => validateName('😀'.repeat(201))).param).toBe('name');
  });
});

describe('customer email', () => {
  it.each(['a@b.co', 'first.last+tag@sub.example.com', "o'neil@example.org", 'x@xn--80ak6aa92e.com', 'a@b.xn--p1ai'])(
    'accepts %s',
    (email) => expect(isEmail(email)).toBe(true),
  );

  it.each([
    '',
    'plain',
    '@example.com',
    'a@',
    'a@b',
    'a@b.c',
    'a b@example.com',
    'a@@example.com',
    '.a@example.com',
    'a..b@example.com',
    'a@-b.com',
    'a@b..com',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
  ])('refuses %j', (email) => expect(isEmail(email)).toBe(false));

  it('trims, keeps null, refuses with param email', () => {
    expect(validateEmail(' a@b.co ')).toBe('a@b.co');
    expect(validateEmail(null)).toBeNull();
    const error = errorOf(() => validateEmail('nope'));
    expect([error.code, error.param]).toEqual(['invalid_field_value', 'email']);
  });
});

describe('customer metadata', () => {
  it('takes null or an object; refuses arrays and scalars', () => {
    expect(validateMetadata(null)).toBeNull();
    expect(validateMetadata({ a: [1, { b: null }], c: 'd' })).toEqual({ a: [1, { b: null }], c: 'd' });
    for (const bad of [[], [1], 'x', 1, true]) expect(errorOf(() => validateMetadata(bad)).param).toBe('metadata');
  });

  it('takes 64 keys, refuses 65', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(Object.keys(validateMetadata(keys(64)) ?? {})).toHaveLength(64);
    const error = errorOf(() => validateMetadata(keys(65)));
    expect([error.code, error.param]).toEqual(['invalid_field_value', 'metadata']);
  });

  it('takes exactly 16,384 bytes of UTF-8 JSON, refuses one byte more', () => {
    const exact = metadataOfBytes(METADATA_MAX_BYTES);
    expect(Buffer.byteLength(JSON.stringify(exact))).toBe(16384);
    expect(validateMetadata(exact)).toBe(exact);
    expect(errorOf(() => validateMetadata(metadataOfBytes(METADATA_MAX_BYTES + 1))).param).toBe('metadata');
  });

  it('measures bytes, not characters', () => {
    // 'é' is 2 bytes in UTF-8: 8,190 of them plus {"k":""} (8 bytes) is 16,388 bytes but 8,198 characters.
    expect(errorOf(() => validateMetadata({ k: 'é'.repeat(8190) })).param).toBe('metadata');
    expect(validateMetadata({ k: 'é'.repeat(8188) })).toBeTruthy();
  });

  it('refuses U+0000 anywhere (PostgreSQL jsonb cannot hold it), but not an escaped backslash-u', () => {
    expect(errorOf(() => validateMetadata({ a: 'x\u0000y' })).param).toBe('metadata');
    expect(errorOf(() => validateMetadata({ 'k\u0000': 1 })).param).toBe('metadata');
    expect(errorOf(() => validateMetadata({ a: [{ b: ['\u0000'] }] })).param).toBe('metadata');
    expect(validateMetadata({ a: '\\u0000' })).toEqual({ a: '\\u0000' });
  });
});

describe('text filters', () => {
  it('takes 1–200 characters without control characters', () => {
    expect(validateTextFilter('q', 'a')).toBe('a');
    expect(validateTextFilter('q', 'x'.repeat(200))).toHaveLength(200);
    for (const bad of ['', 'x'.repeat(201), 'a\u0000', 'a\nb']) {
      const error = errorOf(() => validateTextFilter('q', bad));
      expect([error.code, error.param]).toEqual(['invalid_field_value', 'q']);
    }
  });
});

describe('customer status through PATCH', () => {
  it('suspends a pending or active customer', () => {
    expect(requestStatusChange('pending', 'suspended')).toBe('suspended');
    expect(requestStatusChange('active', 'suspended')).toBe('suspended');
  });

  it('resumes a suspended customer (active with an onboarded account, else pending)', () => {
    expect(requestStatusChange('suspended', 'active')).toBe('resume');
    expect(requestStatusChange('suspended', 'pending')).toBe('resume');
    expect(resumedStatus(true)).toBe('active');
    expect(resumedStatus(false)).toBe('pending');
  });

  it('treats the current status as a no-op', () => {
    for (const s of ['pending', 'active', 'suspended'] as const) expect(requestStatusChange(s, s)).toBe(s);
  });

  it.each([
    ['pending', 'active'],
    ['active', 'pending'],
    ['pending', 'archived'],
    ['active', 'archived'],
    ['suspended', 'archived'],
  ] as const)('refuses %s → %s with 400 invalid_field_value param status', (from, to) => {
    const error = errorOf(() => requestStatusChange(from, to));
    expect([error.code, error.param, error.status]).toEqual(['invalid_field_value', 'status', 400]);
  });

  it('refuses any change of an archived customer with 409 customer_archived', () => {
    for (const to of ['pending', 'active', 'suspended', 'archived'] as const) {
      expect(errorOf(() => requestStatusChange('archived', to)).code).toBe('customer_archived');
    }
    expect(errorOf(() => assertNotArchived({ id: 'cus_x', status: 'archived' })).status).toBe(409);
    expect(() => assertNotArchived({ id: 'cus_x', status: 'suspended' })).not.toThrow();
  });
});
