/**
 * Public resource shapes that cross contexts (spec 03, 04): produced by one context, carried in events
 * of another, rendered by the API. Timestamps are ISO 8601 UTC strings with milliseconds.
 */
export type CustomerStatus = 'pending' | 'active' | 'suspended' | 'archived';

export interface CustomerResource {
  id: string;
  object: 'customer';
  name: string;
  email: string | null;
  status: CustomerStatus;
  metadata: Record<string, unknown> | null;
  team_id: string;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export type SetupLinkStatus = 'active' | 'consumed' | 'expired' | 'revoked';

export interface CustomerSetupLinkResource {
  id: string;
  object: 'customer_setup_link';
  customer_id: string;
  status: SetupLinkStatus;
  token_last4: string;
  expires_at: string;
  consumed_at: string | null;
  revoked_at: string | null;
  success_redirect_url: string | null;
  failure_redirect_url: string | null;
  account_id: string | null;
  created_at: string;
}

export type WhatsappAccountStatus = 'approved' | 'restricted' | 'disconnected' | 'archived';

export interface WhatsappAccountResource {
  id: string;
  object: 'whatsapp_account';
  phone_number_id: string;
  waba_id: string;
  display_phone_number: string;
  verified_name: string;
  quality_rating: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
  throughput_level: 'STANDARD' | 'HIGH';
  messaging_limit_tier: string | null;
  status: WhatsappAccountStatus;
  customer: { id: string; name: string } | null;
  customer_id: string | null;
  team_id: string;
  onboarded_at: string;
  created_at: string;
  updated_at: string;
}
