import { ERROR_CATALOGUE, type ErrorCode, type ErrorType } from './error-catalogue';

export interface ErrorBody {
  error: { type: ErrorType; code: ErrorCode; message: string; param?: string; request_id: string };
}

export function errorBody(code: ErrorCode, message: string, requestId: string, param?: string): ErrorBody {
  return {
    error: {
      type: ERROR_CATALOGUE[code].type,
      code,
      message,
      ...(param === undefined ? {} : { param }),
      request_id: requestId,
    },
  };
}
