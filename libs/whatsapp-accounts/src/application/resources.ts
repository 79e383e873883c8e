import type { EventScope, WhatsappAccountResource } from '@kirim/contracts';
import type { WhatsappAccount } from '../domain/account';

/** The public resource (spec 04 § Resource). */
export function toAccountResource(account: WhatsappAccount, customer: { id: string; name: string } | null): WhatsappAccountResource {
  return {
    id: account.id,
    object: 'whatsapp_account',
    phone_number_id: account.phoneNumberId,
    waba_id: account.wabaId,
    display_phone_number: account.displayPhoneNumber,
    verified_name: account.verifiedName,
    quality_rating: account.qualityRating,
    throughput_level: account.throughputLevel,
    messaging_limit_tier: account.messagingLimitTier,
    status: account.status,
    customer,
    customer_id: account.customerId,
    team_id: account.teamId,
    onboarded_at: account.onboardedAt.toISOString(),
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}

export function accountEventScope(account: WhatsappAccount): EventScope {
  return { organizationId: account.organizationId, teamId: account.teamId, customerId: account.customerId };
}
