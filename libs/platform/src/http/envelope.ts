import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, type Observable } from 'rxjs';
import type { RequestWithId } from './request-id';

/** One page of a list endpoint; the envelope interceptor renders it as `{data, has_more, next_cursor}`. */
export class Page<T> {
  constructor(
    readonly data: T[],
    readonly hasMore: boolean,
    readonly nextCursor: string | null,
  ) {}
}

const RAW_RESPONSE = 'kirim:raw-response';
/** The handler's result is sent as is (health, metrics, openapi), without the `{data}` envelope. */
export const RawResponse = () => SetMetadata(RAW_RESPONSE, true);

/** Wraps every handler result: `{data, request_id}` or, for a {@link Page}, the list envelope. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const raw = this.reflector.getAllAndOverride<boolean>(RAW_RESPONSE, [context.getHandler(), context.getClass()]);
    if (raw) return next.handle();
    const requestId = context.switchToHttp().getRequest<RequestWithId>().id;
    return next.handle().pipe(map((result: unknown) => envelope(result, requestId)));
  }
}

export function envelope(result: unknown, requestId: string): Record<string, unknown> {
  if (result instanceof Page) {
    return { data: result.data, has_more: result.hasMore, next_cursor: result.nextCursor, request_id: requestId };
  }
  return { data: result, request_id: requestId };
}
