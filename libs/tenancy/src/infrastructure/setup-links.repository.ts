import { Injectable } from '@nestjs/common';
import { Database, scopeWhere, type TenantScope } from '@kirim/platform';
import type { SetupLink, SetupLinkStatus } from '../domain/setup-link';

export interface NewSetupLink {
  id: string;
  organizationId: string;
  customerId: string;
  tokenPrefix: string;
  tokenHash: string;
  tokenLast4: string;
  expiresAt: Date;
  successRedirectUrl: string | null;
  failureRedirectUrl: string | null;
}

export interface SetupLinkChanges {
  successRedirectUrl?: string | null;
  failureRedirectUrl?: string | null;
}

/** A link found by its token prefix, with the hash to verify the full token against. */
export interface SetupLinkCandidate {
  link: SetupLink;
  tokenHash: string;
}

type SetupLinkRow = Omit<SetupLink, 'organizationId'> & { orgId: string };

/** The effective-status filter: `active` and `expired` depend on `expires_at`, not only on the stored status. */
function statusWhere(status: SetupLinkStatus | undefined, now: Date) {
  switch (status) {
    case undefined:
      return {};
    case 'active':
      return { status: 'active' as const, expiresAt: { gt: now } };
    case 'expired':
      return { OR: [{ status: 'expired' as const }, { status: 'active' as const, expiresAt: { lte: now } }] };
    case 'consumed':
    case 'revoked':
      return { status };
  }
}

/** Setup links and their onboarding nonces in PostgreSQL; reads are scoped by organization and customer. */
@Injectable()
export class SetupLinksRepository {
  constructor(private readonly db: Database) {}

  async create(link: NewSetupLink): Promise<SetupLink> {
    const { organizationId, ...rest } = link;
    return toSetupLink(await this.db.tx.customerSetupLink.create({ data: { ...rest, orgId: organizationId } }));
  }

  async find(scope: TenantScope, customerId: string, id: string): Promise<SetupLink | null> {
    const row = await this.db.tx.customerSetupLink.findFirst({ where: { AND: [{ id, customerId }, scopeWhere(scope)] } });
    return row ? toSetupLink(row) : null;
  }

  /** The customer's most recent links (newest first), optionally of one effective status. */
  async listForCustomer(
    scope: TenantScope,
    customerId: string,
    options: { status: SetupLinkStatus | undefined; now: Date; take: number },
  ): Promise<SetupLink[]> {
    const rows = await this.db.tx.customerSetupLink.findMany({
      where: { AND: [{ customerId, ...statusWhere(options.status, options.now) }, scopeWhere(scope)] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.take,
    });
    return rows.map(toSetupLink);
  }

  /** Revokes the customer's links that are still active at `now`; returns how many. */
  async revokeActive(scope: TenantScope, customerId: string, now: Date): Promise<number> {
    const { count } = await this.db.tx.customerSetupLink.updateMany({
      where: { AND: [{ customerId, status: 'active', expiresAt: { gt: now } }, scopeWhere(scope)] },
      data: { status: 'revoked', revokedAt: now },
    });
    return count;
  }

  /**
   * Moves one link that is still active at `now` to a terminal state; false when it no longer is
   * (the update is conditional, so two racing callers cannot both win).
   */
  async leaveActive(
    scope: TenantScope,
    id: string,
    now: Date,
    to: { status: 'revoked' } | { status: 'consumed'; accountId: string; claimId?: string },
  ): Promise<boolean> {
    const data =
      to.status === 'revoked'
        ? { status: to.status, revokedAt: now, claimId: null, claimedUntil: null }
        : { status: to.status, consumedAt: now, accountId: to.accountId, claimedUntil: null };
    // Consuming under a claim: only while the claim is still this completion's.
    const claim = to.status === 'consumed' && to.claimId !== undefined ? { claimId: to.claimId } : {};
    const { count } = await this.db.tx.customerSetupLink.updateMany({
      where: { AND: [{ id, status: 'active', expiresAt: { gt: now }, ...claim }, scopeWhere(scope)] },
      data,
    });
    return count === 1;
  }

  /**
   * Claims an active, unexpired link for one completion until `until`, unless another claim is still
   * live; true when this call got it. The conditional update takes the row lock, so racing claimers
   * serialise and exactly one wins.
   */
  async claim(id: string, claimId: string, now: Date, until: Date): Promise<boolean> {
    const { count } = await this.db.tx.customerSetupLink.updateMany({
      where: { id, status: 'active', expiresAt: { gt: now }, OR: [{ claimedUntil: null }, { claimedUntil: { lte: now } }] },
      data: { claimId, claimedUntil: until },
    });
    return count === 1;
  }

  /** Gives a claim back (the completion failed at Meta): the link is usable again at once. */
  async releaseClaim(id: string, claimId: string): Promise<void> {
    await this.db.tx.customerSetupLink.updateMany({ where: { id, claimId }, data: { claimId: null, claimedUntil: null } });
  }

  async update(scope: TenantScope, id: string, changes: SetupLinkChanges): Promise<SetupLink> {
    return toSetupLink(await this.db.tx.customerSetupLink.update({ where: { id, AND: [scopeWhere(scope)] }, data: changes }));
  }

  async findById(scope: TenantScope, id: string): Promise<SetupLink | null> {
    const row = await this.db.tx.customerSetupLink.findFirst({ where: { AND: [{ id }, scopeWhere(scope)] } });
    return row ? toSetupLink(row) : null;
  }

  /**
   * THE ONE UNSCOPED READ of this context: the onboarding page holds only the token (no API key, so no
   * tenant), and the token itself is the credential. The caller must verify the full token against
   * `tokenHash` before using a candidate; the 8-character prefix alone proves nothing.
   */
  async findByTokenPrefix(tokenPrefix: string): Promise<SetupLinkCandidate[]> {
    const rows = await this.db.tx.customerSetupLink.findMany({ where: { tokenPrefix }, take: 10 });
    return rows.map((row) => ({ link: toSetupLink(row), tokenHash: row.tokenHash }));
  }

  /** System sweep (all organizations): persists `expired` for active links past `expires_at`. */
  async expireDue(now: Date): Promise<number> {
    const { count } = await this.db.tx.customerSetupLink.updateMany({
      where: { status: 'active', expiresAt: { lte: now } },
      data: { status: 'expired' },
    });
    return count;
  }

  async insertNonce(nonce: { hash: string; linkId: string; expiresAt: Date }): Promise<void> {
    await this.db.tx.setupLinkNonce.create({ data: { nonceHash: nonce.hash, linkId: nonce.linkId, expiresAt: nonce.expiresAt } });
  }

  /** Spends a nonce of this link that is unused and unexpired at `now`; true exactly once. */
  async spendNonce(hash: string, linkId: string, now: Date): Promise<boolean> {
    const { count } = await this.db.tx.setupLinkNonce.updateMany({
      where: { nonceHash: hash, linkId, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    return count === 1;
  }
}

function toSetupLink(row: SetupLinkRow): SetupLink {
  return {
    id: row.id,
    organizationId: row.orgId,
    customerId: row.customerId,
    tokenLast4: row.tokenLast4,
    status: row.status,
    expiresAt: row.expiresAt,
    consumedAt: row.consumedAt,
    revokedAt: row.revokedAt,
    successRedirectUrl: row.successRedirectUrl,
    failureRedirectUrl: row.failureRedirectUrl,
    accountId: row.accountId,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
