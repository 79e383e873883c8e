import { HttpException } from '@nestjs/common';
import { AppError } from './app-error';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue';
import { errorBody, type ErrorBody } from './error-body';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
  /** True when the error is a fault of ours and must be logged with its stack. */
  unexpected: boolean;
}

const BODY_PARSER_CODES: Record<string, ErrorCode> = {
  'entity.too.large': 'payload_too_large',
  'entity.parse.failed': 'invalid_json',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
  'request.aborted': 'invalid_json',
  'request.size.invalid': 'invalid_json',
};

/** Maps anything thrown while serving a request to the envelope of spec 01-conventions.md. */
export function toErrorResponse(exception: unknown, requestId: string): ErrorResponse {
  if (exception instanceof AppError) {
    return respond(exception.code, exception.message, requestId, exception.param, { ...exception.headers });
  }
  const parserType = (exception as { type?: unknown } | null)?.type;
  if (typeof parserType === 'string' && parserType in BODY_PARSER_CODES) {
    const code = BODY_PARSER_CODES[parserType] as ErrorCode;
    const message =
      code === 'payload_too_large'
        ? 'The request body is larger than 1 MiB.'
        : code === 'unsupported_media_type'
          ? 'The request body encoding is not supported; send UTF-8 JSON.'
          : 'The request body is not valid JSON.';
    return respond(code, message, requestId);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return respond('resource_not_found', 'Unrecognized request URL.', requestId);
    if (status === 413) return respond('payload_too_large', 'The request body is larger than 1 MiB.', requestId);
    if (status === 415) return respond('unsupported_media_type', 'Send the body as application/json.', requestId);
    if (status === 401) return respond('invalid_api_key', 'Invalid API key.', requestId);
    if (status === 405 || status === 400) return respond('invalid_field_value', exception.message, requestId);
  }
  if (isDependencyDown(exception)) {
    return {
      ...respond('service_unavailable', 'A dependency is unavailable; retry later.', requestId, undefined, { 'Retry-After': '5' }),
      unexpected: true,
    };
  }
  return { ...respond('internal_error', 'An internal error occurred.', requestId), unexpected: true };
}

function respond(code: ErrorCode, message: string, requestId: string, param?: string, headers: Record<string, string> = {}): ErrorResponse {
  return { status: ERROR_CATALOGUE[code].status, body: errorBody(code, message, requestId, param), headers, unexpected: false };
}

const DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'P1001',
  'P1002',
  'P1017',
  '57P01',
  '57P03',
]);

/** PostgreSQL or Redis unreachable, anywhere in the cause chain. */
export function isDependencyDown(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth++) {
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && DOWN_CODES.has(e.code)) return true;
    if (e.name === 'MaxRetriesPerRequestError') return true;
    if (typeof e.message === 'string' && /Connection is closed|connect ECONNREFUSED|Can't reach database server/.test(e.message))
      return true;
    current = e.cause;
  }
  return false;
}
