/** Why a signup did not connect an account (spec 03 § Redirect URLs, `error_code`). */
export type SignupErrorCode =
  | 'link_invalid'
  | 'link_expired'
  | 'link_consumed'
  | 'link_revoked'
  | 'signup_cancelled'
  | 'signup_error'
  | 'token_exchange_failed'
  | 'waba_access_denied'
  | 'phone_registration_failed'
  | 'webhook_subscription_failed';

export const SIGNUP_ERROR_CODES: readonly SignupErrorCode[] = [
  'link_invalid',
  'link_expired',
  'link_consumed',
  'link_revoked',
  'signup_cancelled',
  'signup_error',
  'token_exchange_failed',
  'waba_access_denied',
  'phone_registration_failed',
  'webhook_subscription_failed',
];

export type SignupOutcome =
  | {
      status: 'success';
      redirect_url: string | null;
      customer_id: string;
      account_id: string;
      phone_number_id: string;
      setup_link_id: string;
    }
  | {
      status: 'failure';
      error_code: SignupErrorCode;
      redirect_url: string | null;
      customer_id: string | null;
      setup_link_id: string | null;
      message: string;
    };

/** A signup step that failed with one of the codes above (internal to the signup flow). */
export class SignupFailure extends Error {
  constructor(
    readonly errorCode: SignupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignupFailure';
  }
}

/**
 * The link's redirect URL with Kirim's parameters (spec 03 § Redirect URLs): existing query parameters are
 * kept; a parameter of the same name as one of Kirim's is replaced (so the platform always reads Kirim's
 * value). `null` without a stored URL.
 */
export function withParams(base: string | null, params: Record<string, string | null>): string | null {
  if (base === null) return null;
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) url.searchParams.set(name, value);
  }
  return url.toString();
}

export function successRedirect(
  base: string | null,
  p: { customer_id: string; account_id: string; phone_number_id: string; setup_link_id: string },
): string | null {
  return withParams(base, { status: 'success', ...p });
}

export function failureRedirect(
  base: string | null,
  p: { error_code: SignupErrorCode; customer_id: string | null; setup_link_id: string | null },
): string | null {
  return withParams(base, { status: 'failure', error_code: p.error_code, customer_id: p.customer_id, setup_link_id: p.setup_link_id });
}

/**
 * The failure redirect of a setup link that cannot be used (unknown, expired, consumed, revoked), with the
 * ids the link's resolution revealed: one rule for the page, the resolve answer and the signup outcome.
 */
export function unusableLinkRedirect(resolved: {
  unusable: SignupErrorCode;
  link?: { id: string; failure_redirect_url: string | null };
  customer?: { id: string };
}): string | null {
  return failureRedirect(resolved.link?.failure_redirect_url ?? null, {
    error_code: resolved.unusable,
    customer_id: resolved.customer?.id ?? null,
    setup_link_id: resolved.link?.id ?? null,
  });
}

/** The words the page shows (or logs) for each failure when the link has no failure URL. */
export const SIGNUP_ERROR_MESSAGES: Readonly<Record<SignupErrorCode, string>> = {
  link_invalid: 'This setup link is not valid.',
  link_expired: 'This setup link has expired. Ask for a new one.',
  link_consumed: 'This setup link has already been used.',
  link_revoked: 'This setup link was revoked. Ask for a new one.',
  signup_cancelled: 'The signup was cancelled. You can try again.',
  signup_error: 'The signup reported an error. You can try again.',
  token_exchange_failed: 'Meta did not accept the signup code. Please try again.',
  waba_access_denied: 'Kirim may not manage this WhatsApp Business Account or number.',
  phone_registration_failed: 'Meta could not register the phone number.',
  webhook_subscription_failed: 'Kirim could not subscribe to the WhatsApp Business Account.',
};
