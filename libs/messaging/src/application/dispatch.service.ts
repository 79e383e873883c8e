import { Inject, Injectable, Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { QUEUES } from '@kirim/contracts';
import { APP_CONFIG, type AppConfig, CryptoService, type DurableWork, InjectJobQueue, type JobQueue, sweepLostJobs } from '@kirim/platform';
import { AccountSendingService, MetaApiError, type SendingAccount } from '@kirim/whatsapp-accounts';
import type { Message, MessageError } from '../domain/message';
import { toMetaRequestBody, type OutboundType } from '../domain/outbound/send-request';
import { pacingIntervalMs, ratePerSecond, type ThroughputRates } from '../domain/pacing';
import { classifySendFailure, retryDelayMs } from '../domain/send-failure';
import { type DispatchAccountRow, MessagesRepository } from '../infrastructure/messages.repository';
import { MetaMessagesClient } from '../infrastructure/meta-messages.client';
import { InboundProcessingService } from '../inbound/inbound-processing.service';
import { NumberPacer } from '../infrastructure/number-pacer';
import { toMessageResource } from './resources';

export type DispatchPayload = { messageId: string; accountId: string; slotAt?: number; attempt?: number; wamid?: string };

/** A job wakes this long before its slot, to have its message and token loaded when the slot comes. */
export const SLOT_LEAD_MS = 15;
/** A send the number's gate holds back for longer than this leaves the worker (delayed) instead of waiting inline. */
export const GATE_INLINE_WAIT_MS = 50;
/** How long a number's throughput level is trusted in this process before it is read again. */
const LEVEL_TTL_MS = 10_000;

export type DispatchOutcome = 'sent' | 'failed' | 'skipped';

/**
 * Outbound dispatch (spec 04 § Sending rules, 05 § Send, 08 § guarantees), run by the worker per message:
 *
 * 1. Pacing: the job reserves its number's next slot in Redis (shared by every worker process). A slot
 *    more than {@link SLOT_LEAD_MS} away moves the job to delayed until just before it — the job holds no
 *    worker slot meanwhile, so a hot number's backlog never delays a cold number's message. Right before
 *    the call, a sliding-window gate (also in Redis) admits at most the number's rate per (1 s + margin):
 *    slots spread the sends, the gate keeps the cap exact when delayed jobs wake late and bunch up. A
 *    number without a known backlog (the common case) reads its message first and then asks for slot and
 *    gate in ONE Redis call (the gate only when the slot is now), so the gate still comes right before Meta.
 * 2. The message, its contact's wa_id and its account's row are read in one statement; the message is
 *    skipped unless `pending`; the account's sealed token is opened.
 * 3. At its slot the message goes to Meta. Meta's 200 is recorded in ONE statement (wamid, `sent`,
 *    `message.sent`): a crash between Meta's 200 and that write is the only window for a second send.
 * 4. Throttling pauses the number and retries; transient failures back off and retry; both become final
 *    (`rate_limited` / `meta_error`) after MESSAGING_DISPATCH_MAX_ATTEMPTS Meta calls. Permanent errors fail
 *    the message with the mapped code; token errors also disconnect the account.
 */
@Injectable()
export class DispatchService {
  private readonly logger = new Logger('DispatchService');
  private readonly rates: ThroughputRates;
  private readonly levels = new Map<string, { level: SendingAccount['throughputLevel']; until: number }>();
  /** When (this process's clock) each number's reserved slots run out, as last seen here: a hint, not a rule. */
  private readonly backlogs = new Map<string, number>();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly accounts: AccountSendingService,
    private readonly meta: MetaMessagesClient,
    private readonly pacer: NumberPacer,
    @InjectJobQueue(QUEUES.messagingDispatch) private readonly queue: JobQueue<typeof QUEUES.messagingDispatch>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly inbound: InboundProcessingService,
    private readonly crypto: CryptoService,
  ) {
    this.rates = { STANDARD: config.MESSAGING_THROUGHPUT_STANDARD_PER_SEC, HIGH: config.MESSAGING_THROUGHPUT_HIGH_PER_SEC };
  }

  async dispatch(payload: DispatchPayload, job: Job<DispatchPayload>): Promise<DispatchOutcome> {
    // 1. A slot of the number before anything else (Redis only) when the job has one, or when its number is
    //    known to have a backlog: far slots leave the worker at once, without reading the message.
    let slotAt = payload.wamid === undefined ? payload.slotAt : undefined;
    if (slotAt !== undefined) {
      const until = await this.pacer.untilSlot(slotAt);
      if (until > SLOT_LEAD_MS * 2) return this.delay(job, { ...payload, slotAt }, until - SLOT_LEAD_MS);
    } else if (payload.wamid === undefined && this.backlogged(payload.accountId)) {
      const level = await this.levelOf(payload.accountId);
      const slot = await this.pacer.reserve(payload.accountId, this.intervalOf(level));
      this.noteSlot(payload.accountId, slot.waitMs, level);
      if (slot.waitMs > SLOT_LEAD_MS) return this.delay(job, { ...payload, slotAt: slot.slotAt }, slot.waitMs - SLOT_LEAD_MS);
      slotAt = slot.slotAt;
    }

    // 2. The message, its wa_id and its account (one statement); the account's token.
    const found = await this.messages.findForDispatch(payload.messageId);
    const message = found?.message;
    if (!found || !message || message.status !== 'pending' || message.direction !== 'outbound') return 'skipped';
    const account = found.account && this.sendingAccount(found.account);
    const attempt = (payload.attempt ?? 0) + 1;
    if (!account || (account.status !== 'approved' && account.status !== 'restricted')) {
      const error: MessageError = {
        code: 'account_not_connected',
        message: 'The account is not connected: it was disconnected or archived after the message was accepted.',
        meta_code: null,
        meta_title: null,
      };
      return this.fail(message, account?.phoneNumberId ?? '', error, attempt - 1);
    }
    this.levels.set(account.id, { level: account.throughputLevel, until: Date.now() + LEVEL_TTL_MS });
    const sending: Message = { ...message, phoneNumberId: account.phoneNumberId };

    // Meta already answered an earlier attempt whose record failed: record it, never send again.
    if (payload.wamid !== undefined) return this.recordSent(sending, payload.wamid, payload.attempt ?? 1, job, payload);

    // 3. At its slot, through the number's gate, to Meta.
    const rate = ratePerSecond(account.throughputLevel, this.rates);
    const windowMs = 1000 + this.config.MESSAGING_PACING_MARGIN_MS;
    let admitted = false;
    if (slotAt === undefined) {
      // No backlog known: the slot and, when it is now, the gate in one round trip.
      const slot = await this.pacer.reserveAndAdmit(account.id, this.intervalOf(account.throughputLevel), rate, windowMs);
      this.noteSlot(account.id, slot.waitMs, account.throughputLevel);
      if (slot.waitMs > SLOT_LEAD_MS) return this.delay(job, { ...payload, slotAt: slot.slotAt }, slot.waitMs - SLOT_LEAD_MS);
      slotAt = slot.slotAt;
      if (slot.gate === 0) admitted = true;
      else if (slot.gate !== null) {
        if (slot.gate > GATE_INLINE_WAIT_MS) return this.delay(job, payload, slot.gate);
        await sleep(slot.gate);
      }
    }
    if (!admitted) {
      const wait = await this.pacer.untilSlot(slotAt);
      if (wait > 0) await sleep(wait);
    }
    while (!admitted) {
      const wait = await this.pacer.admit(account.id, rate, windowMs);
      if (wait === 0) break;
      // The window is full (late jobs bunched up, or a pause): wait inline briefly, else leave and take a new slot.
      if (wait > GATE_INLINE_WAIT_MS) {
        const { slotAt: _late, ...rest } = payload;
        return this.delay(job, rest, wait);
      }
      await sleep(wait);
    }
    let wamid: string;
    try {
      ({ wamid } = await this.meta.send(account.businessToken, account.phoneNumberId, toMetaRequestBody(toDraft(message, found.waId))));
    } catch (error) {
      return this.failed(error, sending, account, attempt, job, payload);
    }
    return this.recordSent(sending, wamid, attempt, job, payload);
  }

  /** The sweep: `pending` messages older than the grace period whose job is gone get one again. */
  sweepPending(): Promise<number> {
    return sweepLostJobs({
      queue: this.queue,
      job: 'dispatch',
      graceMs: this.config.MESSAGING_SWEEP_GRACE_MS,
      findStale: async (olderThan, limit): Promise<DurableWork<DispatchPayload>[]> =>
        (await this.messages.findStalePending(olderThan, limit)).map((m) => ({
          id: m.id,
          payload: { messageId: m.id, accountId: m.accountId },
        })),
    });
  }

  private async recordSent(
    message: Message,
    wamid: string,
    attempt: number,
    job: Job<DispatchPayload>,
    payload: DispatchPayload,
  ): Promise<DispatchOutcome> {
    const at = new Date();
    const sent: Message = { ...message, status: 'sent', wamid, sentAt: at, updatedAt: at, attempts: attempt };
    try {
      const { recorded, earlyStatuses } = await this.messages.recordSent(message, wamid, attempt, at, {
        type: 'message.sent',
        data: { message: toMessageResource(sent) },
      });
      if (earlyStatuses) {
        this.logger.log({ msg: 'statuses arrived before the wamid was recorded', message_id: message.id });
        // After the record committed (it is one statement): apply them now; the early-status sweep retries a failure.
        await this.inbound.applyEarlyStatuses(message.accountId, wamid).catch((error: unknown) => {
          this.logger.warn({ msg: 'early statuses not applied yet; the sweep will', message_id: message.id, err: error });
        });
      }
      return recorded ? 'sent' : 'skipped';
    } catch (error) {
      // Meta has the message: keep its wamid with the job so that the retry records it instead of sending again.
      await job.updateData({ ...payload, wamid, attempt }).catch(() => undefined);
      throw error;
    }
  }

  private async failed(
    error: unknown,
    message: Message,
    account: SendingAccount,
    attempt: number,
    job: Job<DispatchPayload>,
    payload: DispatchPayload,
  ): Promise<DispatchOutcome> {
    if (!(error instanceof MetaApiError)) throw error;
    const failure = classifySendFailure({
      kind: error.kind,
      code: error.code,
      httpStatus: error.httpStatus,
      message: error.message,
      details: error.details,
    });
    const max = this.config.MESSAGING_DISPATCH_MAX_ATTEMPTS;
    switch (failure.kind) {
      case 'throttled': {
        await this.pacer.pause(account.id, this.config.MESSAGING_THROTTLE_PAUSE_MS);
        this.backlogs.set(account.id, Date.now() + this.config.MESSAGING_THROTTLE_PAUSE_MS);
        if (attempt >= max) return this.fail(message, account.phoneNumberId, failure.error, attempt);
        await this.messages.recordRetry(message.id, attempt, new Date());
        const slot = await this.pacer.reserve(account.id, this.intervalOf(account.throughputLevel));
        this.noteSlot(account.id, slot.waitMs, account.throughputLevel);
        return this.delay(job, { ...payload, attempt, slotAt: slot.slotAt }, Math.max(0, slot.waitMs - SLOT_LEAD_MS));
      }
      case 'transient': {
        if (attempt >= max) return this.fail(message, account.phoneNumberId, failure.error, attempt);
        await this.messages.recordRetry(message.id, attempt, new Date());
        const { slotAt: _spent, ...rest } = payload;
        return this.delay(job, { ...rest, attempt }, retryDelayMs(attempt, this.config.MESSAGING_RETRY_BASE_MS));
      }
      case 'account': {
        const outcome = await this.fail(message, account.phoneNumberId, failure.error, attempt);
        const disconnected = await this.accounts.disconnectForTokenError(account.id, account.tokenRef);
        if (disconnected)
          this.logger.warn({ msg: 'account disconnected by a Meta token error', account_id: account.id, meta_code: error.code });
        return outcome;
      }
      case 'permanent':
        return this.fail(message, account.phoneNumberId, failure.error, attempt);
    }
  }

  private async fail(message: Message, phoneNumberId: string, error: MessageError, attempts: number): Promise<DispatchOutcome> {
    const at = new Date();
    const failed: Message = { ...message, phoneNumberId, status: 'failed', error, failedAt: at, updatedAt: at, attempts };
    await this.messages.recordFailed(message, error, attempts, at, {
      type: 'message.failed',
      data: { message: toMessageResource(failed) },
    });
    return 'failed';
  }

  /** Moves the job to delayed (it leaves the worker now) with its new data; BullMQ needs the DelayedError. */
  private async delay(job: Job<DispatchPayload>, data: DispatchPayload, delayMs: number): Promise<never> {
    await job.updateData(data);
    await job.moveToDelayed(Date.now() + Math.max(0, Math.round(delayMs)), job.token);
    throw new DelayedError();
  }

  /**
   * The account as sending uses it, from the row the message's read joined (one statement instead of
   * whatsapp-accounts' `credentials` read): the token is opened per send, never cached (decision 56).
   */
  private sendingAccount(row: DispatchAccountRow): SendingAccount {
    const { businessTokenCiphertext, ...facts } = row;
    const sendable = row.status === 'approved' || row.status === 'restricted';
    return { ...facts, businessToken: sendable ? this.crypto.open(businessTokenCiphertext) : '', tokenRef: businessTokenCiphertext };
  }

  /**
   * Whether the number's next slot is probably far (this process reserved far slots for it lately): then
   * the slot is reserved first and a far one leaves without reading the message. Else the message is read
   * first and slot and gate are one round trip. A wrong guess costs one read, never a send over the cap.
   */
  private backlogged(accountId: string): boolean {
    const until = this.backlogs.get(accountId);
    if (until === undefined) return false;
    if (until - Date.now() > SLOT_LEAD_MS) return true;
    this.backlogs.delete(accountId);
    return false;
  }

  private noteSlot(accountId: string, waitMs: number, level: SendingAccount['throughputLevel']): void {
    const until = Date.now() + waitMs + this.intervalOf(level);
    if (until - Date.now() > SLOT_LEAD_MS) this.backlogs.set(accountId, until);
  }

  private intervalOf(level: SendingAccount['throughputLevel']): number {
    return pacingIntervalMs(ratePerSecond(level, this.rates), this.config.MESSAGING_PACING_MARGIN_MS);
  }

  private async levelOf(accountId: string): Promise<SendingAccount['throughputLevel']> {
    const known = this.levels.get(accountId);
    if (known && known.until > Date.now()) return known.level;
    const account = await this.accounts.credentials(accountId);
    const level = account?.throughputLevel ?? 'STANDARD';
    this.levels.set(accountId, { level, until: Date.now() + LEVEL_TTL_MS });
    return level;
  }
}

function toDraft(message: Message, waId: string) {
  return {
    to: waId,
    type: message.type as OutboundType,
    content: message.content,
    context: message.context,
    bizOpaqueCallbackData: message.bizOpaqueCallbackData,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
