import { Injectable } from '@nestjs/common';
import { ACCOUNT_HEALTH_FIELDS, AccountHealthService } from '@kirim/whatsapp-accounts';
import type { MetaChangeHandler } from './change-router';
import type { MetaChange } from './meta-payload';

/**
 * Account health from Meta's webhooks (`account_update`, `phone_number_quality_update`,
 * `phone_number_name_update`): handed as read to whatsapp-accounts, which owns the account rows, maps each
 * change and writes `account.updated` / `account.disconnected` in the payload's transaction. Unknown WABAs
 * and numbers come back as notes on the payload, never as errors.
 */
@Injectable()
export class AccountHealthHandler implements MetaChangeHandler {
  readonly fields = ACCOUNT_HEALTH_FIELDS;

  constructor(private readonly health: AccountHealthService) {}

  apply(changes: readonly MetaChange[]): Promise<string[]> {
    return this.health.applyMetaChanges(changes.map(({ field, wabaId, value }) => ({ field, wabaId, value })));
  }
}
