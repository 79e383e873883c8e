import { Inject, Injectable } from '@nestjs/common';
import { type CustomerResource, type CustomerSetupLinkResource, EventWriter, type WhatsappAccountResource } from '@kirim/contracts';
import { OrganizationsService } from '@kirim/identity';
import {
  APP_CONFIG,
  type AppConfig,
  AppError,
  CryptoService,
  newId,
  organizationScope,
  Page,
  randomToken,
  type TenantScope,
  Transactional,
} from '@kirim/platform';
import { assertNotArchived, type Customer } from '../domain/customer';
import { validateRedirectUrl } from '../domain/redirect-url';
import {
  assertActive,
  isSetupLinkToken,
  linkExpiry,
  NONCE_TTL_MS,
  type SetupLinkStatus,
  TOKEN_PREFIX,
  TOKEN_RANDOM_BYTES,
  tokenLast4,
  tokenLookupPrefix,
  type UnusableLinkReason,
  unusableReason,
} from '../domain/setup-link';
import { CustomersRepository } from '../infrastructure/customers.repository';
import { SetupLinksRepository, type SetupLinkChanges } from '../infrastructure/setup-links.repository';
import { TokenHasher } from '../infrastructure/token-hasher';
import { requireCustomer } from './require-customer';
import { customerEventScope, toCustomerResource, toSetupLinkResource } from './resources';

/** The API answers at most this many links per customer (the most recent). */
export const SETUP_LINKS_LIST_MAX = 50;

export interface CreateSetupLinkInput {
  expiresInHours?: number | undefined;
  successRedirectUrl?: string | null | undefined;
  failureRedirectUrl?: string | null | undefined;
}

/** PATCH: `undefined` leaves a URL alone, `null` clears it. */
export interface UpdateSetupLinkInput {
  successRedirectUrl?: string | null | undefined;
  failureRedirectUrl?: string | null | undefined;
}

/** The create response: the only place the token ever appears (inside `setup_url`). */
export type CreatedSetupLink = CustomerSetupLinkResource & { setup_url: string };

/** A token the onboarding page may use. */
export interface ResolvedSetupLink {
  unusable?: undefined;
  link: CustomerSetupLinkResource;
  customer: CustomerResource;
  organization: { id: string; name: string };
}

/** A token it may not use, and why (`link`/`customer` when the token matched a link, for the failure redirect). */
export interface UnusableSetupLink {
  unusable: UnusableLinkReason;
  link?: CustomerSetupLinkResource;
  customer?: CustomerResource;
}

export interface IssuedNonce {
  nonce: string;
  expiresAt: Date;
}

/**
 * How long a completion may hold a link while it talks to Meta (five Graph calls of at most 10 s each,
 * with room to spare). A crash mid-way leaves the claim to run out; a failure at Meta releases it.
 */
export const SETUP_LINK_CLAIM_LEASE_MS = 2 * 60_000;

/** The outcome of {@link SetupLinksService.claimForCompletion}. */
export type SetupLinkClaim =
  | { claimed: true; claimId: string }
  /** `bad_nonce`: unknown, spent, expired or another link's; `unavailable`: claimed by another completion, or no longer active. */
  | { claimed: false; reason: 'bad_nonce' | 'unavailable' };

class NonceRejected extends Error {}

const NONCE_BYTES = 32;
const NONCE_MAX_LENGTH = 128;

