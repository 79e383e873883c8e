import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError } from '../errors/app-error';
import type { ErrorCode } from '../errors/error-catalogue';
import { checkStorableText } from './json-text';

/**
 * Request DTO validation (class-validator). Unknown properties are refused, not dropped; errors map to
 * `missing_required_field`, `unknown_field`, `invalid_field_value` (or a code a decorator names through
 * `context: { code }`, e.g. `invalid_limit`), always with `param` as a dotted path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ExactValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: true,
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => toAppError(errors),
  });
}

/**
 * Nest's ValidationPipe plus what class-transformer hides from it: plainToInstance skips keys named like
 * built-in members (`constructor`, `toString`, `valueOf`, `hasOwnProperty`, `__proto__` …) and copies
 * free JSON (`metadata`) without them, so the whitelist never sees them. Here every key of the input
 * must be a declared property (else 400 `unknown_field`), free JSON values are handed on exactly as
 * parsed (a `__proto__` key inside them is refused, never dropped), a DTO body must be a JSON object,
 * and query and path strings follow the body's text rules (no U+0000, no lone surrogate).
 */
export class ExactValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query' || metadata.type === 'param') checkStrings(value, metadata.type === 'param' ? (metadata.data ?? '') : '');
    const dto = metadata.metatype !== undefined && (metadata.type === 'body' || metadata.type === 'query') && this.toValidate(metadata);
    if (!dto) return super.transform(value, metadata);
    if (metadata.type === 'body' && value !== undefined && !isRecord(value)) {
      throw new AppError('invalid_field_value', 'The request body must be a JSON object.');
    }
    if (isRecord(value)) {
      const declared = declaredProperties(metadata.metatype as object);
      for (const key of Object.keys(value)) {
        if (!declared.has(key)) throw new AppError('unknown_field', `Unknown field '${key}'.`, { param: key });
      }
    }
    // Nest's pipe deletes `__proto__`, `prototype` and `constructor` keys in place: give it a copy, keep the original.
    const result: unknown = await super.transform(copyJson(value), metadata);
    keepExact(value, result, '');
    return result;
  }
}

function declaredProperties(target: object): Set<string> {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(target as new () => unknown, '', true, false);
  return new Set(metadatas.map((m) => m.propertyName));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An instance of a DTO class (not a plain or prototype-less object of any realm, not an array). */
function isDtoInstance(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto !== null && Object.getPrototypeOf(proto) !== null;
}

/** A deep copy of parsed JSON keeping every own key (`__proto__` included); depth is bounded by the reader. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (!isRecord(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, { value: copyJson(value[key]), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

/** Walks input and DTO instance together: unknown keys at any DTO level, free JSON restored exactly. */
function keepExact(raw: unknown, instance: unknown, path: string): void {
  if (!isRecord(raw) || !isDtoInstance(instance)) return;
  for (const key of Object.keys(raw)) {
    const param = join(path, key);
    if (!Object.prototype.hasOwnProperty.call(instance, key)) throw new AppError('unknown_field', `Unknown field '${param}'.`, { param });
    const given = raw[key];
    const made = instance[key];
    if (isDtoInstance(made)) keepExact(given, made, param);
    else if (Array.isArray(made) && made.some(isDtoInstance)) {
      made.forEach((item, i) => keepExact(Array.isArray(given) ? given[i] : undefined, item, `${param}[${i}]`));
    } else if (typeof made === 'object' && made !== null && typeof given === 'object' && given !== null) {
      refuseProtoKeys(given, param);
      instance[key] = given;
    }
  }
}

/** `__proto__` inside free JSON is refused: stored it would be a prototype-pollution hazard for every reader. */
function refuseProtoKeys(value: object, path: string): void {
  const stack: { value: unknown; path: string }[] = [{ value, path }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (Array.isArray(current)) current.forEach((v: unknown, i) => stack.push({ value: v, path: `${item?.path ?? ''}[${i}]` }));
    else if (isRecord(current)) {
      for (const key of Object.keys(current)) {
        const param = join(item.path, key);
        if (key === '__proto__') throw AppError.invalid(param, `'${param}': the key '__proto__' is not accepted.`);
        stack.push({ value: current[key], path: param });
      }
    }
  }
}

/** Query and path values: the same storable-text rule as body strings. */
function checkStrings(value: unknown, path: string): void {
  if (typeof value === 'string') checkStorableText(value, path === '' ? 'query' : path);
  else if (Array.isArray(value)) value.forEach((v: unknown, i) => checkStrings(v, `${path}[${i}]`));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      checkStorableText(key, join(path, key));
      checkStrings(v, join(path, key));
    }
  }
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
