import { AppError } from '@kirim/platform';
import { redirectUrlProblem, validateRedirectUrl } from './redirect-url';

describe('redirect URL rules', () => {
  it.each([
    'https://example.com',
    'https://example.com/done?x=1&y=2',
    'HTTPS://EXAMPLE.COM/',
    'https://example.com:8443/a/b',
    'http://localhost:3000/cb',
    'http://127.0.0.1/cb',
    'http://[::1]:8080/cb',
    'http://app.localhost/cb',
    'http://LOCALHOST/cb',
  ])('accepts %s', (url) => expect(redirectUrlProblem(url)).toBeNull());

  it.each([
    ['relative path', '/onboarding/done'],
    ['no scheme', 'example.com/done'],
    ['scheme without authority', 'https:example.com'],
    ['not a URL at all', 'https://'],
    ['plain http to a public host', 'http://example.com/cb'],
    ['http to a host that merely starts with localhost', 'http://localhost.example.com/cb'],
    ['http to another loopback address', 'http://127.0.0.2/cb'],
    ['another scheme', 'ftp://example.com/file'],
    ['javascript', 'javascript://alert(1)'],
    ['fragment', 'https://example.com/done#section'],
    ['empty fragment', 'https://example.com/done#'],
    ['credentials', 'https://user:pass@example.com/cb'],
    ['user only', 'https://user@example.com/cb'],
    ['empty user info', 'https://@example.com/cb'],
    ['whitespace', 'https://example.com/a b'],
    ['control character', 'https://example.com/\u0000'],
  ])('refuses %s', (_label, url) => expect(redirectUrlProblem(url)).not.toBeNull());

  it('takes 2,048 characters, refuses 2,049', () => {
    const base = 'https://example.com/';
    expect(redirectUrlProblem(base + 'a'.repeat(2048 - base.length))).toBeNull();
    expect(redirectUrlProblem(base + 'a'.repeat(2049 - base.length))).toMatch(/2048/);
  });

  it('answers 400 invalid_redirect_url naming the param; null stays null', () => {
    expect(validateRedirectUrl('success_redirect_url', null)).toBeNull();
    expect(validateRedirectUrl('success_redirect_url', 'https://example.com/x')).toBe('https://example.com/x');
    try {
      validateRedirectUrl('failure_redirect_url', 'http://example.com');
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect([(error as AppError).code, (error as AppError).param, (error as AppError).status]).toEqual([
        'invalid_redirect_url',
        'failure_redirect_url',
        400,
      ]);
    }
  });
});
