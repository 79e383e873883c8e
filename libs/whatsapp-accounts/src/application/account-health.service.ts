import { Injectable, Logger } from '@nestjs/common';
import { EventWriter } from '@kirim/contracts';
import { Transactional } from '@kirim/platform';
import { CustomersService } from '@kirim/tenancy';
import type { WhatsappAccount } from '../domain/account';
import {
  describeTarget,
  type HealthChange,
  matchesTarget,
  type MetaHealthChange,
  planHealthChange,
  readHealthChange,
} from '../domain/account-health';
import { AccountHealthRepository, type HealthCandidates } from '../infrastructure/account-health.repository';
import { accountEventScope, toAccountResource } from './resources';

/**
 * Keeps accounts current from Meta's health webhooks (spec 04 § Health from Meta): quality rating,
 * messaging-limit tier, throughput level, verified name and status, as domain/account-health.ts maps
 * them. Called by messaging's inbound processing inside the payload's transaction (it joins it), so the
 * accounts' changes and their events commit with the payload marked processed.
 */
@Injectable()
export class AccountHealthService {
  private readonly logger = new Logger('AccountHealth');

  constructor(
    private readonly repo: AccountHealthRepository,
    private readonly customers: CustomersService,
    private readonly events: EventWriter,
  ) {}

  /**
   * Applies the changes in payload order: each matching account (locked) that changes gets its row
   * written, `account.updated` with `previous_attributes` (the changed fields only) and, when it becomes
   * `disconnected`, `account.disconnected`. Nothing changed (Meta's duplicates) → no event. Returns notes for
   * what was kept but not applied: unknown WABAs and numbers, archived accounts, events Kirim does not map.
   */
  @Transactional()
  async applyMetaChanges(changes: readonly MetaHealthChange[]): Promise<string[]> {
    const notes: string[] = [];
    const wanted: HealthChange[] = [];
    for (const change of changes) {
      const reading = readHealthChange(change);
      if (reading.kind === 'change') wanted.push(reading.change);
      else notes.push(reading.note);
    }
    if (wanted.length === 0) return notes;

    const accounts = new Map((await this.repo.lockCandidates(candidatesOf(wanted))).map((a) => [a.id, a]));
    for (const change of wanted) {
      const matched = [...accounts.values()].filter((a) => matchesTarget(a, change.target));
      if (matched.length === 0) {
        notes.push(`${change.label}: ${describeTarget(change.target)} unknown`);
        continue;
      }
      for (const account of matched) {
        const plan = planHealthChange(account, change.update);
        if (!plan) {
          if (account.status === 'archived') notes.push(`${change.label}: account ${account.id} archived, not changed`);
          continue;
        }
        const updated = await this.repo.update(account.id, plan.patch);
        accounts.set(updated.id, updated);
        const resource = toAccountResource(updated, await this.customerOf(updated));
        const scope = accountEventScope(updated);
        await this.events.append('account.updated', scope, { account: resource }, plan.previous);
        if (plan.disconnects) await this.events.append('account.disconnected', scope, { account: resource });
        this.logger.log({ msg: 'account health changed', account_id: updated.id, change: change.label, previous: plan.previous });
      }
    }
    return notes;
  }

  private async customerOf(account: WhatsappAccount): Promise<{ id: string; name: string } | null> {
    if (account.customerId === null) return null;
    const names = await this.customers.namesOf(account.organizationId, [account.customerId]);
    return { id: account.customerId, name: names.get(account.customerId) ?? '' };
  }
}

function candidatesOf(changes: readonly HealthChange[]): HealthCandidates {
  const phoneNumberIds = new Set<string>();
  const wabaIds = new Set<string>();
  const digits = new Set<string>();
  for (const { target } of changes) {
    if (target.by === 'phone_number_id') phoneNumberIds.add(target.phoneNumberId);
    else if (target.by === 'waba') wabaIds.add(target.wabaId);
    else if (target.wabaId !== null) wabaIds.add(target.wabaId);
    else digits.add(target.digits);
  }
  return { phoneNumberIds: [...phoneNumberIds], wabaIds: [...wabaIds], digits: [...digits] };
}
