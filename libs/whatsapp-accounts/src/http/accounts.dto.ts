import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { idPattern, IsPublicId, ListQueryDto } from '@kirim/platform';
import { ACCOUNT_STATUSES, type WhatsappAccountStatus } from '../domain/account';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });

export class ListAccountsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES, description: 'Default: every status but `archived`.' })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES, mustBe('status', ACCOUNT_STATUSES.join(', ')))
  status?: WhatsappAccountStatus;

  @ApiPropertyOptional({ pattern: idPattern('cus') })
  @IsOptional()
  @IsPublicId('cus')
  customer_id?: string;

  @ApiPropertyOptional({ pattern: idPattern('team') })
  @IsOptional()
  @IsPublicId('team')
  team_id?: string;
}

class AccountCustomerDto {
  @ApiProperty({ example: 'cus_01J0000000000000000000000' }) id!: string;
  @ApiProperty() name!: string;
}

/** The WhatsApp account resource (spec 04 § Resource), for the OpenAPI document. */
export class WhatsappAccountDto {
  @ApiProperty({ example: 'wba_01J0000000000000000000000', description: 'Stable across reconnects.' }) id!: string;
  @ApiProperty({ enum: ['whatsapp_account'] }) object!: 'whatsapp_account';
  @ApiProperty({ description: "Meta's id; changes when the number is reconnected." }) phone_number_id!: string;
  @ApiProperty() waba_id!: string;
  @ApiProperty({ example: '+62 811 1222 333' }) display_phone_number!: string;
  @ApiProperty() verified_name!: string;
  @ApiProperty({ enum: ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] }) quality_rating!: string;
  @ApiProperty({ enum: ['STANDARD', 'HIGH'] }) throughput_level!: string;
  @ApiProperty({ type: 'string', nullable: true, example: 'TIER_250' }) messaging_limit_tier!: string | null;
  @ApiProperty({ enum: ACCOUNT_STATUSES }) status!: WhatsappAccountStatus;
  @ApiProperty({ type: AccountCustomerDto, nullable: true }) customer!: AccountCustomerDto | null;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty() team_id!: string;
  @ApiProperty({ format: 'date-time' }) onboarded_at!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}