/** Setup links (spec 03 § Setup link): the API side, the onboarding resolver and the expiry sweep. */
@Injectable()
export class SetupLinksService {
  constructor(
    private readonly links: SetupLinksRepository,
    private readonly customers: CustomersRepository,
    private readonly hasher: TokenHasher,
    private readonly crypto: CryptoService,
    private readonly organizations: OrganizationsService,
    private readonly events: EventWriter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The customer's 50 most recent links, newest first, optionally of one (effective) status. */
  async list(
    scope: TenantScope,
    customerId: string,
    filter: { status?: SetupLinkStatus | undefined },
  ): Promise<Page<CustomerSetupLinkResource>> {
    const customer = await requireCustomer(this.customers, scope, customerId);
    const now = new Date();
    const links = await this.links.listForCustomer(scope, customer.id, {
      status: filter.status,
      now,
      take: SETUP_LINKS_LIST_MAX,
    });
    return new Page(
      links.map((link) => toSetupLinkResource(link, now)),
      false,
      null,
    );
  }

  /**
   * A new active link; the customer's earlier active links are revoked (one live link per customer).
   * Emits `customer.setup_link.created` (without the token).
   */
  async create(scope: TenantScope, customerId: string, input: CreateSetupLinkInput): Promise<CreatedSetupLink> {
    const expiresAt = linkExpiry(new Date(), input.expiresInHours);
    const successRedirectUrl = validateRedirectUrl('success_redirect_url', input.successRedirectUrl ?? null);
    const failureRedirectUrl = validateRedirectUrl('failure_redirect_url', input.failureRedirectUrl ?? null);
    const token = TOKEN_PREFIX + randomToken(TOKEN_RANDOM_BYTES);
    // Hashing (tens of ms) happens before the transaction opens (unless a caller already holds one).
    const tokenHash = await this.hasher.hash(token);
    const link = await this.insert(scope, customerId, {
      tokenPrefix: tokenLookupPrefix(token),
      tokenHash,
      tokenLast4: tokenLast4(token),
      expiresAt,
      successRedirectUrl,
      failureRedirectUrl,
    });
    return { ...link, setup_url: `${this.config.ONBOARDING_PUBLIC_URL}/onboard/${token}` };
  }

  @Transactional()
  private async insert(
    scope: TenantScope,
    customerId: string,
    fields: {
      tokenPrefix: string;
      tokenHash: string;
      tokenLast4: string;
      expiresAt: Date;
      successRedirectUrl: string | null;
      failureRedirectUrl: string | null;
    },
  ): Promise<CustomerSetupLinkResource> {
    const customer = await requireCustomer(this.customers, scope, customerId, { forUpdate: true });
    assertNotArchived(customer);
    const now = new Date();
    await this.links.revokeActive(scope, customer.id, now);
    const link = await this.links.create({ id: newId('csl'), organizationId: customer.organizationId, customerId: customer.id, ...fields });
    const resource = toSetupLinkResource(link, now);
    await this.events.append('customer.setup_link.created', customerEventScope(customer), { setup_link: resource });
    return resource;
  }

  /** Changes the redirect URLs of an active link (else 409 `setup_link_not_active`). */
  @Transactional()
  async update(scope: TenantScope, customerId: string, linkId: string, input: UpdateSetupLinkInput): Promise<CustomerSetupLinkResource> {
    const changes: SetupLinkChanges = {};
    if (input.successRedirectUrl !== undefined)
      changes.successRedirectUrl = validateRedirectUrl('success_redirect_url', input.successRedirectUrl);
    if (input.failureRedirectUrl !== undefined)
      changes.failureRedirectUrl = validateRedirectUrl('failure_redirect_url', input.failureRedirectUrl);
    const { link, now } = await this.requireChangeableLink(scope, customerId, linkId);
    const changed = Object.entries(changes).some(([key, value]) => link[key as keyof SetupLinkChanges] !== value);
    if (!changed) return toSetupLinkResource(link, now);
    return toSetupLinkResource(await this.links.update(scope, link.id, changes), now);
  }

  /** Revokes an active link (else 409 `setup_link_not_active`). */
  @Transactional()
  async revoke(scope: TenantScope, customerId: string, linkId: string): Promise<CustomerSetupLinkResource> {
    const { customer, link, now } = await this.requireChangeableLink(scope, customerId, linkId);
    if (!(await this.links.leaveActive(scope, link.id, now, { status: 'revoked' }))) throw notActive(link.id);
    return this.reread(scope, customer, link.id, now);
  }

  // ---- The onboarding side (apps/onboarding): the token is the credential, there is no API key.

  /**
   * Finds the link of a token: an active one with its customer and organization, or why it is unusable
   * (`link_invalid` for a malformed or unknown token). Never throws for a bad token.
   */
  async resolveToken(token: string): Promise<ResolvedSetupLink | UnusableSetupLink> {
    if (!isSetupLinkToken(token)) return { unusable: 'link_invalid' };
    const candidates = await this.links.findByTokenPrefix(tokenLookupPrefix(token));
    const match = await this.hasher.findMatch(candidates, token);
    if (!match) return { unusable: 'link_invalid' };
    const { link: found } = match;
    const now = new Date();
    const customerRow = await this.customers.find({ organizationId: found.organizationId, customerId: found.customerId }, found.customerId);
    if (!customerRow) return { unusable: 'link_invalid' };
    const link = toSetupLinkResource(found, now);
    const customer = toCustomerResource(customerRow);
    const reason = unusableReason(link.status);
    if (reason) return { unusable: reason, link, customer };
    const organization = await this.organizations.get(found.organizationId);
    return { link, customer, organization: { id: organization.id, name: organization.name } };
  }

  /** A single-use nonce bound to the link, valid 30 minutes; stored only as a keyed hash. */
  async issueNonce(linkId: string): Promise<IssuedNonce> {
    const nonce = randomToken(NONCE_BYTES);
    const expiresAt = new Date(Date.now() + NONCE_TTL_MS);
    await this.links.insertNonce({ hash: this.crypto.keyedHash('setup-link', nonce), linkId, expiresAt });
    return { nonce, expiresAt };
  }

  /** True exactly once for a nonce issued for this link and not expired; false otherwise. */
  async consumeNonce(linkId: string, nonce: string): Promise<boolean> {
    if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > NONCE_MAX_LENGTH) return false;
    return this.links.spendNonce(this.crypto.keyedHash('setup-link', nonce), linkId, new Date());
  }

