import { AppError, randomToken } from '@kirim/platform';
import { assertActive, effectiveStatus, isSetupLinkToken, linkExpiry, tokenLast4, tokenLookupPrefix, unusableReason } from './setup-link';

const now = new Date('2026-06-04T10:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);

describe('setup link expiry', () => {
  it('defaults to 168 hours and takes 1 and 720', () => {
    expect(linkExpiry(now, undefined).toISOString()).toBe('2026-06-11T10:00:00.000Z');
    expect(linkExpiry(now, 1).getTime() - now.getTime()).toBe(3_600_000);
    expect(linkExpiry(now, 720).getTime() - now.getTime()).toBe(30 * 24 * 3_600_000);
  });

  it.each([0, 721, -1, 1.5, Number.NaN])('refuses %s with param expires_in_hours', (hours) => {
    expect(() => linkExpiry(now, hours)).toThrow(expect.objectContaining({ code: 'invalid_field_value', param: 'expires_in_hours' }));
  });
});

describe('setup link lifecycle', () => {
  it('reads an active link past expires_at as expired, at the instant it passes', () => {
    const link = { status: 'active' as const, expiresAt: later(1000) };
    expect(effectiveStatus(link, now)).toBe('active');
    expect(effectiveStatus(link, later(999))).toBe('active');
    expect(effectiveStatus(link, later(1000))).toBe('expired');
    expect(effectiveStatus({ status: 'revoked', expiresAt: later(-1) }, now)).toBe('revoked');
    expect(effectiveStatus({ status: 'consumed', expiresAt: later(-1) }, now)).toBe('consumed');
  });

  it('only an active link may change (terminal states are final): else 409 setup_link_not_active', () => {
    expect(() => assertActive({ id: 'csl_x', status: 'active', expiresAt: later(1) }, now)).not.toThrow();
    for (const link of [
      { id: 'csl_x', status: 'active' as const, expiresAt: now },
      { id: 'csl_x', status: 'expired' as const, expiresAt: later(-1) },
      { id: 'csl_x', status: 'consumed' as const, expiresAt: later(1) },
      { id: 'csl_x', status: 'revoked' as const, expiresAt: later(1) },
    ]) {
      let error: unknown;
      try {
        assertActive(link, now);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect([(error as AppError).code, (error as AppError).status]).toEqual(['setup_link_not_active', 409]);
    }
  });

  it('names why an inactive link is unusable', () => {
    expect(unusableReason('active')).toBeNull();
    expect(unusableReason('expired')).toBe('link_expired');
    expect(unusableReason('consumed')).toBe('link_consumed');
    expect(unusableReason('revoked')).toBe('link_revoked');
  });
});

describe('setup link tokens', () => {
  it('are csl_ + 24 base64url characters, distinct from link ids', () => {
    const token = `csl_${randomToken(18)}`;
    expect(isSetupLinkToken(token)).toBe(true);
    expect(isSetupLinkToken('csl_01HXYZABCDEFGHJKMNPQRSTVWX')).toBe(false); // an id: 26 characters
    expect(isSetupLinkToken(`csl_${randomToken(18)}x`)).toBe(false);
    expect(isSetupLinkToken(`cus_${randomToken(18)}`)).toBe(false);
    expect(isSetupLinkToken('csl_abc+def/ghijklmnopqrstuvw')).toBe(false);
    expect(isSetupLinkToken(42)).toBe(false);
  });

  it('look up by the 8 characters after csl_ and show the last 4', () => {
    const token = 'csl_ABCDEFGHijklmnop_-qrstuv';
    expect(tokenLookupPrefix(token)).toBe('ABCDEFGH');
    expect(tokenLast4(token)).toBe('stuv');
  });
});
