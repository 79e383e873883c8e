import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/**
 * Documents the `{data, request_id}` envelope (or, with `list`, `{data: [], has_more, next_cursor,
 * request_id}`) around a response model.
 */
export function ApiData(model: Type, options: { status?: number; list?: boolean } = {}) {
  const item = { $ref: getSchemaPath(model) };
  const properties: Record<string, object> = options.list
    ? { data: { type: 'array', items: item }, has_more: { type: 'boolean' }, next_cursor: { type: ['string', 'null'] } }
    : { data: item };
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status: options.status ?? 200,
      schema: {
        type: 'object',
        required: [...Object.keys(properties), 'request_id'],
        properties: { ...properties, request_id: { type: 'string' } },
      },
    }),
  );
}
