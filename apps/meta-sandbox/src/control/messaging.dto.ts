import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  STATUS_STEPS,
  TEMPLATE_CATEGORIES,
  TEMPLATE_STATUSES,
  type StatusStep,
  type TemplateCategory,
  type TemplateStatus,
} from '../state/messaging-model';
import { INBOUND_TYPES, type InboundInput } from '../webhooks/inbound-injector';

const ID = /^\d{1,32}$/;
const ID_MESSAGE = '$property must be a numeric id';
const RATE = () => [IsOptional(), IsNumber({ allowNaN: false, allowInfinity: false }), Min(0), Max(1)];
const apply =
  (decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) =>
    decorators.forEach((d) => d(target, key));
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

// ------------------------------------------------------------------------------ status webhooks

export class StatusDelaysDto {
  @IsOptional() @IsInt() @Min(0) @Max(600_000) sent?: number;
  @IsOptional() @IsInt() @Min(0) @Max(600_000) delivered?: number;
  @IsOptional() @IsInt() @Min(0) @Max(600_000) read?: number;
}

export class StatusBehaviourDto {
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(STATUS_STEPS, { each: true, message: `each of statuses must be one of: ${STATUS_STEPS.join(', ')}` })
  statuses?: StatusStep[];
  @IsOptional() @ValidateNested() @Type(() => StatusDelaysDto) delays_ms?: StatusDelaysDto;
  @apply(RATE()) duplicate_rate?: number;
  @apply(RATE()) reorder_rate?: number;
  @apply(RATE()) drop_rate?: number;
  @IsOptional() @IsBoolean() include_pricing?: boolean;
  @IsOptional() @IsBoolean() include_conversation?: boolean;
}

/** `PUT …/throughput`: `mps: null` = from the number's throughput level. */
export class ThroughputDto {
  @IsOptional() @IsBoolean() enabled?: boolean;
  @IsOptional() @IsInt() @Min(1) @Max(100_000) mps?: number | null;
}

export class MessagingBehaviourDto {
  @IsOptional() @IsBoolean() require_registration?: boolean;
  @IsOptional() @IsBoolean() enforce_service_window?: boolean;
  @IsOptional() @IsInt() @Min(1) @Max(24 * 30) service_window_hours?: number;
  @IsOptional() @IsIn(['accept', 'reject']) unknown_templates?: 'accept' | 'reject';
}

export class WebhookSettingsDto {
  /** null unsets it. */
  @IsOptional() @IsUrl(URL_OPTIONS, { message: 'callback_url must be an http(s) URL' }) callback_url?: string | null;
  @IsOptional() @IsBoolean() require_subscription?: boolean;
  @IsOptional() @IsInt() @Min(50) @Max(120_000) timeout_ms?: number;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(3_600_000, { each: true })
  retry_delays_ms?: number[];
  @IsOptional() @IsInt() @Min(1) @Max(256) max_concurrency?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) status_batch_size?: number;
  @IsOptional() @IsInt() @Min(0) @Max(60_000) batch_window_ms?: number;
  @IsOptional() @IsBoolean() escape_json?: boolean;
  @IsOptional() @IsBoolean() sha1_signature?: boolean;
}

// ---------------------------------------------------------------------------------- messages

export class InjectStatusDto {
  @IsIn([...STATUS_STEPS, 'failed']) status!: StatusStep | 'failed';
  @IsOptional() @IsInt() @Min(0) error_code?: number;
  @IsOptional() @IsString() @MaxLength(500) message?: string;
  @IsOptional() @IsString() @MaxLength(2000) details?: string;
  @IsOptional() @IsInt() @Min(0) @Max(600_000) delay_ms?: number;
}

// --------------------------------------------------------------------------------- templates

export class CreateTemplateDto {
  @Matches(ID, { message: ID_MESSAGE }) waba_id!: string;
  @IsString() @Matches(/^[a-z0-9_]{1,512}$/, { message: 'name must be lower-case letters, digits and _' }) name!: string;
  @IsString() @MinLength(2) @MaxLength(20) language!: string;
  @IsOptional() @IsIn(TEMPLATE_CATEGORIES) category?: TemplateCategory;
  @IsOptional() @IsIn(TEMPLATE_STATUSES) status?: TemplateStatus;
  @IsOptional() @IsIn(['POSITIONAL', 'NAMED']) parameter_format?: 'POSITIONAL' | 'NAMED';
  @IsOptional() @IsArray() @IsObject({ each: true }) components?: Record<string, unknown>[];
}

