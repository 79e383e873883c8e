import { loadSandboxConfig, SandboxConfigError } from './config';

describe('loadSandboxConfig', () => {
  it('has development defaults for everything', () => {
    expect(loadSandboxConfig({})).toEqual({
      port: 3005,
      publicUrl: 'http://localhost:3005',
      appId: 'sandbox-app',
      appSecret: 'sandbox-secret',
      configId: 'sandbox-config',
      appName: expect.any(String),
      defaultGraphVersion: 'v25.0',
      webhookUrl: null,
    });
  });

  it('reads the webhook callback URL', () => {
    expect(loadSandboxConfig({ META_SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/meta' }).webhookUrl).toBe(
      'http://127.0.0.1:3000/webhooks/meta',
    );
  });

  it('derives the public URL from the port and normalises an explicit one', () => {
    expect(loadSandboxConfig({ META_SANDBOX_PORT: '4010' }).publicUrl).toBe('http://localhost:4010');
    expect(loadSandboxConfig({ META_SANDBOX_PUBLIC_URL: 'https://meta.kirim.localhost/' }).publicUrl).toBe('https://meta.kirim.localhost');
  });

  it('reads the Meta app settings', () => {
    const config = loadSandboxConfig({ META_APP_ID: '1234567890', META_APP_SECRET: 's3cr3t!', META_CONFIG_ID: '42' });
    expect(config).toMatchObject({ appId: '1234567890', appSecret: 's3cr3t!', configId: '42' });
  });

  it.each([
    [{ META_SANDBOX_PORT: 'abc' }, /^META_SANDBOX_PORT must be an integer between 1 and 65535 \(got "abc"\)$/],
    [{ META_SANDBOX_PORT: '70000' }, /^META_SANDBOX_PORT /],
    [{ META_SANDBOX_PORT: '0' }, /^META_SANDBOX_PORT /],
    [{ META_SANDBOX_PUBLIC_URL: 'localhost:3005' }, /^META_SANDBOX_PUBLIC_URL must use http or https/],
    [{ META_SANDBOX_PUBLIC_URL: 'not a url' }, /^META_SANDBOX_PUBLIC_URL must be an absolute/],
    [{ META_SANDBOX_PUBLIC_URL: 'http://localhost:3005/meta' }, /^META_SANDBOX_PUBLIC_URL must be an origin/],
    [{ META_APP_ID: 'has space' }, /^META_APP_ID must be/],
    [{ META_CONFIG_ID: 'a|b' }, /^META_CONFIG_ID must be/],
    [{ META_APP_ID: '' }, /^META_APP_ID is set but empty/],
    [{ META_SANDBOX_WEBHOOK_URL: 'webhooks/meta' }, /^META_SANDBOX_WEBHOOK_URL must be an absolute/],
    [{ META_SANDBOX_WEBHOOK_URL: 'ftp://x/webhooks' }, /^META_SANDBOX_WEBHOOK_URL must use http or https/],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadSandboxConfig(env)).toThrow(SandboxConfigError);
    expect(() => loadSandboxConfig(env)).toThrow(message);
  });

  it('never echoes a bad secret', () => {
    let message = '';
    try {
      loadSandboxConfig({ META_APP_SECRET: 'top secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^META_APP_SECRET must be/);
    expect(message).not.toContain('top secret');
    expect(message).not.toContain('\n');
  });
});
