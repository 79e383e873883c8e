import { Inject, Injectable } from '@nestjs/common';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { Clock } from '../common/clock';
import { CODE_TTL_MS, phoneDigits, SandboxState, StateError } from '../state/sandbox-state';
import type { DialogModel } from './dialog-page';

export interface FinishInput {
  app_id: string;
  config_id: string;
  feature_type?: string;
  business_id?: string;
  business_name?: string;
  waba_id?: string;
  waba_name?: string;
  phone_number_id?: string;
  display_phone_number?: string;
  verified_name?: string;
}

export interface FinishResult {
  /** `WA_EMBEDDED_SIGNUP` event name: FINISH, FINISH_ONLY_WABA or FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING. */
  event: string;
  data: { phone_number_id?: string; waba_id: string; business_id: string };
  /** What FB.login's callback receives as `authResponse`. */
  auth_response: { code: string; userID: string; expiresIn: number; graphDomain: 'facebook'; data_access_expiration_time: number };
}

const FINISH_EVENTS: Readonly<Record<string, string>> = {
  only_waba_sharing: 'FINISH_ONLY_WABA',
  whatsapp_business_app_onboarding: 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING',
};

/** The Embedded Signup popup's server side: what the page shows, and what Finish creates. */
@Injectable()
export class SignupService {
  constructor(
    private readonly state: SandboxState,
    private readonly clock: Clock,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** Problems that make Finish impossible (Facebook shows an error page for these). */
  problems(appId: string | undefined, configId: string | undefined): string[] {
    const problems: string[] = [];
    if (appId !== this.config.appId) problems.push(`Invalid App ID: "${appId ?? ''}" is not the sandbox's app (META_APP_ID).`);
    if (configId !== this.config.configId)
      problems.push(`Invalid configuration: "${configId ?? ''}" is not the sandbox's Embedded Signup configuration (META_CONFIG_ID).`);
    return problems;
  }

  dialogModel(input: { appId?: string; configId?: string; requestId?: string; origin?: string; featureType: string }): DialogModel {
    const businesses = this.state.listBusinesses();
    return {
      appId: input.appId ?? '',
      configId: input.configId ?? '',
      requestId: input.requestId ?? '',
      origin: input.origin ?? null,
      featureType: input.featureType,
      problems: this.problems(input.appId, input.configId),
      businesses: businesses.map((b) => ({ id: b.id, name: b.name })),
      wabas: this.state.listWabas().map((w) => ({ id: w.id, name: w.name, business_id: w.business_id })),
      phones: this.state.listPhoneNumbers().map((p) => ({
        id: p.id,
        display_phone_number: p.display_phone_number,
        verified_name: p.verified_name,
        waba_id: p.waba_id,
        status: p.status,
      })),
      defaults: {
        business_name: `Sandbox Business ${businesses.length + 1}`,
        waba_name: `Sandbox WhatsApp ${this.state.listWabas().length + 1}`,
        display_phone_number: this.peekDisplayNumber(),
        verified_name: `Sandbox Business ${businesses.length + 1}`,
      },
      behaviour: this.state.signupBehaviour,
    };
  }

  /**
   * Finish: validates everything first (nothing is half-created), creates the new assets, and mints
   * the code bound to the chosen business, WABA and number.
   */
  finish(input: FinishInput): FinishResult {
    const problems = this.problems(input.app_id, input.config_id);
    if (problems.length) throw new StateError('invalid', problems.join(' '));
    const onlyWaba = input.feature_type === 'only_waba_sharing';

    const business = input.business_id ? this.state.requireBusiness(input.business_id) : undefined;
    if (!business && !input.business_name?.trim()) throw new StateError('invalid', 'Enter a business name.');
    const waba = input.waba_id ? this.state.requireWaba(input.waba_id) : undefined;
    if (waba && (!business || waba.business_id !== business.id)) {
      throw new StateError('invalid', `WhatsApp Business account ${waba.id} does not belong to the chosen business.`);
    }
    if (!waba && !input.waba_name?.trim()) throw new StateError('invalid', 'Enter a WhatsApp Business account name.');
    const phone = !onlyWaba && input.phone_number_id ? this.state.requirePhoneNumber(input.phone_number_id) : undefined;
    if (phone && (!waba || phone.waba_id !== waba.id)) {
      throw new StateError('invalid', `Phone number ${phone.id} does not belong to the chosen WhatsApp Business account.`);
    }
    if (!onlyWaba && !phone) {
      const digits = phoneDigits(input.display_phone_number?.trim() ?? '');
      if (!digits) throw new StateError('invalid', 'Enter a display phone number with 8 to 15 digits, e.g. +1 555-010-0001.');
      const taken = this.state.findPhoneNumberByDigits(digits);
      if (taken)
        throw new StateError(
          'conflict',
          `The number ${input.display_phone_number} is already connected (phone number ${taken.id}); pick it from the list instead.`,
        );
      if (!input.verified_name?.trim()) throw new StateError('invalid', 'Enter a verified (display) name.');
    }

    const b = business ?? this.state.createBusiness({ name: input.business_name });
    const w = waba ?? this.state.createWaba({ business_id: b.id, name: input.waba_name });
    const p = onlyWaba
      ? undefined
      : (phone ??
        this.state.createPhoneNumber({
          waba_id: w.id,
          display_phone_number: input.display_phone_number,
          verified_name: input.verified_name,
        }));
    const code = this.state.issueCode({ app_id: this.config.appId, business_id: b.id, waba_id: w.id, phone_number_id: p?.id ?? null });
    return {
      event: FINISH_EVENTS[input.feature_type ?? ''] ?? 'FINISH',
      data: { ...(p && { phone_number_id: p.id }), waba_id: w.id, business_id: b.id },
      auth_response: {
        code: code.code,
        userID: b.admin_user_id,
        expiresIn: CODE_TTL_MS / 1000,
        graphDomain: 'facebook',
        data_access_expiration_time: Math.floor(this.clock.now() / 1000) + 90 * 24 * 3600,
      },
    };
  }

  /** The next free generated display number, without consuming it. */
  private peekDisplayNumber(): string {
    for (let n = 1; ; n += 1) {
      const candidate = `+1 555-010-${String(n).padStart(4, '0')}`;
      if (!this.state.findPhoneNumberByDigits(phoneDigits(candidate) ?? '')) return candidate;
    }
  }
}
