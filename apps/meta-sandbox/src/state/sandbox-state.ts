import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { graphId, opaque } from '../common/ids';
import type {
  AccessTokenRecord,
  AccountMode,
  Business,
  CodeVerificationStatus,
  MessagingLimitTier,
  NameStatus,
  PhoneNumber,
  PhoneStatus,
  QualityRating,
  SignupBehaviour,
  SignupCode,
  ThroughputLevel,
  Waba,
} from './model';

/** Time to live of an Embedded Signup code (reference §2.1: "30-second TTL"). */
export const CODE_TTL_MS = 30_000;
/** Spent and expired codes are forgotten after this long (they then read as unknown). */
const CODE_RETENTION_MS = 60 * 60_000;

/** A rule of the sandbox's world was broken by a control-API or popup request. */
export class StateError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

export interface NewBusiness {
  name?: string;
}

export interface NewWaba {
  business_id: string;
  name?: string;
  currency?: string;
  timezone_id?: string;
  country?: string | null;
}

export interface PhoneNumberAttributes {
  verified_name?: string;
  quality_rating?: QualityRating;
  code_verification_status?: CodeVerificationStatus;
  name_status?: NameStatus;
  status?: PhoneStatus;
  throughput_level?: ThroughputLevel;
  messaging_limit_tier?: MessagingLimitTier;
  account_mode?: AccountMode;
  is_official_business_account?: boolean;
}

export interface NewPhoneNumber extends PhoneNumberAttributes {
  waba_id: string;
  display_phone_number?: string;
}

export interface NewCode {
  app_id: string;
  waba_id: string;
  business_id?: string;
  phone_number_id?: string | null;
  token_ttl_ms?: number | null;
}

export interface NewToken {
  app_id: string;
  waba_ids: string[];
  business_id?: string;
  ttl_ms?: number | null;
}

export type RedeemResult = { ok: true; code: SignupCode } | { ok: false; reason: 'unknown' | 'expired' | 'used' | 'wrong_app' };

export type TokenLookup =
  | { ok: true; token: AccessTokenRecord }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'expired' | 'revoked'; token: AccessTokenRecord };

/** Digits of a phone number as typed (`+1 (555) 010-0001` → `15550100001`), or null when not plausible. */
export function phoneDigits(input: string): string | null {
  if (!/^\+?[\d\s().-]+$/.test(input)) return null;
  const digits = input.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? digits : null;
}

/**
 * The in-memory state of the sandbox: businesses, WABAs, phone numbers, signup codes, business tokens
 * and webhook subscriptions. The Graph controllers read and change it under Meta's rules; the control
 * API and the signup popup create what a customer would create at Meta.
 */
@Injectable()
export class SandboxState {
  private readonly businesses = new Map<string, Business>();
  private readonly wabas = new Map<string, Waba>();
  private readonly phoneNumbers = new Map<string, PhoneNumber>();
  private readonly codes = new Map<string, SignupCode>();
  private readonly tokens = new Map<string, AccessTokenRecord>();
  private readonly usedIds = new Set<string>();
  private phoneSequence = 0;
  private behaviour: SignupBehaviour = { login_callback_first: false, login_callback_delay_ms: 0 };

  constructor(private readonly clock: Clock) {}

  reset(): void {
    this.businesses.clear();
    this.wabas.clear();
    this.phoneNumbers.clear();
    this.codes.clear();
    this.tokens.clear();
    this.phoneSequence = 0;
    this.behaviour = { login_callback_first: false, login_callback_delay_ms: 0 };
    // usedIds is kept: ids stay unique across resets, so a client that remembers an old id never
    // sees it resurrected as something else.
  }

  // ---------------------------------------------------------------------------------------- ids

  private newId(): string {
    let id = graphId();
    while (this.usedIds.has(id)) id = graphId();
    this.usedIds.add(id);
    return id;
  }

  // -------------------------------------------------------------------------------- businesses

  createBusiness(input: NewBusiness = {}): Business {
    const id = this.newId();
    const business: Business = {
      id,
      name: input.name?.trim() || `Sandbox Business ${this.businesses.size + 1}`,
      admin_user_id: this.newId(),
      created_at: this.clock.now(),
    };
    this.businesses.set(id, business);
    return business;
  }

  getBusiness(id: string): Business | undefined {
    return this.businesses.get(id);
  }

  listBusinesses(): Business[] {
    return [...this.businesses.values()];
  }

  // ------------------------------------------------------------------------------------- WABAs

