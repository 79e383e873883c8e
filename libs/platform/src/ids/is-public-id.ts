import { Matches, type ValidationArguments } from 'class-validator';
import { type IdPrefix, idPattern } from './ids';

/**
 * A body or query field holding a public id of one kind: `@IsPublicId('cus') customer_id?: string`. A
 * malformed value is 400 `invalid_field_value` with `param` (an unknown one is a 404 later). The one place
 * an id's shape is checked in a DTO; its OpenAPI `pattern` is `idPattern(prefix)`.
 */
export function IsPublicId(prefix: IdPrefix): PropertyDecorator {
  return Matches(new RegExp(idPattern(prefix)), {
    message: (args: ValidationArguments) => `'${args.property}' must be a ${prefix}_ id.`,
  });
}
