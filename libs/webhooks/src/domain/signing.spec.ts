import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signatureHeader } from './signing';

/** Verifies with the independent Standard Webhooks library, as a receiver would. Returns the parsed body. */
function verify(secret: string, body: string, headers: Record<string, string>): unknown {
  return new Webhook(secret).verify(body, headers);
}

function headersFor(secrets: readonly string[], msgId: string, timestamp: number, body: string): Record<string, string> {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatureHeader(secrets, msgId, timestamp, body),
  };
}

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 24 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
    expect(generateWebhookSecret()).not.toBe(secret);
  });
});

describe('webhook-signature (Standard Webhooks)', () => {
  const msgId = 'evt_01HXYZABCDEFGHJKMNPQRSTVWX';
  const body = JSON.stringify({ id: msgId, object: 'event', type: 'customer.created', data: { customer: { name: 'Tōkō ☕' } } });
  // The verifier refuses timestamps more than 5 minutes from its clock, so sign at "now".
  const now = Math.floor(Date.now() / 1000);

  it('one secret: a standard verifier accepts it', () => {
    const secret = generateWebhookSecret();
    const headers = headersFor([secret], msgId, now, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verify(secret, body, headers)).toEqual(JSON.parse(body));
  });

  it('two secrets (rotation): one entry each, in order, and each verifies alone', () => {
    const [older, newer] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = headersFor([older, newer], msgId, now, body);
    const entries = headers['webhook-signature']?.split(' ') ?? [];
    expect(entries).toHaveLength(2);
    expect(entries[0]).toBe(signatureHeader([older], msgId, now, body));
    expect(entries[1]).toBe(signatureHeader([newer], msgId, now, body));
    expect(verify(older, body, headers)).toEqual(JSON.parse(body));
    expect(verify(newer, body, headers)).toEqual(JSON.parse(body));
    expect(() => verify(generateWebhookSecret(), body, headers)).toThrow(/No matching signature/);
  });

  it('a tampered body, timestamp or id fails verification', () => {
    const secret = generateWebhookSecret();
    const headers = headersFor([secret], msgId, now, body);
    expect(() => verify(secret, body.replace('customer.created', 'customer.updated'), headers)).toThrow(/No matching signature/);
    expect(() => verify(secret, body, { ...headers, 'webhook-timestamp': String(now - 1) })).toThrow(/No matching signature/);
    expect(() => verify(secret, body, { ...headers, 'webhook-id': 'evt_01HXYZABCDEFGHJKMNPQRSTVWY' })).toThrow(/No matching signature/);
  });

  it('matches a known vector (key "secret", id msg_1, timestamp 1, body {})', () => {
    // printf 'msg_1.1.{}' | openssl dgst -sha256 -hmac secret -binary | base64
    const secret = 'whsec_' + Buffer.from('secret').toString('base64');
    expect(signatureHeader([secret], 'msg_1', 1, '{}')).toBe('v1,kW+83cjD04uWm7Qber/sPiCRVJ9ljbsrg8ALKAx2qMc=');
  });

  it.each([
    ['no whsec_ prefix', 'c2VjcmV0', /must start with 'whsec_'/],
    ['another prefix', 'whsek_c2VjcmV0', /must start with 'whsec_'/],
    ['empty key', 'whsec_', /followed by base64/],
    ['not base64', 'whsec_not base64!', /followed by base64/],
    ['a damaged base64', 'whsec_c2Vj*mV0', /followed by base64/],
  ])('refuses a secret with %s', (_label, secret, message) => {
    expect(() => signatureHeader([secret], msgId, now, body)).toThrow(message);
  });

  it('refuses an empty secret list and a non-integer timestamp', () => {
    expect(() => signatureHeader([], msgId, now, body)).toThrow(/at least one secret/);
    expect(() => signatureHeader([generateWebhookSecret()], msgId, 1.5, body)).toThrow(/unix seconds/);
  });
});
