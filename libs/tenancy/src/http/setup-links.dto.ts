import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString } from 'class-validator';
import { SingleLineText } from '@kirim/platform';
import { REDIRECT_URL_MAX_LENGTH } from '../domain/redirect-url';
import {
  EXPIRES_IN_HOURS_DEFAULT,
  EXPIRES_IN_HOURS_MAX,
  EXPIRES_IN_HOURS_MIN,
  SETUP_LINK_STATUSES,
  type SetupLinkStatus,
} from '../domain/setup-link';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
const redirectDoc = (when: string) =>
  ({
    type: 'string',
    nullable: true,
    format: 'uri',
    maxLength: REDIRECT_URL_MAX_LENGTH,
    description: `Where the onboarding page sends the client ${when}. https (http only for localhost), no fragment, no credentials.`,
  }) as const;

// The range of expires_in_hours and the redirect URL rules are domain rules, checked by SetupLinksService.

export class CreateSetupLinkDto {
  @ApiPropertyOptional({ type: 'integer', minimum: EXPIRES_IN_HOURS_MIN, maximum: EXPIRES_IN_HOURS_MAX, default: EXPIRES_IN_HOURS_DEFAULT })
  @IsOptional()
  @IsInt(mustBe('expires_in_hours', 'an integer'))
  expires_in_hours?: number;

  @ApiPropertyOptional(redirectDoc('after a successful signup'))
  @IsOptional()
  @IsString(mustBe('success_redirect_url', 'a string'))
  @SingleLineText()
  success_redirect_url?: string | null;

  @ApiPropertyOptional(redirectDoc('when anything fails'))
  @IsOptional()
  @IsString(mustBe('failure_redirect_url', 'a string'))
  @SingleLineText()
  failure_redirect_url?: string | null;
}

export class UpdateSetupLinkDto {
  @ApiPropertyOptional(redirectDoc('after a successful signup; `null` clears it'))
  @IsOptional()
  @IsString(mustBe('success_redirect_url', 'a string or null'))
  @SingleLineText()
  success_redirect_url?: string | null;

  @ApiPropertyOptional(redirectDoc('when anything fails; `null` clears it'))
  @IsOptional()
  @IsString(mustBe('failure_redirect_url', 'a string or null'))
  @SingleLineText()
  failure_redirect_url?: string | null;
}

export class ListSetupLinksQueryDto {
  @ApiPropertyOptional({ enum: SETUP_LINK_STATUSES })
  @IsOptional()
  @IsIn(SETUP_LINK_STATUSES, mustBe('status', SETUP_LINK_STATUSES.join(', ')))
  status?: SetupLinkStatus;
}

/** The setup link resource (spec 03 § Setup link), for the OpenAPI document. There is no token field. */
export class SetupLinkDto {
  @ApiProperty({ example: 'csl_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['customer_setup_link'] }) object!: 'customer_setup_link';
  @ApiProperty({ example: 'cus_01J0000000000000000000000' }) customer_id!: string;
  @ApiProperty({ enum: SETUP_LINK_STATUSES }) status!: SetupLinkStatus;
  @ApiProperty({ description: 'The last 4 characters of the token, as a hint.' }) token_last4!: string;
  @ApiProperty({ format: 'date-time' }) expires_at!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) consumed_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) revoked_at!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) success_redirect_url!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) failure_redirect_url!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'The `wba_…` account connected through the link.' }) account_id!:
    | string
    | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedSetupLinkDto extends SetupLinkDto {
  @ApiProperty({ description: '`{ONBOARDING_PUBLIC_URL}/onboard/{token}`: shown in this response only.' }) setup_url!: string;
}
