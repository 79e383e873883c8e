import { loadConfig } from '@kirim/platform';
import { escapeHtml, pageHeaders, renderReadyPage, renderUnusablePage, scriptJson } from './page';

const key = Buffer.alloc(32, 1).toString('base64');
const config = (more: Record<string, string> = {}) =>
  loadConfig({ DATABASE_URL: 'postgresql://x@localhost/db', ENCRYPTION_KEY: key, KEY_PEPPER: key, ...more });

describe('onboarding page rendering', () => {
  it('escapes HTML and makes JSON safe inside a script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = scriptJson({ t: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ t: '</script><!-- & \u2028' });
  });

  it('renders names escaped, the token only in the data block, and an accessible skeleton', () => {
    const html = renderReadyPage({ token: 'csl_TOKEN', organizationName: 'A & B', customerName: '<b>C</b>', signupOrigin: 'facebook.com' });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('A &amp; B');
    expect(html).toContain('&lt;b&gt;C&lt;/b&gt;');
    expect(html.match(/csl_TOKEN/g)).toHaveLength(1);
    expect(html).toContain('role="status" aria-live="polite"');
    for (const view of ['loading', 'ready', 'working', 'success', 'cancelled', 'error', 'unusable'])
      expect(html).toContain(`data-view="${view}"`);
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // no inline script
  });

  it('the 410 page carries the reason and the (escaped) failure redirect', () => {
    const html = renderUnusablePage({
      reason: 'link_revoked',
      failureRedirectUrl: 'https://p.example/ko?a=1&b=2',
      signupOrigin: 'facebook.com',
    });
    expect(html).toContain('data-reason="link_revoked"');
    expect(html).toContain('href="https://p.example/ko?a=1&amp;b=2"');
  });

  it('CSP: scripts from self and the SDK origin; frames/connections to the signup origin', () => {
    const meta = pageHeaders(config())['Content-Security-Policy'];
    expect(meta).toContain("script-src 'self' https://connect.facebook.net");
    expect(meta).toContain('frame-src https://connect.facebook.net https://facebook.com https://*.facebook.com');
    const dev = pageHeaders(config({ META_SDK_URL: 'http://localhost:3005/sdk.js', META_SIGNUP_ORIGIN: 'localhost:3005' }));
    expect(dev['Content-Security-Policy']).toContain("script-src 'self' http://localhost:3005;");
    expect(dev['Cross-Origin-Opener-Policy']).toBe('same-origin-allow-popups');
    expect(dev['Referrer-Policy']).toBe('no-referrer');
    expect(dev['Cache-Control']).toBe('no-store');
  });
});
