import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { idPattern, IsPublicId, ListQueryDto, SingleLineText } from '@kirim/platform';
import { CONTACT_EMAIL_MAX_LENGTH, CONTACT_METADATA_MAX_BYTES, CONTACT_NAME_MAX_LENGTH, CONTACT_QUERY_MAX_LENGTH } from '../domain/parties';
import { LabelSummaryDto } from './labels.dto';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
export const BULK_LABEL_MAX = 1000;

const metadataDoc = {
  type: 'object',
  additionalProperties: true,
  nullable: true,
  description: `The integrator's own JSON object, at most ${CONTACT_METADATA_MAX_BYTES} bytes serialised.`,
} as const;

const phoneDoc = {
  example: '+6281112223333',
  description: "E.164: 8-15 digits with the country code, `+` optional; spaces, dashes and brackets are ignored (as a send's `to`).",
};

export class ListContactsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ ...phoneDoc, description: `Exact number. ${phoneDoc.description}` })
  @IsOptional()
  @IsString(mustBe('phone_number', 'a single string'))
  phone_number?: string;

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: CONTACT_QUERY_MAX_LENGTH,
    description: 'Name, WhatsApp profile name, email or phone number contains (case-insensitive).',
  })
  @IsOptional()
  @IsString(mustBe('q', 'a single string'))
  q?: string;

  @ApiPropertyOptional({ pattern: idPattern('lbl'), description: 'Only contacts carrying this label.' })
  @IsOptional()
  @IsString(mustBe('label_id', 'a single string'))
  label_id?: string;
}

export class CreateContactDto {
  @ApiProperty(phoneDoc)
  @IsString(mustBe('phone_number', 'a string'))
  phone_number!: string;

  @ApiPropertyOptional({ type: 'string', nullable: true, minLength: 1, maxLength: CONTACT_NAME_MAX_LENGTH })
  @IsOptional()
  @IsString(mustBe('name', 'a string or null'))
  @SingleLineText()
  name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, format: 'email', maxLength: CONTACT_EMAIL_MAX_LENGTH })
  @IsOptional()
  @IsString(mustBe('email', 'a string or null'))
  @SingleLineText()
  email?: string | null;

  @ApiPropertyOptional(metadataDoc)
  @IsOptional()
  @IsObject(mustBe('metadata', 'a JSON object or null'))
  metadata?: Record<string, unknown> | null;
}

export class UpdateContactDto {
  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    minLength: 1,
    maxLength: CONTACT_NAME_MAX_LENGTH,
    description: '`null` clears it.',
  })
  @IsOptional()
  @IsString(mustBe('name', 'a string or null'))
  @SingleLineText()
  name?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true, format: 'email', description: '`null` clears it.' })
  @IsOptional()
  @IsString(mustBe('email', 'a string or null'))
  @SingleLineText()
  email?: string | null;

  @ApiPropertyOptional({ ...metadataDoc, description: `${metadataDoc.description} Replaces the whole object; \`null\` clears it.` })
  @IsOptional()
  @IsObject(mustBe('metadata', 'a JSON object or null'))
  metadata?: Record<string, unknown> | null;
}

export class AttachLabelDto {
  @ApiProperty({ pattern: idPattern('lbl'), description: "A label of the account's team." })
  @IsString(mustBe('label_id', 'a string'))
  @IsPublicId('lbl')
  label_id!: string;
}

export class BulkLabelDto {
  @ApiProperty({ type: [String], minItems: 1, maxItems: BULK_LABEL_MAX, items: { type: 'string', pattern: idPattern('ctc') } })
  @IsArray(mustBe('contact_ids', 'an array of ctc_ ids'))
  @ArrayMinSize(1, mustBe('contact_ids', `1 to ${BULK_LABEL_MAX} ctc_ ids`))
  @ArrayMaxSize(BULK_LABEL_MAX, mustBe('contact_ids', `1 to ${BULK_LABEL_MAX} ctc_ ids`))
  @Matches(new RegExp(idPattern('ctc')), { each: true, message: "'contact_ids' must hold ctc_ ids only." })
  contact_ids!: string[];

  @ApiProperty({ pattern: idPattern('lbl') })
  @IsString(mustBe('label_id', 'a string'))
  @IsPublicId('lbl')
  label_id!: string;

  @ApiProperty({ enum: ['attach', 'detach'] })
  @IsIn(['attach', 'detach'], mustBe('operation', "'attach' or 'detach'"))
  operation!: 'attach' | 'detach';
}

/** The answer of `POST …/contacts/bulk_label`. */
export class BulkLabelResultDto {
  @ApiProperty({ description: 'Contacts the label was attached to (or detached from).' }) applied!: number;
  @ApiProperty({ description: "The other ids: another account's or tenant's, unknown, repeated, or already as asked." }) skipped!: number;
}

/** The contact resource (spec 05 § Contacts), for the OpenAPI document. */
export class ContactDto {
  @ApiProperty({ example: 'ctc_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['contact'] }) object!: 'contact';
  @ApiProperty() account_id!: string;
  @ApiProperty() phone_number_id!: string;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty({ description: 'WhatsApp id: the digits of the number.' }) wa_id!: string;
  @ApiProperty({ description: 'E.164 with `+`.' }) phone_number!: string;
  @ApiProperty({ type: 'string', nullable: true }) name!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'The name the user set in WhatsApp.' }) profile_name!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) email!: string | null;
  @ApiProperty(metadataDoc) metadata!: Record<string, unknown> | null;
  @ApiProperty({ type: [LabelSummaryDto] }) labels!: LabelSummaryDto[];
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}
