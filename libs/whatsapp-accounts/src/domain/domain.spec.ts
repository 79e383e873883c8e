import { classifyKnownNumber, isMetaId, phoneDigits, toQualityRating, toThroughputLevel } from './account';
import { failureRedirect, successRedirect } from './signup';

describe('account domain', () => {
  it('maps Meta quality ratings and throughput levels onto the resource enums', () => {
    expect(['GREEN', 'YELLOW', 'RED', 'NA', 'UNKNOWN', null, undefined, 'x'].map(toQualityRating)).toEqual([
      'GREEN',
      'YELLOW',
      'RED',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
      'UNKNOWN',
    ]);
    expect(['HIGH', 'STANDARD', 'NOT_APPLICABLE', null].map(toThroughputLevel)).toEqual(['HIGH', 'STANDARD', 'STANDARD', 'STANDARD']);
  });

  it('accepts Meta ids of 6–20 digits only', () => {
    expect(['123456', '1'.repeat(20)].every(isMetaId)).toBe(true);
    expect(['12345', '1'.repeat(21), '12345a', ' 123456', '', 123456].some(isMetaId)).toBe(false);
  });

  it('a known number is a reconnect only for the same organization, customer, WABA and display number', () => {
    const existing = { organizationId: 'org_a', customerId: 'cus_a', wabaId: '100001', displayPhoneNumber: '+62 811-1222 333' };
    const same = { organizationId: 'org_a', customerId: 'cus_a', wabaId: '100001', displayPhoneNumber: '+62 811 1222 333' };
    expect(phoneDigits(same.displayPhoneNumber)).toBe('628111222333');
    expect(classifyKnownNumber(existing, same)).toBe('reconnect');
    expect(classifyKnownNumber(existing, { ...same, customerId: 'cus_b' })).toBe('taken');
    expect(classifyKnownNumber(existing, { ...same, organizationId: 'org_b' })).toBe('taken');
    expect(classifyKnownNumber(existing, { ...same, wabaId: '100002' })).toBe('taken');
    expect(classifyKnownNumber(existing, { ...same, displayPhoneNumber: '+62 811 1222 334' })).toBe('taken');
  });
});

describe('signup redirects', () => {
  it('appends the success parameters and keeps the URL’s own', () => {
    const url = successRedirect('https://platform.example/done?ref=abc', {
      customer_id: 'cus_1',
      account_id: 'wba_1',
      phone_number_id: '123456',
      setup_link_id: 'csl_1',
    });
    const u = new URL(url ?? '');
    expect(u.origin + u.pathname).toBe('https://platform.example/done');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      ref: 'abc',
      status: 'success',
      customer_id: 'cus_1',
      account_id: 'wba_1',
      phone_number_id: '123456',
      setup_link_id: 'csl_1',
    });
  });

  it('failure parameters omit what is unknown; Kirim’s own names win over the URL’s', () => {
    const url = failureRedirect('http://localhost:8080/ko?status=spoofed&x=1', {
      error_code: 'link_expired',
      customer_id: 'cus_1',
      setup_link_id: null,
    });
    expect(Object.fromEntries(new URL(url ?? '').searchParams)).toEqual({
      status: 'failure',
      x: '1',
      error_code: 'link_expired',
      customer_id: 'cus_1',
    });
  });

  it('no stored URL → null (the page shows its own screen)', () => {
    expect(failureRedirect(null, { error_code: 'link_invalid', customer_id: null, setup_link_id: null })).toBeNull();
  });
});
