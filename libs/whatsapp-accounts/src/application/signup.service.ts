import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type CustomerResource, type CustomerSetupLinkResource, EventWriter, type WhatsappAccountResource } from '@kirim/contracts';
import { AppError, CryptoService, isUniqueViolation, newId, organizationScope, Transactional } from '@kirim/platform';
import { SetupLinksService } from '@kirim/tenancy';
import { classifyKnownNumber, isMetaId, toQualityRating, toThroughputLevel, type WhatsappAccount } from '../domain/account';
import {
  failureRedirect,
  SIGNUP_ERROR_MESSAGES,
  SignupFailure,
  type SignupErrorCode,
  type SignupOutcome,
  successRedirect,
  unusableLinkRedirect,
} from '../domain/signup';
import { type AccountConnection, AccountsRepository } from '../infrastructure/accounts.repository';
import { MetaApiError } from '../infrastructure/meta-api.error';
import { type GraphPhoneNumber, MetaGraphClient } from '../infrastructure/meta-graph.client';
import { accountEventScope, toAccountResource } from './resources';

export type { SignupErrorCode, SignupOutcome };

export interface CompleteSignupInput {
  token: string;
  nonce: string;
  code: string;
  waba_id: string;
  phone_number_id: string;
  business_id?: string;
}

export interface FailSignupInput {
  token: string;
  nonce: string;
  reason: 'cancelled' | 'error';
  current_step?: string;
  error_code?: string;
  error_message?: string;
}

interface UsableLink {
  link: CustomerSetupLinkResource;
  customer: CustomerResource;
  organizationId: string;
}

const CODE_MAX_LENGTH = 2048;

/**
 * The answer for an unknown token — and, exactly the same, for a wrong or spent nonce (spec 03): nothing
 * about the link, its customer or its redirect, so a token and a guessed nonce are no oracle.
 */
const UNKNOWN_TOKEN: SignupOutcome = {
  status: 'failure',
  error_code: 'link_invalid',
  redirect_url: null,
  customer_id: null,
  setup_link_id: null,
  message: SIGNUP_ERROR_MESSAGES.link_invalid,
};

/**
 * Completion of Embedded Signup for a setup link (spec 03 § The onboarding flow, steps 7–8), called by
 * apps/onboarding. Never throws for a bad token, nonce or Meta failure: every result is a
 * {@link SignupOutcome} with the redirect URL the page should follow (null = show its own screen).
 *
 * Nonces: `complete` and `fail` spend the nonce before anything else, also when the outcome is a failure;
 * the page gets a fresh one by calling `resolve` again before a retry. A wrong or spent nonce is answered
 * exactly like an unknown token. `complete` claims the link together with the nonce, so only one
 * completion at a time talks to Meta; the others get `link_consumed`.
 */
@Injectable()
export class SignupService {
  private readonly logger = new Logger('SignupService');

  constructor(
    private readonly links: SetupLinksService,
    private readonly accounts: AccountsRepository,
    private readonly meta: MetaGraphClient,
    private readonly crypto: CryptoService,
    private readonly events: EventWriter,
  ) {}

  /**
   * Meta, in order: exchange the code, debug_token (the WABA must be among the token's managed WABAs), read
   * the number, subscribe the app to the WABA, register the number with a random 6-digit PIN. Then one
   * transaction: the account (created, or updated for a reconnect) with the token and PIN sealed,
   * `account.connected`, the link consumed (customer active, `customer.setup_link.consumed`,
   * `customer.onboarded`). A failing Meta step leaves the link active and stores nothing.
   */
  async complete(input: CompleteSignupInput): Promise<SignupOutcome> {
    const usable = await this.resolve(input.token);
    if ('failure' in usable) return usable.failure;
    // Exactly one completion performs Meta's steps: the link is claimed (with a lease) and the nonce
    // spent before the first Meta call; every other completion is told the link is consumed.
    const claim = await this.links.claimForCompletion(usable.link.id, input.nonce);
    if (!claim.claimed) {
      if (claim.reason === 'bad_nonce') return UNKNOWN_TOKEN;
      return this.failure(await this.nowUnusable(input.token), usable, SIGNUP_ERROR_MESSAGES.link_consumed);
    }
    let consumed = false;
    try {
      if (typeof input.code !== 'string' || input.code === '' || input.code.length > CODE_MAX_LENGTH) {
        throw new SignupFailure('token_exchange_failed', 'The signup did not hand over a usable code.');
      }
      if (!isMetaId(input.waba_id) || !isMetaId(input.phone_number_id)) {
        throw new SignupFailure('signup_error', 'The signup did not hand over a valid waba_id and phone_number_id.');
      }
      const connection = await this.connectWithMeta(usable, input);
      const account = await this.persist(usable, connection, claim.claimId);
      consumed = true;
      return {
        status: 'success',
        redirect_url: successRedirect(usable.link.success_redirect_url, {
          customer_id: usable.customer.id,
          account_id: account.id,
          phone_number_id: account.phone_number_id,
          setup_link_id: usable.link.id,
        }),
        customer_id: usable.customer.id,
        account_id: account.id,
        phone_number_id: account.phone_number_id,
        setup_link_id: usable.link.id,
      };
    } catch (error) {
      if (error instanceof SignupFailure) return this.failure(error.errorCode, usable, error.message);
      if (error instanceof AppError && error.code === 'setup_link_not_active') {
        // A revocation/expiry meanwhile, or the lease ran out and another completion won: say what the link is now.
        const code = await this.nowUnusable(input.token);
        return this.failure(code, usable, SIGNUP_ERROR_MESSAGES[code]);
      }
      throw error;
    } finally {
      // A failed completion gives the link back at once (spec: it stays active, the client may retry).
      if (!consumed) await this.releaseClaim(usable.link.id, claim.claimId);
    }
  }

