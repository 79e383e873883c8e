import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { idPattern, IsPublicId, ListQueryDto, SingleLineText } from '@kirim/platform';
import { MAX_DESCRIPTION_LENGTH, MAX_EVENT_PATTERNS, ROTATION_DEFAULT_HOURS, ROTATION_MAX_HOURS } from '../domain/subscription';
import { WEBHOOK_URL_MAX_LENGTH } from '../domain/target-url';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
/** A field that may be omitted but not null. */
const present = (_: object, value: unknown) => value !== undefined;
/** A field that may be omitted or null. */
const given = (_: object, value: unknown) => value !== undefined && value !== null;

const EVENTS_DESCRIPTION = 'Exact event types (`message.received`), prefix patterns (`customer.*`) or `*`.';

export class CreateWebhookSubscriptionDto {
  @ApiProperty({
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    example: 'https://example.com/kirim/webhooks',
    description: 'Absolute https URL of a public host.',
  })
  @IsString(mustBe('url', 'a string'))
  @SingleLineText()
  url!: string;

  @ApiProperty({
    type: [String],
    maxItems: MAX_EVENT_PATTERNS,
    example: ['customer.*', 'message.received'],
    description: EVENTS_DESCRIPTION,
  })
  @IsArray(mustBe('events', 'an array of strings'))
  @ArrayMaxSize(MAX_EVENT_PATTERNS, mustBe('events', `at most ${MAX_EVENT_PATTERNS} patterns`))
  @IsString({ each: true, ...mustBe('events', 'an array of strings') })
  @SingleLineText({ each: true })
  events!: string[];

  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: MAX_DESCRIPTION_LENGTH })
  @ValidateIf(given)
  @IsString(mustBe('description', 'a string'))
  @SingleLineText()
  description?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    pattern: idPattern('cus'),
    description: "Only this customer's events (null: all).",
  })
  @ValidateIf(given)
  @IsPublicId('cus')
  customer_id?: string | null;
}

export class UpdateWebhookSubscriptionDto {
  @ApiPropertyOptional({ maxLength: WEBHOOK_URL_MAX_LENGTH })
  @ValidateIf(present)
  @IsString(mustBe('url', 'a string'))
  @SingleLineText()
  url?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_EVENT_PATTERNS, description: EVENTS_DESCRIPTION })
  @ValidateIf(present)
  @IsArray(mustBe('events', 'an array of strings'))
  @ArrayMaxSize(MAX_EVENT_PATTERNS, mustBe('events', `at most ${MAX_EVENT_PATTERNS} patterns`))
  @IsString({ each: true, ...mustBe('events', 'an array of strings') })
  @SingleLineText({ each: true })
  events?: string[];

  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: MAX_DESCRIPTION_LENGTH })
  @ValidateIf(given)
  @IsString(mustBe('description', 'a string'))
  @SingleLineText()
  description?: string | null;

  @ApiPropertyOptional({ enum: ['active', 'paused'], description: 'Re-enabling a `disabled` subscription resets its failure count.' })
  @ValidateIf(present)
  @IsIn(['active', 'paused'], mustBe('status', 'active or paused'))
  status?: 'active' | 'paused';
}

export class RotateWebhookSecretDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: ROTATION_MAX_HOURS,
    default: ROTATION_DEFAULT_HOURS,
    description: 'The current secret keeps signing this long.',
  })
  @ValidateIf(present)
  @IsInt(mustBe('expire_current_in_hours', `an integer from 0 to ${ROTATION_MAX_HOURS}`))
  @Min(0, mustBe('expire_current_in_hours', `an integer from 0 to ${ROTATION_MAX_HOURS}`))
  @Max(ROTATION_MAX_HOURS, mustBe('expire_current_in_hours', `an integer from 0 to ${ROTATION_MAX_HOURS}`))
  expire_current_in_hours?: number;
}

export class ListWebhookSubscriptionsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'paused', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'paused', 'disabled'], mustBe('status', 'active, paused or disabled'))
  status?: 'active' | 'paused' | 'disabled';

  @ApiPropertyOptional({ pattern: idPattern('cus') })
  @IsOptional()
  @IsPublicId('cus')
  customer_id?: string;
}

