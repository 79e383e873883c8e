import { Injectable } from '@nestjs/common';
import { EventWriter } from '@kirim/contracts';
import { CryptoService, organizationScope, Transactional } from '@kirim/platform';
import { CustomersService } from '@kirim/tenancy';
import type { ThroughputLevel, WhatsappAccountStatus } from '../domain/account';
import { AccountSendingRepository } from '../infrastructure/account-sending.repository';
import { AccountsRepository } from '../infrastructure/accounts.repository';
import { accountEventScope, toAccountResource } from './resources';

/** An account as the outbound dispatcher uses it: where to send, how fast, and with which token. */
export interface SendingAccount {
  id: string;
  organizationId: string;
  phoneNumberId: string;
  status: WhatsappAccountStatus;
  throughputLevel: ThroughputLevel;
  /** The decrypted business token (never logged, never stored elsewhere). */
  businessToken: string;
  /** Opaque: names the token this read saw, so a token error disconnects only while that token is current. */
  tokenRef: string;
}

/**
 * The whatsapp-accounts side of sending (used by messaging's dispatcher in the worker): the account's
 * sending credentials, and `disconnected` when Meta refuses its token (spec 04 § Health from Meta).
 */
@Injectable()
export class AccountSendingService {
  constructor(
    private readonly sending: AccountSendingRepository,
    private readonly accounts: AccountsRepository,
    private readonly customers: CustomersService,
    private readonly crypto: CryptoService,
    private readonly events: EventWriter,
  ) {}

  async credentials(accountId: string): Promise<SendingAccount | null> {
    const row = await this.sending.findForSending(accountId);
    if (!row) return null;
    return {
      id: row.id,
      organizationId: row.organizationId,
      phoneNumberId: row.phoneNumberId,
      status: row.status,
      throughputLevel: row.throughputLevel,
      businessToken: this.crypto.open(row.businessTokenCiphertext),
      tokenRef: row.businessTokenCiphertext,
    };
  }

  /**
   * Meta refused the account's token (190) or number (133010): the account becomes `disconnected`, with
   * `account.updated` (previous status) and `account.disconnected`. Nothing happens when it is already
   * disconnected or archived, or when a reconnect replaced the token meanwhile. Returns whether it changed.
   */
  @Transactional()
  async disconnectForTokenError(accountId: string, tokenRef: string): Promise<boolean> {
    const changed = await this.sending.disconnectIfToken(accountId, tokenRef);
    if (!changed) return false;
    const account = await this.accounts.findById(organizationScope(changed.organizationId), accountId);
    if (!account) return false;
    const names =
      account.customerId === null ? new Map<string, string>() : await this.customers.namesOf(account.organizationId, [account.customerId]);
    const resource = toAccountResource(
      account,
      account.customerId === null ? null : { id: account.customerId, name: names.get(account.customerId) ?? '' },
    );
    const scope = accountEventScope(account);
    await this.events.append('account.updated', scope, { account: resource }, { status: changed.previous });
    await this.events.append('account.disconnected', scope, { account: resource });
    return true;
  }
}