  private async releaseClaim(linkId: string, claimId: string): Promise<void> {
    try {
      await this.links.releaseClaim(linkId, claimId);
    } catch (error) {
      // The lease still frees the link when it runs out.
      this.logger.warn({ msg: 'could not release the setup-link claim', setup_link_id: linkId, err: error });
    }
  }

  /** Why the link cannot be completed now: its terminal state, or `link_consumed` (claimed by another completion). */
  private async nowUnusable(token: string): Promise<SignupErrorCode> {
    const now = await this.links.resolveToken(token);
    return now.unusable && now.unusable !== 'link_invalid' ? now.unusable : 'link_consumed';
  }

  /** The popup was cancelled or reported an error: the link stays active (the client may retry). */
  async fail(input: FailSignupInput): Promise<SignupOutcome> {
    const usable = await this.open(input.token, input.nonce);
    if ('failure' in usable) return usable.failure;
    const code: SignupErrorCode = input.reason === 'cancelled' ? 'signup_cancelled' : 'signup_error';
    this.logger.log({
      msg: 'signup reported as failed by the page',
      setup_link_id: usable.link.id,
      error_code: code,
      current_step: clip(input.current_step),
      meta_error_code: clip(input.error_code),
    });
    return this.failure(code, usable, SIGNUP_ERROR_MESSAGES[code]);
  }

  // ---------------------------------------------------------------------------------------------

  /** resolveToken, then spends the nonce (a bad one is answered exactly like an unknown token). */
  private async open(token: string, nonce: string): Promise<UsableLink | { failure: SignupOutcome }> {
    const usable = await this.resolve(token);
    if ('failure' in usable) return usable;
    if (!(await this.links.consumeNonce(usable.link.id, nonce))) return { failure: UNKNOWN_TOKEN };
    return usable;
  }

  /** The link of a token, or the failure outcome of an unusable one. */
  private async resolve(token: string): Promise<UsableLink | { failure: SignupOutcome }> {
    const resolved = await this.links.resolveToken(token);
    if (resolved.unusable !== undefined) {
      const reason = resolved.unusable;
      return {
        failure: {
          status: 'failure',
          error_code: reason,
          redirect_url: unusableLinkRedirect(resolved),
          customer_id: resolved.customer?.id ?? null,
          setup_link_id: resolved.link?.id ?? null,
          message: SIGNUP_ERROR_MESSAGES[reason],
        },
      };
    }
    return { link: resolved.link, customer: resolved.customer, organizationId: resolved.organization.id };
  }

  private failure(code: SignupErrorCode, usable: UsableLink, message: string): SignupOutcome {
    return {
      status: 'failure',
      error_code: code,
      redirect_url: failureRedirect(usable.link.failure_redirect_url, {
        error_code: code,
        customer_id: usable.customer.id,
        setup_link_id: usable.link.id,
      }),
      customer_id: usable.customer.id,
      setup_link_id: usable.link.id,
      message,
    };
  }

