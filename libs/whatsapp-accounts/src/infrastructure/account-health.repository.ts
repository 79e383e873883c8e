import { Injectable } from '@nestjs/common';
import { Database } from '@kirim/platform';
import type { HealthState } from '../domain/account-health';
import type { WhatsappAccount } from '../domain/account';
import { PUBLIC_COLUMNS, toAccount } from './accounts.repository';

/** Where the accounts of a batch of health changes may be: Meta ids, WABAs, display numbers (digits). */
export interface HealthCandidates {
  phoneNumberIds: string[];
  wabaIds: string[];
  /** Display numbers without a WABA to narrow them (digits only). */
  digits: string[];
}

/**
 * The accounts Meta's health webhooks change (spec 04 § Health from Meta), across organizations on
 * purpose: a webhook names Meta's ids, and each account is changed for its own organization. Runs in the
 * caller's transaction (the inbound payload's): the rows are locked (`FOR UPDATE`) before they are read.
 */
@Injectable()
export class AccountHealthRepository {
  constructor(private readonly db: Database) {}

  /** Locks and reads every account (any status) holding one of the ids, WABAs or display numbers. */
  async lockCandidates(c: HealthCandidates): Promise<WhatsappAccount[]> {
    if (!this.db.inTransaction) throw new Error('AccountHealthRepository.lockCandidates runs inside a transaction');
    if (c.phoneNumberIds.length + c.wabaIds.length + c.digits.length === 0) return [];
    const locked = await this.db.tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM whatsapp_accounts
      WHERE phone_number_id = ANY(${c.phoneNumberIds}::text[])
         OR waba_id = ANY(${c.wabaIds}::text[])
         OR regexp_replace(display_phone_number, '\\D', '', 'g') = ANY(${c.digits}::text[])
      ORDER BY id
      FOR UPDATE`;
    if (locked.length === 0) return [];
    const rows = await this.db.tx.whatsappAccount.findMany({
      select: PUBLIC_COLUMNS,
      where: { id: { in: locked.map((r) => r.id) } },
      orderBy: { id: 'asc' },
    });
    return rows.map(toAccount);
  }

  /** Writes the changed health attributes of a locked account; `updated_at` moves. */
  async update(id: string, patch: Partial<HealthState>): Promise<WhatsappAccount> {
    const row = await this.db.tx.whatsappAccount.update({
      select: PUBLIC_COLUMNS,
      where: { id },
      data: {
        ...(patch.status !== undefined && { status: patch.status }),
        ...(patch.qualityRating !== undefined && { qualityRating: patch.qualityRating }),
        ...(patch.messagingLimitTier !== undefined && { messagingLimitTier: patch.messagingLimitTier }),
        ...(patch.throughputLevel !== undefined && { throughputLevel: patch.throughputLevel }),
        ...(patch.verifiedName !== undefined && { verifiedName: patch.verifiedName }),
      },
    });
    return toAccount(row);
  }
}