  /**
   * Claims the link for ONE completion before it talks to Meta, and spends the nonce, in one transaction:
   * the claim is taken first (its row lock serialises racing completions), then the nonce; a bad nonce
   * rolls the claim back. So exactly one completion holds a live claim (lease
   * {@link SETUP_LINK_CLAIM_LEASE_MS}) and the others are told the link is unavailable.
   */
  async claimForCompletion(linkId: string, nonce: string): Promise<SetupLinkClaim> {
    try {
      return await this.claimInTransaction(linkId, nonce);
    } catch (error) {
      if (error instanceof NonceRejected) return { claimed: false, reason: 'bad_nonce' };
      throw error;
    }
  }

  @Transactional()
  private async claimInTransaction(linkId: string, nonce: string): Promise<SetupLinkClaim> {
    const claimId = randomToken(16);
    const now = new Date();
    if (!(await this.links.claim(linkId, claimId, now, new Date(now.getTime() + SETUP_LINK_CLAIM_LEASE_MS)))) {
      return { claimed: false, reason: 'unavailable' };
    }
    if (!(await this.consumeNonce(linkId, nonce))) throw new NonceRejected();
    return { claimed: true, claimId };
  }

  /** Gives a claim back after the completion failed (at Meta): the link is active and usable again. */
  async releaseClaim(linkId: string, claimId: string): Promise<void> {
    await this.links.releaseClaim(linkId, claimId);
  }

  /**
   * Marks an active link consumed by a completed signup (called inside the onboarding completion
   * transaction, after the account was written): sets the customer `pending → active` and writes
   * `customer.setup_link.consumed` and `customer.onboarded`. 409 `setup_link_not_active` when the link
   * is no longer active (e.g. a racing completion won) or, given `claimId`, no longer claimed by it.
   */
  @Transactional()
  async consume(
    organizationId: string,
    linkId: string,
    account: WhatsappAccountResource,
    claimId?: string,
  ): Promise<{ link: CustomerSetupLinkResource; customer: CustomerResource }> {
    const scope = organizationScope(organizationId);
    const found = await this.links.findById(scope, linkId);
    if (!found) throw AppError.notFound('setup link', linkId);
    if (account.customer_id !== found.customerId) throw new Error(`Account ${account.id} is not of customer ${found.customerId}`);
    const customer = await requireCustomer(this.customers, scope, found.customerId, { forUpdate: true });
    const now = new Date();
    if (
      !(await this.links.leaveActive(scope, linkId, now, {
        status: 'consumed',
        accountId: account.id,
        ...(claimId !== undefined && { claimId }),
      }))
    )
      throw notActive(linkId);
    const activated = customer.status === 'pending' ? await this.customers.update(scope, customer.id, { status: 'active' }) : customer;
    const link = await this.reread(scope, activated, linkId, now);
    const customerResource = toCustomerResource(activated);
    const eventScope = customerEventScope(activated);
    await this.events.append('customer.setup_link.consumed', eventScope, { setup_link: link, account });
    await this.events.append('customer.onboarded', eventScope, { customer: customerResource, account, setup_link: link });
    return { link, customer: customerResource };
  }

  /** The worker's sweep (one statement, all organizations): persists `expired` for active links past `expires_at`; returns how many. */
  async expireDue(): Promise<number> {
    return this.links.expireDue(new Date());
  }

  /** The customer (locked) and one of its links, both existing and changeable at `now`. */
  private async requireChangeableLink(scope: TenantScope, customerId: string, linkId: string) {
    const customer = await requireCustomer(this.customers, scope, customerId, { forUpdate: true });
    const link = await this.links.find(scope, customer.id, linkId);
    if (!link) throw AppError.notFound('setup link', linkId);
    assertNotArchived(customer);
    const now = new Date();
    assertActive(link, now);
    return { customer, link, now };
  }

  private async reread(scope: TenantScope, customer: Customer, linkId: string, now: Date): Promise<CustomerSetupLinkResource> {
    const link = await this.links.find(scope, customer.id, linkId);
    if (!link) throw AppError.notFound('setup link', linkId);
    return toSetupLinkResource(link, now);
  }
}

function notActive(linkId: string): AppError {
  return new AppError('setup_link_not_active', `Setup link '${linkId}' is no longer active.`);
}
