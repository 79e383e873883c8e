import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue';

/**
 * The one error type of Kirim's domain and application code. It knows its catalogue code, never HTTP:
 * the platform's exception filter turns it into the error envelope.
 */
export class AppError extends Error {
  readonly param: string | undefined;
  /** Extra response headers (e.g. `Retry-After`), applied by the filter. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { param?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.param = options.param;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  static notFound(what: string, id: string): AppError {
    return new AppError('resource_not_found', `No such ${what}: '${id}'`);
  }

  static invalid(param: string, message: string): AppError {
    return new AppError('invalid_field_value', message, { param });
  }
}
