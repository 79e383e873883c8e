import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { idPattern, IsPublicId, SingleLineText } from '@kirim/platform';
import { USER_ROLES } from '../domain/users';

export class CreateApiKeyDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 200, example: 'production' })
  @IsOptional()
  @IsString()
  @SingleLineText()
  @Length(1, 200, { message: 'label must be 1-200 characters.' })
  label?: string;

  @ApiPropertyOptional({
    description: 'Restricts the key to one customer.',
    example: 'cus_01HXYZABCDEFGHJKMNPQRSTVWX',
    pattern: idPattern('cus'),
  })
  @IsOptional()
  @IsString()
  @IsPublicId('cus')
  customer_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'ISO 8601 timestamp with a time zone, in the future.' })
  @IsOptional()
  @IsString()
  @IsISO8601({ strict: true }, { message: 'expires_at must be an ISO 8601 timestamp with a time zone.' })
  @Matches(/(Z|[+-]\d{2}:?\d{2})$/i, { message: 'expires_at must be an ISO 8601 timestamp with a time zone.' })
  expires_at?: string;
}

// Response models (OpenAPI only).

export class ApiKeyDto {
  @ApiProperty({ example: 'key_01HXYZABCDEFGHJKMNPQRSTVWX' }) id!: string;
  @ApiProperty({ enum: ['api_key'] }) object!: 'api_key';
  @ApiProperty({ type: 'string', nullable: true }) label!: string | null;
  @ApiProperty({ example: 'Wvqb' }) last4!: string;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expires_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) revoked_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The key plaintext, shown only in this response.', example: 'kir_live_…' }) secret!: string;
}

export class UserDto {
  @ApiProperty({ example: 'usr_01HXYZABCDEFGHJKMNPQRSTVWX' }) id!: string;
  @ApiProperty({ enum: ['user'] }) object!: 'user';
  @ApiProperty() email!: string;
  @ApiProperty({ type: 'string', nullable: true }) name!: string | null;
  @ApiProperty({ enum: USER_ROLES }) role!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

class MeOrganizationDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['organization'] }) object!: 'organization';
  @ApiProperty() name!: string;
}

class TeamDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['team'] }) object!: 'team';
  @ApiProperty() name!: string;
}

class MeApiKeyDto {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ['api_key'] }) object!: 'api_key';
  @ApiProperty({ type: 'string', nullable: true }) label!: string | null;
  @ApiProperty() last4!: string;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) expires_at!: string | null;
}

class RateLimitsDto {
  @ApiProperty() write_per_minute!: number;
  @ApiProperty() read_per_minute!: number;
}

export class MeDto {
  @ApiProperty({ enum: ['me'] }) object!: 'me';
  @ApiProperty({ type: MeOrganizationDto }) organization!: MeOrganizationDto;
  @ApiProperty({ type: [TeamDto] }) teams!: TeamDto[];
  @ApiProperty({ type: MeApiKeyDto }) api_key!: MeApiKeyDto;
  @ApiProperty({ type: RateLimitsDto }) rate_limits!: RateLimitsDto;
}
