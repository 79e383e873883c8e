import { AppError } from '@kirim/platform';

export const WEBHOOK_URL_MAX_LENGTH = 2048;

// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001F\u007F-\u009F]/;

/**
 * spec 06 § URL rules, the part that needs no network: a string of at most 2,048 characters, an absolute
 * URL, `https` (`http` too when `WEBHOOK_ALLOW_HTTP=true`), no credentials, a host. A fragment is allowed
 * (it is never sent). Where the host points is the target guard's job, at create and at every delivery.
 * Else 400 `invalid_webhook_url` with `param: "url"`.
 */
export function parseWebhookUrl(raw: unknown, options: { allowHttp: boolean }): URL {
  const fail = (reason: string): never => {
    throw new AppError('invalid_webhook_url', `'url' ${reason}`, { param: 'url' });
  };
  if (typeof raw !== 'string') return fail('must be a string.');
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return fail(`must be at most ${WEBHOOK_URL_MAX_LENGTH} characters.`);
  // URL silently strips surrounding whitespace and inner tabs/newlines: refuse them rather than store one URL and call another.
  if (WHITESPACE_OR_CONTROL.test(raw)) return fail('must not contain whitespace or control characters.');
  // Absolute means an explicit scheme and authority: URL reads `https:example.com` leniently as https://example.com/.
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) return fail('must be an absolute URL such as https://example.com/webhooks.');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('must be an absolute URL such as https://example.com/webhooks.');
  }
  const schemes = options.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return fail(options.allowHttp ? 'must use https or http.' : 'must use https.');
  // `https://@host` parses to an empty username: look at the authority itself too.
  const authority = raw.slice(raw.indexOf('//') + 2).split(/[/?#]/, 1)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) return fail('must not contain credentials (user:password@).');
  if (url.hostname === '') return fail('must have a host.');
  return url;
}
