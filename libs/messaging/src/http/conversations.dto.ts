import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { idPattern, ListQueryDto } from '@kirim/platform';
import { CONVERSATION_STATUSES, type ConversationStatus } from '../domain/parties';
import { LabelSummaryDto } from './labels.dto';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
/** A field that may be omitted but not null. */
const present = (_: object, value: unknown) => value !== undefined;

export class ListConversationsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: CONVERSATION_STATUSES })
  @IsOptional()
  @IsString(mustBe('status', 'a single string'))
  status?: string;

  @ApiPropertyOptional({ pattern: idPattern('usr') })
  @IsOptional()
  @IsString(mustBe('assignee_id', 'a single string'))
  assignee_id?: string;

  @ApiPropertyOptional({ pattern: idPattern('lbl') })
  @IsOptional()
  @IsString(mustBe('label_id', 'a single string'))
  label_id?: string;

  @ApiPropertyOptional({ pattern: idPattern('ctc') })
  @IsOptional()
  @IsString(mustBe('contact_id', 'a single string'))
  contact_id?: string;
}

export class UpdateConversationDto {
  @ApiPropertyOptional({ enum: CONVERSATION_STATUSES })
  @ValidateIf(present)
  @IsIn(CONVERSATION_STATUSES, mustBe('status', CONVERSATION_STATUSES.join(', ')))
  status?: ConversationStatus;

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    pattern: idPattern('usr'),
    description: 'A user of the organization (else 404), or `null` to unassign.',
  })
  @IsOptional()
  @Matches(new RegExp(idPattern('usr')), mustBe('assignee_id', 'a usr_ id or null'))
  assignee_id?: string | null;
}

class ConversationContactDto {
  @ApiProperty({ example: 'ctc_01J0000000000000000000000' }) id!: string;
  @ApiProperty() wa_id!: string;
  @ApiProperty() phone_number!: string;
  @ApiProperty({ type: 'string', nullable: true, description: 'The contact name, else the WhatsApp profile name.' }) name!: string | null;
}

class AssigneeDto {
  @ApiProperty({ example: 'usr_01J0000000000000000000000' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: 'string', nullable: true }) name!: string | null;
}

/** The conversation resource (spec 05 § Conversations), for the OpenAPI document. */
export class ConversationDto {
  @ApiProperty({ example: 'cnv_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['conversation'] }) object!: 'conversation';
  @ApiProperty() account_id!: string;
  @ApiProperty() phone_number_id!: string;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: ConversationContactDto }) contact!: ConversationContactDto;
  @ApiProperty({ enum: CONVERSATION_STATUSES }) status!: string;
  @ApiProperty({ type: AssigneeDto, nullable: true }) assignee!: AssigneeDto | null;
  @ApiProperty({ type: [LabelSummaryDto] }) labels!: LabelSummaryDto[];
  @ApiProperty() unread_count!: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) last_message_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) last_inbound_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: '`last_inbound_at` + 24 h.' })
  service_window_expires_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}
