/**
 * The sandbox's world, in memory: what Meta would hold for the Tech Provider's customers. Times are
 * epoch milliseconds from the injected clock.
 */

export interface Business {
  id: string;
  name: string;
  /** The person who ran Embedded Signup for this business (debug_token `user_id`). */
  admin_user_id: string;
  created_at: number;
}

/** An app subscribed to a WABA's webhooks (`POST /{waba}/subscribed_apps`). */
export interface AppSubscription {
  app_id: string;
  override_callback_uri: string | null;
  verify_token: string | null;
  subscribed_at: number;
}

export interface Waba {
  id: string;
  business_id: string;
  name: string;
  currency: string;
  timezone_id: string;
  message_template_namespace: string;
  account_review_status: 'APPROVED' | 'PENDING' | 'REJECTED';
  business_verification_status: 'verified' | 'unverified' | 'pending';
  country: string | null;
  ownership_type: 'CLIENT_OWNED' | 'ON_BEHALF_OF' | 'SELF';
  /** Keyed by app id. */
  subscriptions: Map<string, AppSubscription>;
  created_at: number;
}

export const QUALITY_RATINGS = ['GREEN', 'YELLOW', 'RED', 'NA', 'UNKNOWN'] as const;
export const CODE_VERIFICATION_STATUSES = ['VERIFIED', 'UNVERIFIED', 'NOT_VERIFIED', 'EXPIRED'] as const;
export const NAME_STATUSES = ['APPROVED', 'AVAILABLE_WITHOUT_REVIEW', 'DECLINED', 'EXPIRED', 'PENDING_REVIEW', 'NONE'] as const;
/** `CONNECTED` is the only documented value; the others follow Meta's WhatsAppBusinessPhoneNumber enum. */
export const PHONE_STATUSES = [
  'PENDING',
  'CONNECTED',
  'DISCONNECTED',
  'FLAGGED',
  'RESTRICTED',
  'BANNED',
  'DELETED',
  'MIGRATED',
  'RATE_LIMITED',
  'UNKNOWN',
] as const;
export const THROUGHPUT_LEVELS = ['STANDARD', 'HIGH', 'NOT_APPLICABLE'] as const;
export const MESSAGING_LIMIT_TIERS = [
  'TIER_50',
  'TIER_250',
  'TIER_1K',
  'TIER_2K',
  'TIER_10K',
  'TIER_100K',
  'TIER_UNLIMITED',
  'TIER_NOT_SET',
] as const;
export const ACCOUNT_MODES = ['LIVE', 'SANDBOX'] as const;

export type QualityRating = (typeof QUALITY_RATINGS)[number];
export type CodeVerificationStatus = (typeof CODE_VERIFICATION_STATUSES)[number];
export type NameStatus = (typeof NAME_STATUSES)[number];
export type PhoneStatus = (typeof PHONE_STATUSES)[number];
export type ThroughputLevel = (typeof THROUGHPUT_LEVELS)[number];
export type MessagingLimitTier = (typeof MESSAGING_LIMIT_TIERS)[number];
export type AccountMode = (typeof ACCOUNT_MODES)[number];

export interface PhoneNumber {
  id: string;
  waba_id: string;
  /** As the customer typed it, e.g. `+1 555-010-0001` (Graph returns it formatted). */
  display_phone_number: string;
  /** Digits only (`15550100001`): the webhook `metadata.display_phone_number` and the uniqueness key. */
  digits: string;
  verified_name: string;
  quality_rating: QualityRating;
  code_verification_status: CodeVerificationStatus;
  name_status: NameStatus;
  status: PhoneStatus;
  throughput_level: ThroughputLevel;
  messaging_limit_tier: MessagingLimitTier;
  account_mode: AccountMode;
  is_official_business_account: boolean;
  /** Registered for Cloud API (`POST /register`); `platform_type` is `CLOUD_API` only while true. */
  registered: boolean;
  /** Two-step verification PIN set by the last registration. */
  pin: string | null;
  data_localization_region: string | null;
  last_onboarded_time: number | null;
  created_at: number;
}

/** An Embedded Signup code: 30 s to live, single use, bound to the assets picked in the popup. */
export interface SignupCode {
  code: string;
  app_id: string;
  business_id: string;
  waba_id: string;
  phone_number_id: string | null;
  created_at: number;
  used_at: number | null;
  /** Lifetime of the business token the code exchanges for; null = never expires (`expires_at: 0`). */
  token_ttl_ms: number | null;
}

/** A business integration system-user access token. */
export interface AccessTokenRecord {
  token: string;
  app_id: string;
  business_id: string;
  /** System user the token belongs to (debug_token `user_id`). */
  user_id: string;
  /** WABAs the token may manage and message, newest first. */
  waba_ids: string[];
  issued_at: number;
  /** null = never expires. */
  expires_at: number | null;
  revoked_at: number | null;
}

/** How the Embedded Signup popup hands its results to the opener (tests of the page's either-order logic). */
export interface SignupBehaviour {
  /** Post the FB.login response before the WA_EMBEDDED_SIGNUP FINISH event (default false). */
  login_callback_first: boolean;
  /** The SDK delays the FB.login callback by this much after receiving it (default 0). */
  login_callback_delay_ms: number;
}
