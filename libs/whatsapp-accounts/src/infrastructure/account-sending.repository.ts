import { Injectable } from '@nestjs/common';
import { Database } from '@kirim/platform';
import { toThroughputLevel, type ThroughputLevel, type WhatsappAccountStatus } from '../domain/account';

export interface SendingAccountRow {
  id: string;
  organizationId: string;
  phoneNumberId: string;
  status: WhatsappAccountStatus;
  throughputLevel: ThroughputLevel;
  businessTokenCiphertext: string;
}

/**
 * What messaging's dispatcher needs of an account (by its `wba_…` id, no tenant: the worker acts for the
 * account's own organization), and the one status change a Graph token error causes.
 */
@Injectable()
export class AccountSendingRepository {
  constructor(private readonly db: Database) {}

  async findForSending(id: string): Promise<SendingAccountRow | null> {
    const row = await this.db.tx.whatsappAccount.findUnique({
      select: { id: true, orgId: true, phoneNumberId: true, status: true, throughputLevel: true, businessTokenCiphertext: true },
      where: { id },
    });
    if (!row) return null;
    return {
      id: row.id,
      organizationId: row.orgId,
      phoneNumberId: row.phoneNumberId,
      status: row.status,
      throughputLevel: toThroughputLevel(row.throughputLevel),
      businessTokenCiphertext: row.businessTokenCiphertext,
    };
  }

  /**
   * `approved`/`restricted` → `disconnected`, only while the account still holds the token that failed (a
   * reconnect in between replaced it: nothing happens). Returns the organization and the previous status
   * when the account changed, else null.
   */
  async disconnectIfToken(
    id: string,
    businessTokenCiphertext: string,
  ): Promise<{ organizationId: string; previous: WhatsappAccountStatus } | null> {
    const rows = await this.db.tx.$queryRaw<{ org_id: string; previous: WhatsappAccountStatus }[]>`
      UPDATE whatsapp_accounts a SET status = 'disconnected', updated_at = now()
      FROM (SELECT id, status AS previous FROM whatsapp_accounts WHERE id = ${id} FOR UPDATE) p
      WHERE a.id = p.id AND a.business_token_ciphertext = ${businessTokenCiphertext} AND a.status IN ('approved', 'restricted')
      RETURNING a.org_id, p.previous::text AS previous`;
    const row = rows[0];
    return row ? { organizationId: row.org_id, previous: row.previous } : null;
  }
}
