import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { EVENT_TYPES } from '@kirim/contracts';
import { idPattern, ListQueryDto } from '@kirim/platform';

const notString = (param: string) => ({ message: `'${param}' must be a single string.` });

/** `GET /v1/events` query: pagination plus the filters (their values are checked by EventsService). */
export class ListEventsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({
    description: 'A registered event type (`customer.created`) or a prefix pattern (`customer.*`).',
    examples: ['customer.created', 'customer.*'],
  })
  @IsOptional()
  @IsString(notString('type'))
  type?: string;

  @ApiPropertyOptional({ description: 'Only events of this customer (`cus_…`).', pattern: idPattern('cus') })
  @IsOptional()
  @IsString(notString('customer_id'))
  customer_id?: string;

  @ApiPropertyOptional({ description: 'Only events created strictly after this ISO 8601 timestamp.', format: 'date-time' })
  @IsOptional()
  @IsString(notString('created_after'))
  created_after?: string;

  @ApiPropertyOptional({ description: 'Only events created strictly before this ISO 8601 timestamp.', format: 'date-time' })
  @IsOptional()
  @IsString(notString('created_before'))
  created_before?: string;
}

/** The event resource (spec 06 § Events), for the OpenAPI document. */
export class EventDto {
  @ApiProperty({ example: 'evt_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['event'] }) object!: 'event';
  @ApiProperty({ enum: [...EVENT_TYPES] }) type!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty() organization_id!: string;
  @ApiProperty({ type: 'string', nullable: true }) team_id!: string | null;
  @ApiProperty({ type: 'string', nullable: true }) customer_id!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Resources the event is about; see the event types table.' })
  data!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Old values of the changed fields (`*.updated`).',
  })
  previous_attributes!: Record<string, unknown> | null;
}
