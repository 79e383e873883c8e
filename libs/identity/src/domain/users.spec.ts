import { AppError } from '@kirim/platform';
import { requireName } from './names';
import { generatePassword, isUserRole, normalizeEmail, requireEmail } from './users';

describe('emails', () => {
  it('normalises by trimming and lower-casing', () => {
    expect(normalizeEmail('  Ops@Example.COM \n')).toBe('ops@example.com');
    expect(normalizeEmail('a@b.co')).toBe('a@b.co');
  });

  it('requireEmail returns the normalised address', () => {
    expect(requireEmail(' Owner@Example.com')).toBe('owner@example.com');
  });

  it.each(['', 'nope', 'a@b', '@example.com', 'a b@example.com', `${'x'.repeat(250)}@example.com`])(
    'requireEmail refuses %j with invalid_field_value on email',
    (email) => {
      expect(() => requireEmail(email)).toThrow(AppError);
      try {
        requireEmail(email);
      } catch (error) {
        expect((error as AppError).code).toBe('invalid_field_value');
        expect((error as AppError).param).toBe('email');
      }
    },
  );
});

describe('roles', () => {
  it('knows owner and agent only', () => {
    expect(isUserRole('owner')).toBe(true);
    expect(isUserRole('agent')).toBe(true);
    expect(isUserRole('admin')).toBe(false);
    expect(isUserRole(undefined)).toBe(false);
  });
});

describe('passwords and names', () => {
  it('generates 24-character random passwords', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(generatePassword()).not.toBe(a);
  });

  it('names are trimmed and 1-200 characters', () => {
    expect(requireName('name', '  Ops ')).toBe('Ops');
    expect(requireName('name', 'x'.repeat(200))).toHaveLength(200);
    expect(() => requireName('name', '   ')).toThrow(expect.objectContaining({ code: 'invalid_field_value', param: 'name' }));
    expect(() => requireName('label', 'x'.repeat(201))).toThrow(expect.objectContaining({ param: 'label' }));
  });
});