export class UpdateTemplateDto {
  @IsOptional() @IsIn(TEMPLATE_STATUSES) status?: TemplateStatus;
  @IsOptional() @IsIn(TEMPLATE_CATEGORIES) category?: TemplateCategory;
  @IsOptional() @IsIn(['POSITIONAL', 'NAMED']) parameter_format?: 'POSITIONAL' | 'NAMED';
  @IsOptional() @IsArray() @IsObject({ each: true }) components?: Record<string, unknown>[];
  /** Post a `message_template_status_update` for the new status. */
  @IsOptional() @IsBoolean() notify?: boolean;
}

// ---------------------------------------------------------------------------------- webhooks

export class InjectInboundDto {
  @Matches(ID, { message: ID_MESSAGE }) phone_number_id!: string;
  /** Meta message objects without id/timestamp: `{from, type, <type>: {…}, profile_name?, context?, …}`. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsObject({ each: true, message: `each message must be an object {from, type (${INBOUND_TYPES.join(', ')}), …}` })
  messages!: InboundInput[];
  @IsOptional() @IsInt() @Min(1) @Max(1000) batch_size?: number;
  @IsOptional() @IsInt() @Min(1) @Max(1000) messages_per_change?: number;
  @IsOptional() @IsBoolean() wait?: boolean;
  @IsOptional() @IsIn(['valid', 'invalid', 'none']) signature?: 'valid' | 'invalid' | 'none';
}

export class TemplateStatusDto {
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) waba_id?: string;
  /** A template of `POST /_sandbox/templates`: fills id, name, language, category and takes the new status. */
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) template_id?: string;
  @IsString() @Matches(/^[A-Z_]{2,40}$/, { message: 'event must be an upper-case event name such as APPROVED' }) event!: string;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) message_template_id?: string;
  @IsOptional() @IsString() @MaxLength(512) message_template_name?: string;
  @IsOptional() @IsString() @MaxLength(20) message_template_language?: string;
  @IsOptional() @IsString() @MaxLength(100) reason?: string | null;
  @IsOptional() @IsString() @MaxLength(40) message_template_category?: string;
  @IsOptional() @IsObject() other_info?: Record<string, unknown>;
  @IsOptional() @IsObject() rejection_info?: Record<string, unknown>;
  @IsOptional() @IsObject() disable_info?: Record<string, unknown>;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class AccountUpdateDto {
  @Matches(ID, { message: ID_MESSAGE }) waba_id!: string;
  @IsString()
  @Matches(/^[A-Z_]{2,60}$/, { message: 'event must be an upper-case event name such as PARTNER_APP_INSTALLED' })
  event!: string;
  /** `entry.id` when it should not be the WABA id. */
  @IsOptional() @IsString() @MaxLength(64) entry_id?: string;
  /** More fields of the value: `waba_info`, `ban_info`, `restriction_info`, `violation_info`, … */
  @IsOptional() @IsObject() value?: Record<string, unknown>;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class ChangeDto {
  /** `entry.id` (a WABA id, which also routes the POST). */
  @IsString() @MinLength(1) @MaxLength(64) waba_id!: string;
  @IsString()
  @Matches(/^[a-z_]{2,64}$/, { message: 'field must be a webhook field name such as phone_number_quality_update' })
  field!: string;
  @IsDefined() value!: unknown;
  @IsOptional() @IsInt() @Min(0) time?: number;
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class RawWebhookDto {
  /** Any JSON, serialised Meta's way. */
  @IsOptional() payload?: unknown;
  /** Exact bytes to post instead. */
  @IsOptional() @IsString() @MaxLength(5_000_000) body?: string;
  @IsOptional() @IsUrl(URL_OPTIONS, { message: 'url must be an http(s) URL' }) url?: string;
  @IsOptional() @IsString() @MaxLength(64) waba_id?: string;
  @IsOptional() @IsIn(['valid', 'invalid', 'none']) signature?: 'valid' | 'invalid' | 'none';
  @IsOptional() @IsBoolean() wait?: boolean;
}

export class DrainDto {
  @IsOptional() @IsInt() @Min(0) @Max(120_000) timeout_ms?: number;
}
