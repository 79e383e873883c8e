import { SetMetadata } from '@nestjs/common';

/** One page of a list endpoint; the envelope renders it as `{data, has_more, next_cursor}`. */
export class Page<T> {
  constructor(
    readonly data: T[],
    readonly hasMore: boolean,
    readonly nextCursor: string | null,
  ) {}
}

export const RAW_RESPONSE = 'kirim:raw-response';
/** The handler's result is sent as is (health, metrics, openapi), without the `{data}` envelope. */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

/** Wraps a handler's result: `{data, request_id}` or, for a {@link Page}, the list envelope (HttpPipelineInterceptor). */
export function envelope(result: unknown, requestId: string): Record<string, unknown> {
  if (result instanceof Page) {
    return { data: result.data, has_more: result.hasMore, next_cursor: result.nextCursor, request_id: requestId };
  }
  return { data: result, request_id: requestId };
}
