import { AppError } from '@kirim/platform';
import { parseWebhookUrl } from './target-url';

function refusal(raw: unknown, allowHttp = false): { code: string; param: string | undefined; message: string } {
  try {
    parseWebhookUrl(raw, { allowHttp });
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, param: error.param, message: error.message };
    throw error;
  }
  throw new Error(`expected ${String(raw)} to be refused`);
}

describe('webhook URL rules', () => {
  it.each([
    'https://example.com',
    'https://example.com/hooks/kirim?tenant=1&x=y',
    'HTTPS://EXAMPLE.COM/Hooks',
    'https://example.com:8443/a',
    'https://example.com/hooks#frag',
    'https://127.0.0.1/x', // where a host points is the target guard's concern
    'https://[2606:4700:4700::1111]/x',
  ])('accepts %s', (raw) => {
    expect(parseWebhookUrl(raw, { allowHttp: false })).toBeInstanceOf(URL);
  });

  it('returns the parsed URL', () => {
    const url = parseWebhookUrl('https://Example.com:8443/a?b=1', { allowHttp: false });
    expect(url.hostname).toBe('example.com');
    expect(url.port).toBe('8443');
    expect(url.href).toBe('https://example.com:8443/a?b=1');
  });

  it('http only when allowed', () => {
    expect(refusal('http://localhost:4000/hooks')).toMatchObject({
      code: 'invalid_webhook_url',
      param: 'url',
      message: expect.stringMatching(/https/),
    });
    expect(parseWebhookUrl('http://localhost:4000/hooks', { allowHttp: true }).port).toBe('4000');
    expect(refusal('ftp://example.com/x', true)).toMatchObject({ code: 'invalid_webhook_url', param: 'url' });
  });

  it.each([
    ['not a string', 42, /string/],
    ['null', null, /string/],
    ['relative', '/hooks', /absolute/],
    ['no scheme', 'example.com/hooks', /absolute/],
    ['scheme without authority', 'https:example.com', /absolute/],
    ['empty', '', /absolute/],
    ['nothing after the scheme', 'https://', /absolute/],
    ['another scheme', 'wss://example.com/x', /https/],
    ['javascript', 'javascript://alert(1)', /https/],
    ['credentials', 'https://user:pass@example.com/x', /credentials/],
    ['user only', 'https://user@example.com/x', /credentials/],
    ['empty user info', 'https://@example.com/x', /credentials/],
    ['whitespace', 'https://example.com/a b', /whitespace/],
    ['surrounding whitespace', ' https://example.com/', /whitespace/],
    ['a newline', 'https://exa\nmple.com/', /whitespace/],
    ['bad host', 'https://exa mple.com/', /whitespace/],
    ['bad port', 'https://example.com:99999/', /absolute/],
  ])('refuses %s', (_label, raw, message) => {
    expect(refusal(raw)).toEqual({ code: 'invalid_webhook_url', param: 'url', message: expect.stringMatching(message) });
  });

  it('takes 2,048 characters, refuses 2,049', () => {
    const base = 'https://example.com/';
    expect(parseWebhookUrl(base + 'a'.repeat(2048 - base.length), { allowHttp: false }).href).toHaveLength(2048);
    expect(refusal(base + 'a'.repeat(2049 - base.length)).message).toMatch(/2048/);
  });
});
