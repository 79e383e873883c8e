import { lastFour } from '../common/ids';
import type { SandboxTemplate } from '../state/messaging-model';
import type { AccessTokenRecord, Business, PhoneNumber, SignupCode, Waba } from '../state/model';
import { CODE_TTL_MS } from '../state/sandbox-state';

/** JSON shapes of the control API (sandbox-specific; not Graph shapes). */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function businessView(b: Business) {
  return { id: b.id, name: b.name, admin_user_id: b.admin_user_id, created_at: iso(b.created_at) };
}

export function wabaView(w: Waba) {
  return {
    id: w.id,
    business_id: w.business_id,
    name: w.name,
    currency: w.currency,
    timezone_id: w.timezone_id,
    country: w.country,
    message_template_namespace: w.message_template_namespace,
    subscribed_apps: [...w.subscriptions.values()].map((s) => ({
      app_id: s.app_id,
      override_callback_uri: s.override_callback_uri,
      verify_token: s.verify_token,
      subscribed_at: iso(s.subscribed_at),
    })),
    created_at: iso(w.created_at),
  };
}

export function phoneNumberView(p: PhoneNumber) {
  return {
    id: p.id,
    waba_id: p.waba_id,
    display_phone_number: p.display_phone_number,
    digits: p.digits,
    verified_name: p.verified_name,
    quality_rating: p.quality_rating,
    code_verification_status: p.code_verification_status,
    name_status: p.name_status,
    status: p.status,
    throughput_level: p.throughput_level,
    messaging_limit_tier: p.messaging_limit_tier,
    account_mode: p.account_mode,
    is_official_business_account: p.is_official_business_account,
    registered: p.registered,
    two_step_pin_set: p.pin !== null,
    data_localization_region: p.data_localization_region,
    last_onboarded_time: iso(p.last_onboarded_time),
    created_at: iso(p.created_at),
  };
}

export function codeView(c: SignupCode) {
  return {
    code: c.code,
    business_id: c.business_id,
    waba_id: c.waba_id,
    phone_number_id: c.phone_number_id,
    expires_at: iso(c.created_at + CODE_TTL_MS),
  };
}

/** Tokens are shown by their last four characters only. */
export function tokenView(t: AccessTokenRecord) {
  return {
    token_last4: lastFour(t.token),
    business_id: t.business_id,
    user_id: t.user_id,
    waba_ids: [...t.waba_ids],
    issued_at: iso(t.issued_at),
    expires_at: iso(t.expires_at),
    revoked_at: iso(t.revoked_at),
  };
}

export function templateView(t: SandboxTemplate) {
  return {
    id: t.id,
    waba_id: t.waba_id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    parameter_format: t.parameter_format,
    components: t.components,
    created_at: iso(t.created_at),
  };
}
