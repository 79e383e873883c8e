import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { idPattern, ListQueryDto } from '@kirim/platform';
import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '../domain/message';
import { OUTBOUND_TYPES } from '../domain/outbound/send-request';

const notString = (param: string) => ({ message: `'${param}' must be a single string.` });

/** `GET /v1/{phone_number_id}/messages` query: pagination plus the filters (their values are checked by MessagesService). */
export class ListMessagesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: idPattern('cnv') })
  @IsOptional()
  @IsString(notString('conversation_id'))
  conversation_id?: string;

  @ApiPropertyOptional({ pattern: idPattern('ctc') })
  @IsOptional()
  @IsString(notString('contact_id'))
  contact_id?: string;

  @ApiPropertyOptional({ enum: MESSAGE_DIRECTIONS })
  @IsOptional()
  @IsString(notString('direction'))
  direction?: string;

  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsString(notString('status'))
  status?: string;

  @ApiPropertyOptional({ description: 'Only messages created strictly after this ISO 8601 timestamp.', format: 'date-time' })
  @IsOptional()
  @IsString(notString('created_after'))
  created_after?: string;

  @ApiPropertyOptional({ description: 'Only messages created strictly before this ISO 8601 timestamp.', format: 'date-time' })
  @IsOptional()
  @IsString(notString('created_before'))
  created_before?: string;
}

/** The body of a send, for the OpenAPI document (validated by the send service with Meta's limits, not by class-validator). */
export const SEND_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    "Meta's Cloud API send body: `{messaging_product?, recipient_type?, to, type?, <type>: {…}, context?, biz_opaque_callback_data?, metadata?}`.",
  required: ['to'],
  properties: {
    messaging_product: { type: 'string', enum: ['whatsapp'] },
    recipient_type: { type: 'string', enum: ['individual'] },
    to: { type: 'string', description: 'E.164 digits, `+` optional.', example: '+6281112223333' },
    type: { type: 'string', enum: [...OUTBOUND_TYPES], default: 'text' },
    text: { type: 'object', properties: { body: { type: 'string' }, preview_url: { type: 'boolean' } } },
    context: { type: 'object', properties: { message_id: { type: 'string' } } },
    biz_opaque_callback_data: { type: 'string' },
    metadata: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
};

/** The message resource (spec 05 § Message resource), for the OpenAPI document. */
export class MessageDto {
  @ApiProperty({ example: 'msg_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['message'] }) object!: 'message';
  @ApiProperty() account_id!: string;
  @ApiProperty() phone_number_id!: string;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty() conversation_id!: string;
  @ApiProperty() contact_id!: string;
  @ApiProperty({ enum: MESSAGE_DIRECTIONS }) direction!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: '`{<type>: {…}}`: the payload as sent or received.' })
  content!: Record<string, unknown>;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
  @ApiProperty({ type: 'string', nullable: true }) wamid!: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: '`{code, message, meta_code, meta_title}`' })
  error!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) context!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) metadata!: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) pricing!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) sent_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) delivered_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) read_at!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) failed_at!: string | null;
}

/** `POST /v1/{phone_number_id}/messages/{id}/read` body (optional). */
export class MarkReadDto {
  @ApiPropertyOptional({ description: 'Also show the typing indicator to the contact (Meta hides it after 25 s or at the next message).' })
  @IsOptional()
  @IsBoolean({ message: "'typing_indicator' must be a boolean." })
  typing_indicator?: boolean;
}
