import { AppError } from '@kirim/platform';

export const REDIRECT_URL_MAX_LENGTH = 2048;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001F\u007F-\u009F]/;

/**
 * Redirect URL rules (spec 03 § Redirect URLs), at create and at PATCH: absolute; `https`, or `http`
 * only for localhost, 127.0.0.1, [::1] and *.localhost; no fragment; ≤ 2,048 characters; no
 * credentials. Returns the URL as given (null stays null); else 400 `invalid_redirect_url` with `param`.
 */
export function validateRedirectUrl(param: string, raw: string | null): string | null {
  if (raw === null) return null;
  const reason = redirectUrlProblem(raw);
  if (reason) throw new AppError('invalid_redirect_url', `${param} ${reason}`, { param });
  return raw;
}

/** Why `raw` is not an acceptable redirect URL, or null when it is. */
export function redirectUrlProblem(raw: string): string | null {
  if (raw.length > REDIRECT_URL_MAX_LENGTH) return `must be at most ${REDIRECT_URL_MAX_LENGTH} characters`;
  if (WHITESPACE_OR_CONTROL.test(raw)) return 'must not contain whitespace or control characters';
  // Absolute means an explicit scheme and authority: `https:example.com` is parsed leniently by URL.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) return 'must be an absolute URL';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (raw.includes('#')) return 'must not have a fragment (#)';
  const authority = raw.slice(raw.indexOf('//') + 2).split(/[/?]/, 1)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) return 'must not contain credentials';
  if (url.hostname === '') return 'must have a host';
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && isLocalHost(url.hostname)) return null;
  return 'must use https (http is allowed only for localhost, 127.0.0.1, [::1] and *.localhost)';
}

function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOCAL_HOSTS.has(host) || host.endsWith('.localhost');
}
