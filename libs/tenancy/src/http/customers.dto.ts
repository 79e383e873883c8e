import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, ValidateIf } from 'class-validator';
import { idPattern, IsPublicId, ListQueryDto, SingleLineText } from '@kirim/platform';
import {
  CUSTOMER_STATUSES,
  type CustomerStatus,
  EMAIL_MAX_LENGTH,
  METADATA_MAX_BYTES,
  METADATA_MAX_KEYS,
  NAME_MAX_LENGTH,
} from '../domain/customer';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
/** A field that may be omitted but not null. */
const present = (_: object, value: unknown) => value !== undefined;

const metadataDoc = {
  type: 'object',
  additionalProperties: true,
  nullable: true,
  description: `Free JSON object: at most ${METADATA_MAX_KEYS} keys and ${METADATA_MAX_BYTES} bytes serialised.`,
} as const;

// Lengths, email syntax and metadata limits are domain rules, checked by CustomersService.

export class CreateCustomerDto {
  @ApiProperty({ minLength: 1, maxLength: NAME_MAX_LENGTH, description: 'Trimmed; whitespace runs collapsed; control characters removed.' })
  @IsString(mustBe('name', 'a string'))
  @SingleLineText()
  name!: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsOptional()
  @IsString(mustBe('email', 'a string'))
  @SingleLineText()
  email?: string | null;

  @ApiPropertyOptional(metadataDoc)
  @IsOptional()
  @IsObject(mustBe('metadata', 'a JSON object or null'))
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({ description: 'Required when the organization has several teams.', pattern: idPattern('team') })
  @ValidateIf(present)
  @IsPublicId('team')
  team_id?: string;
}

export class UpdateCustomerDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: NAME_MAX_LENGTH })
  @ValidateIf(present)
  @IsString(mustBe('name', 'a string'))
  @SingleLineText()
  name?: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, format: 'email', description: '`null` clears it.' })
  @IsOptional()
  @IsString(mustBe('email', 'a string or null'))
  @SingleLineText()
  email?: string | null;

  @ApiPropertyOptional({ ...metadataDoc, description: `${metadataDoc.description} Replaces the whole object; \`null\` clears it.` })
  @IsOptional()
  @IsObject(mustBe('metadata', 'a JSON object or null'))
  metadata?: Record<string, unknown> | null;

  @ApiPropertyOptional({
    enum: CUSTOMER_STATUSES,
    description: '`suspended` (from pending or active), or back from suspended (`active` with an onboarded account, else `pending`).',
  })
  @ValidateIf(present)
  @IsIn(CUSTOMER_STATUSES, mustBe('status', CUSTOMER_STATUSES.join(', ')))
  status?: CustomerStatus;
}

export class ListCustomersQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: CUSTOMER_STATUSES })
  @IsOptional()
  @IsIn(CUSTOMER_STATUSES, mustBe('status', CUSTOMER_STATUSES.join(', ')))
  status?: CustomerStatus;

  @ApiPropertyOptional({ pattern: idPattern('team') })
  @IsOptional()
  @IsPublicId('team')
  team_id?: string;

  @ApiPropertyOptional({ description: 'Exact email.' })
  @IsOptional()
  @IsString(mustBe('email', 'a single string'))
  email?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: NAME_MAX_LENGTH, description: 'Name contains (case-insensitive).' })
  @IsOptional()
  @IsString(mustBe('q', 'a single string'))
  q?: string;
}

/** One account in `whatsapp_accounts` of `GET /v1/customers/{id}`. */
export class CustomerWhatsappAccountDto {
  @ApiProperty({ example: 'wba_01J0000000000000000000000' }) id!: string;
  @ApiProperty() phone_number_id!: string;
  @ApiProperty() display_phone_number!: string;
  @ApiProperty() verified_name!: string;
  @ApiProperty({ enum: ['approved', 'restricted', 'disconnected', 'archived'] }) status!: string;
  @ApiProperty({ format: 'date-time' }) onboarded_at!: string;
}

/** The customer resource (spec 03 § Customer), for the OpenAPI document. */
export class CustomerDto {
  @ApiProperty({ example: 'cus_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['customer'] }) object!: 'customer';
  @ApiProperty() name!: string;
  @ApiProperty({ type: 'string', nullable: true }) email!: string | null;
  @ApiProperty({ enum: CUSTOMER_STATUSES }) status!: CustomerStatus;
  @ApiProperty(metadataDoc) metadata!: Record<string, unknown> | null;
  @ApiProperty({ example: 'team_01J0000000000000000000000' }) team_id!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) archived_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class CustomerWithAccountsDto extends CustomerDto {
  @ApiProperty({ type: [CustomerWhatsappAccountDto] }) whatsapp_accounts!: CustomerWhatsappAccountDto[];
}