  /** The Meta steps; each failure is a {@link SignupFailure} with its code. The token lives only here. */
  private async connectWithMeta(usable: UsableLink, input: CompleteSignupInput): Promise<AccountConnection> {
    const { accessToken } = await this.step('token_exchange_failed', usable, () => this.meta.exchangeCode(input.code));

    const debugged = await this.step('token_exchange_failed', usable, () => this.meta.debugToken(accessToken));
    if (!debugged.isValid) throw new SignupFailure('token_exchange_failed', 'Meta reports the business token as invalid.');
    if (!debugged.managedWabaIds.includes(input.waba_id)) {
      throw new SignupFailure('waba_access_denied', 'The business token may not manage this WhatsApp Business Account.');
    }

    const phone: GraphPhoneNumber = await this.step('signup_error', usable, () =>
      this.meta.getPhoneNumber(accessToken, input.phone_number_id),
    );

    // Before touching the customer's WABA: a number Kirim knows under another owner is refused (re-checked
    // under lock in the transaction). A reconnect re-registers with the account's PIN.
    const holders = await this.accounts.findHoldersOfNumber(input.phone_number_id, phone.displayPhoneNumber);
    const reconnecting = this.decide(holders, usable, input.waba_id, phone.displayPhoneNumber);

    await this.step('webhook_subscription_failed', usable, () => this.meta.subscribeApp(accessToken, input.waba_id));

    const pin = (reconnecting && (await this.storedPin(reconnecting))) ?? newPin();
    await this.step('phone_registration_failed', usable, () => this.meta.registerNumber(accessToken, input.phone_number_id, pin));

    return {
      phoneNumberId: input.phone_number_id,
      wabaId: input.waba_id,
      displayPhoneNumber: phone.displayPhoneNumber,
      verifiedName: phone.verifiedName,
      qualityRating: toQualityRating(phone.qualityRating),
      throughputLevel: toThroughputLevel(phone.throughputLevel),
      messagingLimitTier: phone.messagingLimitTier,
      businessTokenCiphertext: this.crypto.seal(accessToken),
      registrationPinCiphertext: this.crypto.seal(pin),
    };
  }

  private async step<T>(code: SignupErrorCode, usable: UsableLink, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof MetaApiError)) throw error;
      this.logger.warn({ msg: 'signup step failed', setup_link_id: usable.link.id, error_code: code, ...error.toLog() });
      throw new SignupFailure(code, SIGNUP_ERROR_MESSAGES[code]);
    }
  }

  /** The reconnect target among the accounts holding the number, or null for a new number; else `waba_access_denied`. */
  private decide(holders: WhatsappAccount[], usable: UsableLink, wabaId: string, displayPhoneNumber: string): WhatsappAccount | null {
    const candidate = { organizationId: usable.organizationId, customerId: usable.customer.id, wabaId, displayPhoneNumber };
    if (holders.some((h) => classifyKnownNumber(h, candidate) === 'taken')) {
      throw new SignupFailure('waba_access_denied', 'This phone number is already connected under another owner.');
    }
    return holders[0] ?? null;
  }

  private async storedPin(account: WhatsappAccount): Promise<string | null> {
    const secrets = await this.accounts.findSecrets(organizationScope(account.organizationId), account.id);
    return secrets ? this.crypto.open(secrets.registrationPinCiphertext) : null;
  }

  /** One transaction: the account, `account.connected`, the link consumed with the customer's two events. */
  @Transactional()
  private async persist(usable: UsableLink, connection: AccountConnection, claimId: string): Promise<WhatsappAccountResource> {
    const holders = await this.accounts.findHoldersOfNumber(connection.phoneNumberId, connection.displayPhoneNumber);
    const existing = this.decide(holders, usable, connection.wabaId, connection.displayPhoneNumber);
    let account: WhatsappAccount;
    try {
      account = existing
        ? await this.accounts.reconnect(organizationScope(usable.organizationId), existing.id, connection)
        : await this.accounts.create({
            id: newId('wba'),
            organizationId: usable.organizationId,
            teamId: usable.customer.team_id,
            customerId: usable.customer.id,
            onboardedAt: new Date(),
            ...connection,
          });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new SignupFailure('waba_access_denied', 'This phone number was just connected by another signup.');
      throw error;
    }
    const resource = toAccountResource(account, { id: usable.customer.id, name: usable.customer.name });
    await this.events.append('account.connected', accountEventScope(account), { account: resource });
    await this.links.consume(usable.organizationId, usable.link.id, resource, claimId);
    return resource;
  }
}

function newPin(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** Page-supplied text, bounded, for logs. */
function clip(value: string | undefined): string | undefined {
  return value === undefined ? undefined : String(value).slice(0, 200);
}
