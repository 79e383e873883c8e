import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  ACCOUNT_MODES,
  CODE_VERIFICATION_STATUSES,
  MESSAGING_LIMIT_TIERS,
  NAME_STATUSES,
  PHONE_STATUSES,
  QUALITY_RATINGS,
  THROUGHPUT_LEVELS,
  type AccountMode,
  type CodeVerificationStatus,
  type MessagingLimitTier,
  type NameStatus,
  type PhoneStatus,
  type QualityRating,
  type ThroughputLevel,
} from '../state/model';
import { ANY_ENDPOINT, GRAPH_ENDPOINTS } from '../graph/core/endpoints';

const ID = /^\d{1,32}$/;
const ID_MESSAGE = '$property must be a numeric id';

export class CreateBusinessDto {
  @IsOptional() @IsString() @MaxLength(200) name?: string;
}

export class CreateWabaDto {
  @Matches(ID, { message: ID_MESSAGE }) business_id!: string;
  @IsOptional() @IsString() @MaxLength(200) name?: string;
  @IsOptional() @Matches(/^[A-Z]{3}$/) currency?: string;
  @IsOptional() @IsString() @MaxLength(16) timezone_id?: string;
  @IsOptional() @Matches(/^[A-Z]{2}$/) country?: string;
}

export class PhoneNumberAttributesDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200) verified_name?: string;
  @IsOptional() @IsIn(QUALITY_RATINGS) quality_rating?: QualityRating;
  @IsOptional() @IsIn(CODE_VERIFICATION_STATUSES) code_verification_status?: CodeVerificationStatus;
  @IsOptional() @IsIn(NAME_STATUSES) name_status?: NameStatus;
  @IsOptional() @IsIn(PHONE_STATUSES) status?: PhoneStatus;
  @IsOptional() @IsIn(THROUGHPUT_LEVELS) throughput_level?: ThroughputLevel;
  @IsOptional() @IsIn(MESSAGING_LIMIT_TIERS) messaging_limit_tier?: MessagingLimitTier;
  @IsOptional() @IsIn(ACCOUNT_MODES) account_mode?: AccountMode;
  @IsOptional() @IsBoolean() is_official_business_account?: boolean;
}

export class CreatePhoneNumberDto extends PhoneNumberAttributesDto {
  @Matches(ID, { message: ID_MESSAGE }) waba_id!: string;
  @IsOptional() @IsString() @MaxLength(40) display_phone_number?: string;
}

export class SignupFixtureDto {
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) business_id?: string;
  @IsOptional() @IsString() @MaxLength(200) business_name?: string;
  @IsOptional() @IsString() @MaxLength(200) waba_name?: string;
  @IsOptional() @IsString() @MaxLength(40) display_phone_number?: string;
  @IsOptional() @IsString() @MaxLength(200) verified_name?: string;
  /** Also mint a code for the new assets. */
  @IsOptional() @IsBoolean() code?: boolean;
}

export class CreateCodeDto {
  @Matches(ID, { message: ID_MESSAGE }) waba_id!: string;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) phone_number_id?: string;
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) business_id?: string;
  /** Lifetime of the business token the code exchanges for; default never expires. */
  @IsOptional() @IsInt() @Min(1) @Max(10 * 365 * 86400) token_expires_in_seconds?: number;
}

export class CreateTokenDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(ID, { each: true, message: 'each of waba_ids must be a numeric id' })
  waba_ids!: string[];
  @IsOptional() @Matches(ID, { message: ID_MESSAGE }) business_id?: string;
  @IsOptional() @IsInt() @Min(1) @Max(10 * 365 * 86400) expires_in_seconds?: number;
}

export class TokenRefDto {
  @ValidateIf((o: TokenRefDto) => o.token === undefined) @IsString() @MinLength(1) access_token?: string;
  /** Alias of access_token. */
  @IsOptional() @IsString() @MinLength(1) token?: string;
}

export class CreateFaultDto {
  @IsIn([...GRAPH_ENDPOINTS, ANY_ENDPOINT], { message: `endpoint must be one of: ${[...GRAPH_ENDPOINTS, ANY_ENDPOINT].join(', ')}` })
  endpoint!: string;
  @IsOptional() @IsIn(['GET', 'POST', 'DELETE', 'get', 'post', 'delete']) method?: string;
  @IsOptional() @IsString() @MaxLength(64) target_id?: string;
  @ValidateIf((o: CreateFaultDto) => o.latency_ms === undefined && o.http_status === undefined && o.drop_connection === undefined)
  @IsInt()
  @Min(0)
  @Max(999_999_999)
  error_code?: number;
  @IsOptional() @IsInt() @Min(0) error_subcode?: number;
  @IsOptional() @IsInt() @Min(400) @Max(599) http_status?: number;
  @IsOptional() @IsString() @MaxLength(500) message?: string;
  @IsOptional() @IsString() @MaxLength(2000) details?: string;
  @IsOptional() @IsInt() @Min(1) times?: number;
  @IsOptional() @IsInt() @Min(0) @Max(120_000) latency_ms?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0.000001) @Max(1) rate?: number;
  /** Cross-field rules (endpoint `messages`, an error code) are checked by the controller. */
  @IsOptional() @IsBoolean() async?: boolean;
  @IsOptional() @IsString() @Matches(/^\+?[\d\s().-]{5,30}$/, { message: 'recipient must be a phone number' }) recipient?: string;
  @IsOptional() @IsBoolean() sent_first?: boolean;
  @IsOptional() @IsBoolean() drop_connection?: boolean;
}

export class SignupBehaviourDto {
  @IsOptional() @IsBoolean() login_callback_first?: boolean;
  @IsOptional() @IsInt() @Min(0) @Max(60_000) login_callback_delay_ms?: number;
}
