import { Body, Controller, HttpCode, Inject, Param, Post, UsePipes } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { SandboxConfig } from '../app/config';
import { SANDBOX_CONFIG } from '../app/tokens';
import { Clock } from '../common/clock';
import {
  MESSAGING_LIMIT_TIERS,
  QUALITY_RATINGS,
  THROUGHPUT_LEVELS,
  type MessagingLimitTier,
  type PhoneNumber,
  type PhoneStatus,
  type QualityRating,
  type ThroughputLevel,
} from '../state/model';
import { SandboxState, StateError } from '../state/sandbox-state';
import {
  banDate,
  banValue,
  nameUpdateValue,
  partnerRemovedValue,
  qualityEvent,
  qualityUpdateValue,
  restrictionValue,
  violationValue,
} from '../webhooks/account-payloads';
import { type DeliverySummary, InboundInjector } from '../webhooks/inbound-injector';
import { validation } from './validation';
import { phoneNumberView } from './views';

const ID = /^\d{1,32}$/;
const ID_MESSAGE = '$property must be a numeric id';
const EVENT = /^[A-Z][A-Z0-9_]{0,63}$/;
const EVENT_MESSAGE = '$property must be an upper-case Meta event name';
const DAY_S = 24 * 60 * 60;

export class QualityChangeDto {
  @IsOptional() @IsIn(QUALITY_RATINGS) quality_rating?: QualityRating;
  @IsOptional() @IsIn(MESSAGING_LIMIT_TIERS) messaging_limit_tier?: MessagingLimitTier;
  /** Default: the event Meta would send for the change (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE). */
  @IsOptional() @Matches(EVENT, { message: EVENT_MESSAGE }) event?: string;
  @IsOptional() @IsBoolean() include_quality_rating?: boolean;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class ThroughputLevelDto {
  @IsIn(THROUGHPUT_LEVELS) level!: ThroughputLevel;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class NameDecisionDto {
  @Matches(EVENT, { message: EVENT_MESSAGE }) decision!: string;
  @IsString() @MinLength(1) @MaxLength(200) requested_verified_name!: string;
  @IsOptional() @IsString() @MaxLength(200) rejection_reason?: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class RestrictionItemDto {
  @Matches(EVENT, { message: EVENT_MESSAGE }) restriction_type!: string;
  /** Unix seconds; default 7 days from now (sandbox clock). */
  @IsOptional() @IsInt() @Min(0) expiration?: number;
}

export class RestrictionDto {
  /** Default one RESTRICTED_BIZ_INITIATED_MESSAGING for 7 days. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => RestrictionItemDto)
  restriction_info?: RestrictionItemDto[];
  /** The restriction ends: `restriction_info: []`. */
  @IsOptional() @IsBoolean() lift?: boolean;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) entry_id?: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class BanDto {
  @IsIn(['DISABLE', 'REINSTATE', 'SCHEDULE_FOR_DISABLE']) waba_ban_state!: 'DISABLE' | 'REINSTATE' | 'SCHEDULE_FOR_DISABLE';
  @IsOptional() @IsString() @MaxLength(64) waba_ban_date?: string;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) entry_id?: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class ViolationDto {
  @IsOptional() @Matches(EVENT, { message: EVENT_MESSAGE }) violation_type?: string;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) entry_id?: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class PartnerRemovedDto {
  /** `entry.id`; default the WABA (Meta's examples use the partner's business id: reference §9). */
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) entry_id?: string;
  @IsOptional() @IsString() @MaxLength(200) reason?: string;
  @IsOptional() @IsString() @MaxLength(64) initiated_by?: string;
  @IsOptional() @IsBoolean() wait?: boolean;
}

interface Outcome {
  phone_numbers: ReturnType<typeof phoneNumberView>[];
  delivery: DeliverySummary | null;
  payload: unknown;
}

/**
 * The account-health half of the control API: each call changes the sandbox's own state (what
 * `GET /{phone_number_id}` answers) AND posts Meta's signed webhook for it — quality rating and messaging
 * limit (`phone_number_quality_update`), throughput (`THROUGHPUT_UPGRADE`), display-name decisions
 * (`phone_number_name_update`), restrictions, bans, violations and partner removal (`account_update`).
 */
@Controller('_sandbox')
@UsePipes(validation)
export class AccountEventsControlController {
  constructor(
    private readonly state: SandboxState,
    private readonly injector: InboundInjector,
    private readonly clock: Clock,
    @Inject(SANDBOX_CONFIG) private readonly config: SandboxConfig,
  ) {}

  /** Quality rating and/or messaging limit → `phone_number_quality_update` (FLAGGED, UNFLAGGED, UPGRADE, DOWNGRADE, or `event`). */
  @Post('phone_numbers/:id/quality')
  @HttpCode(200)
  async quality(@Param('id') id: string, @Body() body: QualityChangeDto): Promise<Outcome> {
    const phone = this.state.requirePhoneNumber(id);
    if (body.quality_rating === undefined && body.messaging_limit_tier === undefined && body.event === undefined) {
      throw new StateError('invalid', 'give quality_rating, messaging_limit_tier or event');
    }
    const before = { quality_rating: phone.quality_rating, messaging_limit_tier: phone.messaging_limit_tier };
    const after = {
      quality_rating: body.quality_rating ?? phone.quality_rating,
      messaging_limit_tier: body.messaging_limit_tier ?? phone.messaging_limit_tier,
    };
    const event = body.event ?? qualityEvent(before, after);
    if (event === null) {
      throw new StateError('invalid', 'no Meta event expresses this change (e.g. YELLOW with the same tier): give event');
    }
    this.state.updatePhoneNumber(phone.id, after);
    const value = qualityUpdateValue(phone, event, {
      ...(after.messaging_limit_tier !== before.messaging_limit_tier && { old_limit: before.messaging_limit_tier }),
      ...(body.include_quality_rating !== undefined && { include_quality_rating: body.include_quality_rating }),
    });
    return this.post(phone.waba_id, 'phone_number_quality_update', value, [phone], body.wait);
  }

  /** Throughput level; an upgrade to HIGH posts `THROUGHPUT_UPGRADE` (reference §7), anything else only changes the state (Meta documents no webhook). */
  @Post('phone_numbers/:id/throughput_level')
  @HttpCode(200)
  async throughputLevel(@Param('id') id: string, @Body() body: ThroughputLevelDto): Promise<Outcome> {
    const phone = this.state.requirePhoneNumber(id);
    const upgrade = body.level === 'HIGH' && phone.throughput_level !== 'HIGH';
    this.state.updatePhoneNumber(phone.id, { throughput_level: body.level });
    if (!upgrade) return { phone_numbers: [phoneNumberView(phone)], delivery: null, payload: null };
    return this.post(phone.waba_id, 'phone_number_quality_update', qualityUpdateValue(phone, 'THROUGHPUT_UPGRADE'), [phone], body.wait);
  }

  /** A display-name review decision → `phone_number_name_update`; APPROVED renames the number. */
  @Post('phone_numbers/:id/name_decision')
  @HttpCode(200)
  async nameDecision(@Param('id') id: string, @Body() body: NameDecisionDto): Promise<Outcome> {
    const phone = this.state.requirePhoneNumber(id);
    if (body.decision === 'APPROVED') {
      this.state.updatePhoneNumber(phone.id, { verified_name: body.requested_verified_name, name_status: 'APPROVED' });
    } else if (body.decision === 'REJECTED') {
      this.state.updatePhoneNumber(phone.id, { name_status: 'DECLINED' });
    }
    const value = nameUpdateValue(phone, body.decision, body.requested_verified_name, body.rejection_reason ?? null);
    return this.post(phone.waba_id, 'phone_number_name_update', value, [phone], body.wait);
  }

  /** `account_update` ACCOUNT_RESTRICTION: the WABA's numbers become RESTRICTED (lift: back to CONNECTED/PENDING). */
  @Post('wabas/:id/restriction')
  @HttpCode(200)
  async restriction(@Param('id') id: string, @Body() body: RestrictionDto): Promise<Outcome> {
    const waba = this.state.requireWaba(id);
    const lift = body.lift === true;
    if (lift && body.restriction_info !== undefined && body.restriction_info.length > 0) {
      throw new StateError('invalid', 'lift: true takes no restriction_info');
    }
    const expiration = Math.floor(this.clock.now() / 1000) + 7 * DAY_S;
    const restrictions = lift
      ? []
      : (body.restriction_info ?? [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING' }]).map((r) => ({
          restriction_type: r.restriction_type,
          expiration: r.expiration ?? expiration,
        }));
    const phones = this.setStatuses(waba.id, restrictions.length > 0 ? 'RESTRICTED' : null);
    return this.postAccountUpdate(waba.id, body.entry_id, restrictionValue(restrictions), phones, body.wait);
  }

  /** `account_update` DISABLED_UPDATE: DISABLE bans the WABA's numbers (BANNED), REINSTATE brings them back. */
  @Post('wabas/:id/ban')
  @HttpCode(200)
  async ban(@Param('id') id: string, @Body() body: BanDto): Promise<Outcome> {
    const waba = this.state.requireWaba(id);
    const phones =
      body.waba_ban_state === 'DISABLE'
        ? this.setStatuses(waba.id, 'BANNED')
        : body.waba_ban_state === 'REINSTATE'
          ? this.setStatuses(waba.id, null)
          : this.state.listPhoneNumbers(waba.id);
    const value = banValue(body.waba_ban_state, body.waba_ban_date ?? banDate(this.clock.now()));
    return this.postAccountUpdate(waba.id, body.entry_id, value, phones, body.wait);
  }

  /** `account_update` ACCOUNT_VIOLATION (no state change: the enforcement comes as a restriction or a ban). */
  @Post('wabas/:id/violation')
  @HttpCode(200)
  async violation(@Param('id') id: string, @Body() body: ViolationDto): Promise<Outcome> {
    const waba = this.state.requireWaba(id);
    const value = violationValue(body.violation_type ?? 'SPAM');
    return this.postAccountUpdate(waba.id, body.entry_id, value, this.state.listPhoneNumbers(waba.id), body.wait);
  }

  /** `account_update` PARTNER_REMOVED: the customer unshared the WABA; the app's webhook subscription to it ends. */
  @Post('wabas/:id/partner_removed')
  @HttpCode(200)
  async partnerRemoved(@Param('id') id: string, @Body() body: PartnerRemovedDto): Promise<Outcome> {
    const waba = this.state.requireWaba(id);
    const disconnection =
      body.reason !== undefined || body.initiated_by !== undefined
        ? { reason: body.reason ?? 'NONE', initiated_by: body.initiated_by ?? 'CLIENT' }
        : undefined;
    const value = partnerRemovedValue(waba, disconnection);
    // Posted before the subscription ends (a WABA's last webhook to the app), then the subscription goes.
    const outcome = await this.postAccountUpdate(waba.id, body.entry_id, value, this.state.listPhoneNumbers(waba.id), body.wait);
    waba.subscriptions.delete(this.config.appId);
    return outcome;
  }

  // ------------------------------------------------------------------------------------ helpers

  /** The WABA's numbers to `status`, or (null) back to CONNECTED when registered, else PENDING. */
  private setStatuses(wabaId: string, status: PhoneStatus | null): PhoneNumber[] {
    const phones = this.state.listPhoneNumbers(wabaId);
    for (const phone of phones) {
      this.state.updatePhoneNumber(phone.id, { status: status ?? (phone.registered ? 'CONNECTED' : 'PENDING') });
    }
    return phones;
  }

  private async post(wabaId: string, field: string, value: unknown, phones: PhoneNumber[], wait: boolean | undefined): Promise<Outcome> {
    const { delivery, payload } = await this.injector.change({ waba_id: wabaId, field, value, ...(wait !== undefined && { wait }) });
    return { phone_numbers: phones.map(phoneNumberView), delivery, payload };
  }

  private async postAccountUpdate(
    wabaId: string,
    entryId: string | undefined,
    value: Record<string, unknown>,
    phones: PhoneNumber[],
    wait: boolean | undefined,
  ): Promise<Outcome> {
    const { event, ...fields } = value;
    const { delivery, payload } = await this.injector.accountUpdate({
      ...fields,
      waba_id: wabaId,
      event: String(event),
      ...(entryId !== undefined && { entry_id: entryId }),
      ...(wait !== undefined && { wait }),
    });
    return { phone_numbers: phones.map(phoneNumberView), delivery, payload };
  }
}