  createWaba(input: NewWaba): Waba {
    const business = this.requireBusiness(input.business_id);
    const id = this.newId();
    const waba: Waba = {
      id,
      business_id: business.id,
      name: input.name?.trim() || `${business.name} WhatsApp`,
      currency: input.currency ?? 'USD',
      timezone_id: input.timezone_id ?? '1',
      message_template_namespace: randomBytes(8).toString('hex'),
      account_review_status: 'APPROVED',
      business_verification_status: 'unverified',
      country: input.country ?? null,
      ownership_type: 'CLIENT_OWNED',
      subscriptions: new Map(),
      created_at: this.clock.now(),
    };
    this.wabas.set(id, waba);
    return waba;
  }

  getWaba(id: string): Waba | undefined {
    return this.wabas.get(id);
  }

  listWabas(businessId?: string): Waba[] {
    return [...this.wabas.values()].filter((w) => businessId === undefined || w.business_id === businessId);
  }

  // ----------------------------------------------------------------------------- phone numbers

  /** A display number not used yet: `+1 555-010-0001`, `+1 555-010-0002`, … */
  nextDisplayPhoneNumber(): string {
    for (;;) {
      this.phoneSequence += 1;
      const n = String(this.phoneSequence).padStart(4, '0');
      const candidate = `+1 555-010-${n}`;
      if (!this.findPhoneNumberByDigits(phoneDigits(candidate) ?? '')) return candidate;
    }
  }

  createPhoneNumber(input: NewPhoneNumber): PhoneNumber {
    const waba = this.requireWaba(input.waba_id);
    const display = input.display_phone_number?.trim() || this.nextDisplayPhoneNumber();
    const digits = phoneDigits(display);
    if (!digits) throw new StateError('invalid', `display_phone_number "${display}" is not a phone number (8-15 digits)`);
    const existing = this.findPhoneNumberByDigits(digits);
    if (existing) {
      throw new StateError(
        'conflict',
        `display_phone_number ${display} already belongs to phone number ${existing.id} (WABA ${existing.waba_id})`,
      );
    }
    const business = this.businesses.get(waba.business_id);
    const id = this.newId();
    const phone: PhoneNumber = {
      id,
      waba_id: waba.id,
      display_phone_number: display,
      digits,
      verified_name: input.verified_name?.trim() || business?.name || waba.name,
      quality_rating: input.quality_rating ?? 'GREEN',
      code_verification_status: input.code_verification_status ?? 'VERIFIED',
      name_status: input.name_status ?? 'APPROVED',
      status: input.status ?? 'PENDING',
      throughput_level: input.throughput_level ?? 'STANDARD',
      messaging_limit_tier: input.messaging_limit_tier ?? 'TIER_250',
      account_mode: input.account_mode ?? 'LIVE',
      is_official_business_account: input.is_official_business_account ?? false,
      registered: false,
      pin: null,
      data_localization_region: null,
      last_onboarded_time: null,
      created_at: this.clock.now(),
    };
    this.phoneNumbers.set(id, phone);
    return phone;
  }

  updatePhoneNumber(id: string, patch: PhoneNumberAttributes): PhoneNumber {
    const phone = this.requirePhoneNumber(id);
    for (const [key, value] of Object.entries(patch) as [keyof PhoneNumberAttributes, unknown][]) {
      if (value !== undefined) (phone as unknown as Record<string, unknown>)[key] = value;
    }
    return phone;
  }

  getPhoneNumber(id: string): PhoneNumber | undefined {
    return this.phoneNumbers.get(id);
  }

  listPhoneNumbers(wabaId?: string): PhoneNumber[] {
    return [...this.phoneNumbers.values()].filter((p) => wabaId === undefined || p.waba_id === wabaId);
  }

  findPhoneNumberByDigits(digits: string): PhoneNumber | undefined {
    return [...this.phoneNumbers.values()].find((p) => p.digits === digits);
  }

  /** `POST /{phone_number_id}/register`: Cloud API registration with a two-step verification PIN. */
  register(phone: PhoneNumber, pin: string, region: string | null): void {
    phone.registered = true;
    phone.pin = pin;
    phone.status = 'CONNECTED';
    phone.data_localization_region = region;
    phone.last_onboarded_time = this.clock.now();
  }

  /** `POST /{phone_number_id}/deregister`. The two-step PIN stays (Meta keeps it). */
  deregister(phone: PhoneNumber): void {
    phone.registered = false;
    phone.status = 'DISCONNECTED';
  }

  // -------------------------------------------------------------------------------------- codes

