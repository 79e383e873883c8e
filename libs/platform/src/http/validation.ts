import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import type { ErrorCode } from '../errors/error-catalogue';

/**
 * Request DTO validation (class-validator). Unknown properties are refused, not dropped; errors map to
 * `missing_required_field`, `unknown_field`, `invalid_field_value` (or a code a decorator names through
 * `context: { code }`, e.g. `invalid_limit`), always with `param` as a dotted path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => toAppError(errors),
  });
}

export function toAppError(errors: ValidationError[]): AppError {
  const found = firstLeaf(errors, '');
  if (!found) return new AppError('invalid_field_value', 'The request is invalid.');
  const { error, path } = found;
  const constraints = error.constraints ?? {};
  const [name, message] = Object.entries(constraints)[0] ?? ['unknown', 'is invalid'];
  if (name === 'whitelistValidation') {
    return new AppError('unknown_field', `Unknown field '${path}'.`, { param: path });
  }
  const named = (error.contexts?.[name] as { code?: ErrorCode } | undefined)?.code;
  if (named) return new AppError(named, message, { param: path });
  if (error.value === undefined || (error.value === null && constraints['isDefined'])) {
    return new AppError('missing_required_field', `'${path}' is required.`, { param: path });
  }
  return new AppError('invalid_field_value', message, { param: path });
}

function firstLeaf(errors: ValidationError[], prefix: string): { error: ValidationError; path: string } | undefined {
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) ? `[${error.property}]` : error.property;
    const path = prefix === '' ? key : key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`;
    if (error.constraints && Object.keys(error.constraints).length > 0) return { error, path };
    const nested = firstLeaf(error.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}
