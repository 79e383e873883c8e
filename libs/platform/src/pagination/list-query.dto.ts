import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

const limitRule = { message: "'limit' must be an integer from 1 to 100.", context: { code: 'invalid_limit' } };

/**
 * `limit` and `cursor` of every list endpoint (spec 01-conventions.md § Pagination). List query DTOs
 * extend it with their filters. Query values arrive as strings: only plain digit strings become numbers,
 * so '0', '101', 'abc', '1.5' and '' all fail with 400 `invalid_limit`.
 */
export class ListQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value))
  @IsInt(limitRule)
  @Min(1, limitRule)
  @Max(MAX_LIMIT, limitRule)
  limit?: number;

  @ApiPropertyOptional({ description: "The previous page's `next_cursor`, verbatim." })
  @IsOptional()
  @IsString({ message: "'cursor' must be a string.", context: { code: 'invalid_cursor' } })
  cursor?: string;
}