export class ListWebhookDeliveriesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: idPattern('wbs') })
  @IsOptional()
  @IsPublicId('wbs')
  subscription_id?: string;

  @ApiPropertyOptional({ enum: ['pending', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['pending', 'succeeded', 'failed'], mustBe('status', 'pending, succeeded or failed'))
  status?: 'pending' | 'succeeded' | 'failed';

  @ApiPropertyOptional({ example: 'message.received' })
  @IsOptional()
  @IsString(mustBe('event_type', 'a single string'))
  event_type?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString(mustBe('created_after', 'a single string'))
  created_after?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsString(mustBe('created_before', 'a single string'))
  created_before?: string;
}

export class BulkReplayDto {
  @ApiProperty({ pattern: idPattern('wbs') })
  @IsPublicId('wbs')
  subscription_id!: string;

  @ApiPropertyOptional({ enum: ['failed'], default: 'failed' })
  @ValidateIf(present)
  @IsIn(['failed'], mustBe('status', 'failed'))
  status?: 'failed';

  @ApiPropertyOptional({ example: 'message.received' })
  @ValidateIf(present)
  @IsString(mustBe('event_type', 'a string'))
  @SingleLineText()
  event_type?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @ValidateIf(present)
  @IsString(mustBe('created_after', 'a string'))
  @SingleLineText()
  created_after?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @ValidateIf(present)
  @IsString(mustBe('created_before', 'a string'))
  @SingleLineText()
  created_before?: string;
}

class WebhookSecretInfoDto {
  @ApiProperty({ example: 'sec_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expires_at!: string | null;
}

/** The subscription resource (spec 06), for the OpenAPI document. */
export class WebhookSubscriptionDto {
  @ApiProperty({ example: 'wbs_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['webhook_subscription'] }) object!: 'webhook_subscription';
  @ApiProperty() url!: string;
  @ApiProperty({ type: 'string', nullable: true }) description!: string | null;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ type: 'string', nullable: true, pattern: idPattern('cus') }) customer_id!: string | null;
  @ApiProperty({ enum: ['active', 'paused', 'disabled'] }) status!: string;
  @ApiProperty({ type: 'string', nullable: true, enum: ['consecutive_failures', 'endpoint_gone'] }) disabled_reason!: string | null;
  @ApiProperty({ type: [WebhookSecretInfoDto] }) secrets!: WebhookSecretInfoDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** Creation and rotation: the subscription plus the new secret, shown this once. */
export class WebhookSubscriptionWithSecretDto extends WebhookSubscriptionDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Shown once; store it to verify signatures.' })
  secret!: string;
}

class WebhookDeliveryAttemptErrorDto {
  @ApiProperty({ enum: ['http_status', 'timeout', 'connection_failed', 'target_forbidden', 'event_expired'] }) code!: string;
  @ApiProperty() message!: string;
}

class WebhookDeliveryAttemptDto {
  @ApiProperty({ minimum: 1 }) number!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'integer', nullable: true }) response_status!: number | null;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ type: WebhookDeliveryAttemptErrorDto, nullable: true }) error!: WebhookDeliveryAttemptErrorDto | null;
}

/** The delivery resource (spec 06 § Deliveries), for the OpenAPI document. */
export class WebhookDeliveryDto {
  @ApiProperty({ example: 'wbd_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['webhook_delivery'] }) object!: 'webhook_delivery';
  @ApiProperty({ pattern: idPattern('wbs') }) subscription_id!: string;
  @ApiProperty({ pattern: idPattern('evt') }) event_id!: string;
  @ApiProperty() event_type!: string;
  @ApiProperty({ enum: ['pending', 'succeeded', 'failed'] }) status!: string;
  @ApiProperty({ type: [WebhookDeliveryAttemptDto] }) attempts!: WebhookDeliveryAttemptDto[];
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) next_attempt_at!: string | null;
  @ApiProperty({ type: 'string', nullable: true, pattern: idPattern('wbd') }) replayed_from!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class BulkReplayResultDto {
  @ApiProperty() enqueued!: number;
  @ApiProperty({ description: 'More deliveries matched than one call replays (1,000): call again.' }) capped!: boolean;
}
