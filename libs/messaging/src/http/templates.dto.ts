import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsDefined, IsOptional, IsString } from 'class-validator';
import { ListQueryDto } from '@kirim/platform';
import { PARAMETER_FORMATS, TEMPLATE_CATEGORIES, TEMPLATE_LIMITS, TEMPLATE_STATUSES } from '../domain/templates';

const mustBe = (param: string, what: string) => ({ message: `'${param}' must be ${what}.` });
const component = {
  type: 'object',
  additionalProperties: true,
  description:
    "Meta's component: `{type: HEADER|BODY|FOOTER|BUTTONS, format?, text?, example?, buttons?}`; other types are passed to Meta unchanged.",
} as const;

// Names, lengths, placeholders, examples and buttons are domain rules (domain/templates.ts), checked by TemplatesService.

/** `POST /v1/{phone_number_id}/templates`. */
export class CreateTemplateDto {
  @ApiProperty({ maxLength: TEMPLATE_LIMITS.name, pattern: '^[a-z0-9_]+$', example: 'order_update' })
  @IsDefined({ message: "'name' is required." })
  @IsString(mustBe('name', 'a string'))
  name!: string;

  @ApiProperty({ example: 'en_US', description: "Meta's language code." })
  @IsDefined({ message: "'language' is required." })
  @IsString(mustBe('language', 'a string such as en_US'))
  language!: string;

  @ApiProperty({ enum: TEMPLATE_CATEGORIES })
  @IsDefined({ message: "'category' is required." })
  @IsString(mustBe('category', `one of ${TEMPLATE_CATEGORIES.join(', ')}`))
  category!: string;

  @ApiPropertyOptional({ enum: PARAMETER_FORMATS, default: 'POSITIONAL', description: 'NAMED for `{{first_name}}` placeholders.' })
  @IsOptional()
  @IsString(mustBe('parameter_format', 'POSITIONAL or NAMED'))
  parameter_format?: string;

  @ApiProperty({ type: 'array', items: component, description: 'Exactly one BODY; examples for every placeholder.' })
  @IsDefined({ message: "'components' is required." })
  @IsArray(mustBe('components', 'an array of components'))
  components!: unknown[];
}

/** `GET /v1/{phone_number_id}/templates` query (values checked by TemplatesService). */
export class ListTemplatesQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ enum: TEMPLATE_STATUSES, description: 'Deleted templates are listed only with `status=deleted`.' })
  @IsOptional()
  @IsString(mustBe('status', 'a single string'))
  status?: string;

  @ApiPropertyOptional({ description: 'Exact template name.' })
  @IsOptional()
  @IsString(mustBe('name', 'a single string'))
  name?: string;

  @ApiPropertyOptional({ example: 'en_US' })
  @IsOptional()
  @IsString(mustBe('language', 'a single string'))
  language?: string;

  @ApiPropertyOptional({ enum: TEMPLATE_CATEGORIES })
  @IsOptional()
  @IsString(mustBe('category', 'a single string'))
  category?: string;
}

/** The template resource (spec 05 § Templates), for the OpenAPI document. */
export class TemplateDto {
  @ApiProperty({ example: 'tmpl_01J0000000000000000000000' }) id!: string;
  @ApiProperty({ enum: ['template'] }) object!: 'template';
  @ApiProperty() account_id!: string;
  @ApiProperty() waba_id!: string;
  @ApiProperty({ type: 'string', nullable: true }) meta_template_id!: string | null;
  @ApiProperty() name!: string;
  @ApiProperty() language!: string;
  @ApiProperty({ enum: TEMPLATE_CATEGORIES }) category!: string;
  @ApiProperty({ enum: TEMPLATE_STATUSES }) status!: string;
  @ApiProperty({ type: 'array', items: component }) components!: Record<string, unknown>[];
  @ApiProperty({ type: 'string', nullable: true }) rejection_reason!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: 'GREEN, YELLOW, RED or UNKNOWN when Meta reported it.' }) quality!:
    | string
    | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

/** `POST …/templates/sync`. */
export class TemplateSyncDto {
  @ApiProperty({ description: 'Templates Meta has that Kirim did not.' }) created!: number;
  @ApiProperty({ description: 'Rows changed to what Meta says (or marked deleted: gone at Meta).' }) updated!: number;
  @ApiProperty() unchanged!: number;
}
