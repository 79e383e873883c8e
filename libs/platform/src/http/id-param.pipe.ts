import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { type IdPrefix, isId } from '../ids/ids';

/** Validates a path id's shape: a malformed id is 400 `invalid_field_value` (an unknown one is a 404 later). */
@Injectable()
export class IdParamPipe implements PipeTransform<unknown, string> {
  constructor(
    private readonly prefix: IdPrefix,
    private readonly param = 'id',
  ) {}

  transform(value: unknown): string {
    if (!isId(this.prefix, value)) {
      throw new AppError('invalid_field_value', `'${this.param}' must be a ${this.prefix}_ id.`, { param: this.param });
    }
    return value;
  }
}

/** `@Param('id', IdParam('cus'))` */
export const IdParam = (prefix: IdPrefix, param = 'id') => new IdParamPipe(prefix, param);