  issueCode(input: NewCode): SignupCode {
    const waba = this.requireWaba(input.waba_id);
    if (input.business_id !== undefined && input.business_id !== waba.business_id) {
      throw new StateError('invalid', `WABA ${waba.id} belongs to business ${waba.business_id}, not ${input.business_id}`);
    }
    const phoneId = input.phone_number_id ?? null;
    if (phoneId !== null) {
      const phone = this.requirePhoneNumber(phoneId);
      if (phone.waba_id !== waba.id)
        throw new StateError('invalid', `phone number ${phone.id} belongs to WABA ${phone.waba_id}, not ${waba.id}`);
    }
    this.pruneCodes();
    const code: SignupCode = {
      code: opaque('AQ', 96),
      app_id: input.app_id,
      business_id: waba.business_id,
      waba_id: waba.id,
      phone_number_id: phoneId,
      created_at: this.clock.now(),
      used_at: null,
      token_ttl_ms: input.token_ttl_ms ?? null,
    };
    this.codes.set(code.code, code);
    return code;
  }

  /** Spends a code: exactly once, within {@link CODE_TTL_MS}, by the app it was issued to. */
  redeemCode(value: string, appId: string): RedeemResult {
    const code = this.codes.get(value);
    if (!code) return { ok: false, reason: 'unknown' };
    if (code.app_id !== appId) return { ok: false, reason: 'wrong_app' };
    if (code.used_at !== null) return { ok: false, reason: 'used' };
    if (this.clock.now() - code.created_at >= CODE_TTL_MS) return { ok: false, reason: 'expired' };
    code.used_at = this.clock.now();
    return { ok: true, code };
  }

  private pruneCodes(): void {
    const horizon = this.clock.now() - CODE_RETENTION_MS;
    for (const [key, code] of this.codes) if (code.created_at < horizon) this.codes.delete(key);
  }

  // ------------------------------------------------------------------------------------- tokens

  issueToken(input: NewToken): AccessTokenRecord {
    if (input.waba_ids.length === 0) throw new StateError('invalid', 'a business token needs at least one WABA');
    const wabas = input.waba_ids.map((id) => this.requireWaba(id));
    const business = this.requireBusiness(input.business_id ?? wabas[0]?.business_id ?? '');
    const now = this.clock.now();
    const record: AccessTokenRecord = {
      token: opaque('EAA', 120),
      app_id: input.app_id,
      business_id: business.id,
      user_id: business.admin_user_id,
      waba_ids: [...new Set(wabas.map((w) => w.id))].reverse(),
      issued_at: now,
      expires_at: input.ttl_ms == null ? null : now + input.ttl_ms,
      revoked_at: null,
    };
    this.tokens.set(record.token, record);
    return record;
  }

  lookupToken(value: string): TokenLookup {
    const token = this.tokens.get(value);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.revoked_at !== null) return { ok: false, reason: 'revoked', token };
    if (token.expires_at !== null && this.clock.now() >= token.expires_at) return { ok: false, reason: 'expired', token };
    return { ok: true, token };
  }

  listTokens(): AccessTokenRecord[] {
    return [...this.tokens.values()];
  }

  revokeToken(value: string): AccessTokenRecord {
    const token = this.requireToken(value);
    token.revoked_at ??= this.clock.now();
    return token;
  }

  expireToken(value: string): AccessTokenRecord {
    const token = this.requireToken(value);
    token.expires_at = Math.min(token.expires_at ?? Infinity, this.clock.now());
    return token;
  }

  // ------------------------------------------------------------------------- signup behaviour

  get signupBehaviour(): SignupBehaviour {
    return { ...this.behaviour };
  }

  setSignupBehaviour(patch: Partial<SignupBehaviour>): SignupBehaviour {
    this.behaviour = { ...this.behaviour, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
    return this.signupBehaviour;
  }

  // ------------------------------------------------------------------------------------ helpers

  requireBusiness(id: string): Business {
    const business = this.businesses.get(id);
    if (!business) throw new StateError('not_found', `business ${id} does not exist`);
    return business;
  }

  requireWaba(id: string): Waba {
    const waba = this.wabas.get(id);
    if (!waba) throw new StateError('not_found', `WABA ${id} does not exist`);
    return waba;
  }

  requirePhoneNumber(id: string): PhoneNumber {
    const phone = this.phoneNumbers.get(id);
    if (!phone) throw new StateError('not_found', `phone number ${id} does not exist`);
    return phone;
  }

  private requireToken(value: string): AccessTokenRecord {
    const token = this.tokens.get(value);
    if (!token) throw new StateError('not_found', 'unknown access token');
    return token;
  }
}
