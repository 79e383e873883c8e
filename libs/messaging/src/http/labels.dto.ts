import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, ValidateIf } from 'class-validator';
import { idPattern, IsPublicId, ListQueryDto, SingleLineText } from '@kirim/platform';
import { DEFAULT_LABEL_COLOR, LABEL_COLORS, LABEL_NAME_MAX_LENGTH } from '../domain/labels';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
/** A field that may be omitted but not null. */
const present = (_: object, value: unknown) => value !== undefined;

export class CreateLabelDto {
  @ApiProperty({ minLength: 1, maxLength: LABEL_NAME_MAX_LENGTH, description: 'Trimmed; unique in the team ignoring case (else 409).' })
  @IsString(mustBe('name', 'a string'))
  @SingleLineText()
  name!: string;

  @ApiPropertyOptional({ enum: LABEL_COLORS, default: DEFAULT_LABEL_COLOR })
  @ValidateIf(present)
  @IsIn(LABEL_COLORS, mustBe('color', `one of ${LABEL_COLORS.join(', ')}`))
  color?: string;

  @ApiPropertyOptional({ description: 'Required when the organization has several teams.', pattern: idPattern('team') })
  @ValidateIf(present)
  @IsPublicId('team')
  team_id?: string;
}

export class UpdateLabelDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: LABEL_NAME_MAX_LENGTH })
  @ValidateIf(present)
  @IsString(mustBe('name', 'a string'))
  @SingleLineText()
  name?: string;

  @ApiPropertyOptional({ enum: LABEL_COLORS })
  @ValidateIf(present)
  @IsIn(LABEL_COLORS, mustBe('color', `one of ${LABEL_COLORS.join(', ')}`))
  color?: string;
}

export class ListLabelsQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ pattern: idPattern('team') })
  @IsOptional()
  @IsPublicId('team')
  team_id?: string;
}

/** The label resource (spec 05 § Labels), for the OpenAPI document. */
export class LabelDto {
  @ApiProperty({ example: 'lbl_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['label'] }) object!: 'label';
  @ApiProperty({ example: 'team_01J0000000000000000000000' }) team_id!: string;
  @ApiProperty({ minLength: 1, maxLength: LABEL_NAME_MAX_LENGTH }) name!: string;
  @ApiProperty({ enum: LABEL_COLORS }) color!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** `{id, name, color}` of a label on a contact or conversation. */
export class LabelSummaryDto {
  @ApiProperty({ example: 'lbl_01J0000000000000000000000' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: LABEL_COLORS }) color!: string;
}
